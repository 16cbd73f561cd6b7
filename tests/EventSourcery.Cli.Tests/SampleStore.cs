namespace EventSourcery.Cli.Tests;

/// <summary>A store with a few streams in the default view and one in the tenant view "acme".</summary>
public static class SampleStore
{
    /// <summary>The named stream "alice" in category "order": three events.</summary>
    public static readonly StreamId Alice = StreamId.FromName("alice", "order");

    /// <summary>A random uncategorized stream: one event.</summary>
    public static readonly StreamId Loose = StreamId.New();

    /// <summary>The correlation id on Alice's third event.</summary>
    public static readonly Guid Correlation = Guid.Parse("0198a2c4-0000-7000-8000-000000000001");

    public static async Task<TempStore> CreateAsync()
    {
        var temp = new TempStore();
        var store = await temp.OpenAsync();
        await store.AppendAsync(Alice, [new OrderPlaced("alice", 10m), new OrderShipped("dhl") { CreatedAt = new DateTimeOffset(2024, 2, 29, 13, 14, 15, TimeSpan.FromMinutes(330)).AddTicks(9_876_543) }], ExpectedVersion.NoStream);
        await store.AppendAsync(Loose, [new OrderPlaced("bob", 1.5m)], ExpectedVersion.NoStream);
        await store.AppendAsync(Alice, [new OrderPlaced("alice", 5m) { Metadata = new EventMetadata { CorrelationId = Correlation } }], ExpectedVersion.Exactly(2));
        await store.ForTenant("acme").AppendAsync(Alice, [new OrderPlaced("alice@acme", 7m)], ExpectedVersion.NoStream);
        return temp;
    }
}
