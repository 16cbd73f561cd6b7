using EventSourcery.Sqlite.Storage;
using EventSourcery.StoreContract;

namespace EventSourcery.Sqlite.Tests;

/// <summary>
/// <see cref="IStreamEventReader"/> on SQLite: the lean read that <see cref="Repository{TAggregate}"/> rebuilds
/// aggregates from gives exactly the versions and events of <see cref="IEventStore.ReadStreamAsync"/>.
/// </summary>
public sealed class SqliteStreamEventReaderTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(700)]
    [InlineData(1_203)]
    [InlineData(1_204)]
    public async Task It_reads_what_ReadStream_reads_across_pages(long fromVersion)
    {
        await using var db = new TempDatabase();
        var store = await db.OpenStoreAsync();
        var id = StreamId.FromName("long-one", "switch");
        var events = Enumerable.Range(0, SqliteStorage.PageSize * 2 + 203).Select(i => i % 2 == 0 ? (Event)new TurnedOn() : new TurnedOff()).ToArray();
        await store.AppendAsync(id, events, ExpectedVersion.NoStream);
        await store.AppendAsync(StreamId.New("switch"), [new TurnedOn()], ExpectedVersion.NoStream); // another stream, not read

        var lean = await ReadLeanAsync(store, id, fromVersion);
        var full = await Read.StreamAsync(store, id, fromVersion);

        Assert.Equal(full.Select(e => (e.Version, e.Event)), lean.Select(e => (e.Version, e.Event)));
        Assert.Equal(Math.Max(0, events.Length - fromVersion + 1), lean.Count);
    }

    [Fact]
    public async Task A_missing_stream_reads_as_empty_and_a_view_reads_only_its_own_stream()
    {
        await using var db = new TempDatabase();
        var store = await db.OpenStoreAsync();
        var id = StreamId.New("switch");
        await store.ForTenant("acme").AppendAsync(id, [new TurnedOn(), new TurnedOff()], ExpectedVersion.NoStream);

        Assert.Empty(await ReadLeanAsync(store, id, 1));
        Assert.Empty(await ReadLeanAsync(store.ForTenant("other"), id, 1));
        Assert.Equal([1L, 2L], (await ReadLeanAsync(store.ForTenant("acme"), id, 1)).Select(e => e.Version));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ReadLeanAsync(store, id, 0));
        await Assert.ThrowsAsync<ArgumentException>(() => ReadLeanAsync(store, default, 1));
    }

    [Theory]
    [InlineData("payload = '{\"trunc'", "does not fit")]
    [InlineData("event_name = 'NoSuchEvent'", "no registered event type")]
    [InlineData("created_at = 'yesterday'", "corrupt")]
    [InlineData("event_id = 'not-a-guid'", "corrupt")]
    public async Task A_corrupt_row_is_named_by_stream_version_and_position(string corruption, string reason)
    {
        await using var db = new TempDatabase();
        var store = await db.OpenStoreAsync();
        var id = StreamId.New("switch");
        var appended = await store.AppendAsync(id, [new TurnedOn(), new TurnedOff(), new TurnedOn()], ExpectedVersion.NoStream);
        var position = appended.LastPosition - 1; // the second event
        await db.ExecuteAsync($"UPDATE es_events SET {corruption} WHERE position = $p", ("$p", position));

        var ex = await Assert.ThrowsAsync<EventReadException>(() => ReadLeanAsync(store, id, 1));

        Assert.Equal((id, 2L, position), (ex.StreamId, ex.Version, ex.Position));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.Single(await ReadLeanAsync(store, id, 3)); // the rows after it still read
    }

    [Fact]
    public async Task Its_query_finds_the_stream_by_its_identity_then_its_events_by_version()
    {
        await using var db = new TempDatabase();
        var store = await db.OpenStoreAsync();
        await store.AppendAsync(StreamId.New(), [new TurnedOn()], ExpectedVersion.NoStream);

        var steps = await QueryPlan.StepsAsync(
            store,
            SqliteStorage.ReadStreamEventsPageSql,
            ("$tenant", ""),
            ("$category", ""),
            ("$stream_id", Guid.NewGuid().ToString("D")),
            ("$from", 1L));

        Assert.Equal(2, steps.Count);
        Assert.Contains("ux_es_streams_identity (tenant_id=? AND category=? AND stream_id=?)", steps[0], StringComparison.Ordinal);
        Assert.Contains("ux_es_events_stream_version (stream_key=? AND version>?)", steps[1], StringComparison.Ordinal);
    }

    private static async Task<List<VersionedEvent>> ReadLeanAsync(IEventStore store, StreamId id, long fromVersion)
    {
        var list = new List<VersionedEvent>();
        await foreach (var e in ((IStreamEventReader)store).ReadStreamEventsAsync(id, fromVersion))
        {
            list.Add(e);
        }

        return list;
    }
}
