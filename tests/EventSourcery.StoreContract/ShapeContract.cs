namespace EventSourcery.StoreContract;

/// <summary>
/// The shape matrix on a store (issue 19): every member kind that compiles in an event or a snapshot round-trips
/// exactly, through the store's own serialization. The kinds that would not be stored do not compile (ES0010).
/// </summary>
public abstract class ShapeContract
{
    /// <summary>A new, empty store for one test.</summary>
    protected abstract Task<IEventStore> CreateStoreAsync();

    [SkippableFact]
    public async Task Every_stored_member_kind_of_an_event_round_trips_exactly()
    {
        var store = await CreateStoreAsync();
        var required = Guid.NewGuid();
        var created = EveryStoredShape.Create("positional", "private-init", 12.5m, 77L, required) with
        {
            GetSet = 42,
            GetInit = "init",
            Region = "eu",
            GetInternalInit = new DateTimeOffset(2026, 12, 3, 23, 30, 1, TimeSpan.FromHours(2)).AddTicks(7),
        };
        var original = (EveryStoredShape)created.Stamped("origin", 3);

        var read = (EveryStoredShape)await AppendAndReadAsync(store, original);

        Assert.Equal("positional", read.Positional);
        Assert.Equal(42, read.GetSet);
        Assert.Equal("init", read.GetInit);
        Assert.Equal(12.5m, read.GetPrivateSet);
        Assert.Equal("private-init", read.GetPrivateInit);
        Assert.Equal(required, read.Required);
        Assert.Equal(77L, read.GetProtectedSet);
        Assert.Equal(original.GetInternalInit, read.GetInternalInit);
        Assert.Equal(original.GetInternalInit.Offset, read.GetInternalInit.Offset);
        Assert.Equal("positionalinit", read.Computed);
        Assert.Equal("eu", read.Region);
        Assert.Equal("origin", read.Origin);
        Assert.Equal(3, read.Hops);
        Assert.Equal(original, read); // record equality: every member, the inherited ones and the Event's own included
    }

    [SkippableFact]
    public async Task A_private_init_property_set_by_a_static_factory_round_trips()
    {
        var store = await CreateStoreAsync();
        var original = NoteWritten.By("hello", "ada");

        var read = Assert.IsType<NoteWritten>(await AppendAndReadAsync(store, original));

        Assert.Equal("ada", read.Author);
        Assert.Equal(original, read);
    }

    [SkippableFact]
    public async Task A_private_init_property_of_a_generic_base_event_round_trips()
    {
        var store = await CreateStoreAsync();
        var original = (LabelAttached)new LabelAttached("label").Tagging([3, 1, 2]);

        var read = Assert.IsType<LabelAttached>(await AppendAndReadAsync(store, original));

        Assert.Equal([3, 1, 2], read.Tag);
        Assert.Equal("label", read.Text);
    }

    [SkippableFact]
    public async Task A_get_only_property_set_by_a_constructor_parameter_round_trips()
    {
        var store = await CreateStoreAsync();
        var original = new AmountCounted(1234);

        var read = Assert.IsType<AmountCounted>(await AppendAndReadAsync(store, original));

        Assert.Equal(1234, read.Amount);
    }

    [SkippableFact]
    public async Task Every_stored_member_kind_of_a_snapshot_round_trips_through_the_repository()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New("shaped");
        var snapshotting = new Repository<ShapedAggregate>(store, new RepositoryOptions { SnapshotEvery = 1 });
        await snapshotting.NewAsync(id, a => a.Write(NoteWritten.By("first", "ada")));
        await snapshotting.UpdateAsync(id, a => a.Write(NoteWritten.By("second", "grace")));

        var replayed = (await new Repository<ShapedAggregate>(store).LoadAsync(id))!.State;
        var restored = (await snapshotting.LoadAsync(id))!.State;

        Assert.Equal(2, replayed.Positional);
        Assert.Equal("grace", replayed.GetPrivateSet);
        Assert.Equal(20L, replayed.GetPrivateInit);
        Assert.Equal(replayed.Positional, restored.Positional);
        Assert.Equal(replayed.GetSet, restored.GetSet);
        Assert.Equal(replayed.GetInit, restored.GetInit);
        Assert.Equal(replayed.GetPrivateSet, restored.GetPrivateSet);
        Assert.Equal(replayed.GetPrivateInit, restored.GetPrivateInit);
        Assert.Equal(replayed.Required, restored.Required);
        Assert.Equal(replayed.Computed, restored.Computed);
        Assert.Equal("grace's", restored.Owner);
    }

    private static async Task<Event> AppendAndReadAsync(IEventStore store, Event original)
    {
        var id = StreamId.New("shape");
        await store.AppendAsync(id, [original], ExpectedVersion.NoStream);
        await foreach (var recorded in store.ReadStreamAsync(id))
        {
            Assert.NotSame(original, recorded.Event); // read back through serialization, not the appended instance
            return recorded.Event;
        }

        throw new Xunit.Sdk.XunitException($"stream {id} has no event after an append");
    }
}
