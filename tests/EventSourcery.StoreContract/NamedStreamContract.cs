namespace EventSourcery.StoreContract;

/// <summary>Named streams: <see cref="StreamId.FromName"/> finds the same stream every time and the store keeps the name.</summary>
public abstract class NamedStreamContract
{
    /// <summary>A new, empty store for one test.</summary>
    protected abstract Task<IEventStore> CreateStoreAsync();

    [SkippableFact]
    public async Task The_same_name_finds_the_same_stream()
    {
        var store = await CreateStoreAsync();
        await store.AppendAsync(StreamId.FromName("kitchen", "light_switch"), [new TurnedOn()], ExpectedVersion.NoStream);

        var again = StreamId.FromName("kitchen", "light_switch");
        var recorded = Assert.Single(await Read.ToListAsync(store.ReadStreamAsync(again)));
        Assert.IsType<TurnedOn>(recorded.Event);
        await store.AppendAsync(again, [new TurnedOff()], ExpectedVersion.Exactly(1));
    }

    [SkippableFact]
    public async Task The_same_name_in_two_categories_is_two_streams()
    {
        var store = await CreateStoreAsync();
        await store.AppendAsync(StreamId.FromName("kitchen", "light_switch"), [new TurnedOn()], ExpectedVersion.NoStream);
        await store.AppendAsync(StreamId.FromName("kitchen", "thermostat"), [new TurnedOff()], ExpectedVersion.NoStream);
        await store.AppendAsync(StreamId.FromName("kitchen"), [new TurnedOff(), new TurnedOn()], ExpectedVersion.NoStream);

        Assert.IsType<TurnedOn>(Assert.Single(await Read.ToListAsync(store.ReadStreamAsync(StreamId.FromName("kitchen", "light_switch")))).Event);
        Assert.IsType<TurnedOff>(Assert.Single(await Read.ToListAsync(store.ReadStreamAsync(StreamId.FromName("kitchen", "thermostat")))).Event);
        Assert.Equal(2, (await Read.ToListAsync(store.ReadStreamAsync(StreamId.FromName("kitchen")))).Count);
    }

    [SkippableFact]
    public async Task The_store_keeps_the_name_so_reads_can_show_it()
    {
        var store = await CreateStoreAsync();
        await store.AppendAsync(StreamId.FromName("hall", "light_switch"), [new TurnedOn()], ExpectedVersion.NoStream);
        await store.AppendAsync(StreamId.New("light_switch"), [new TurnedOn()], ExpectedVersion.NoStream);

        var all = await Read.ToListAsync(store.ReadAllAsync());
        Assert.Equal("hall", all[0].StreamId.Name);
        Assert.Equal("light_switch", all[0].StreamId.Category);
        Assert.Null(all[1].StreamId.Name);

        // Even when read through an id built from the bare guid and category, the stored name comes back.
        var bare = new StreamId(all[0].StreamId.Value, "light_switch");
        Assert.Equal("hall", Assert.Single(await Read.ToListAsync(store.ReadStreamAsync(bare))).StreamId.Name);
    }
}
