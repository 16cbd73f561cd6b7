using EventSourcery.StoreContract;

namespace EventSourcery.PostgreSql.Tests;

/// <summary>
/// A damaged row fails the read that reaches it with an <see cref="EventReadException"/> naming its stream, version and
/// position, on both ways a stream is read (the repository's lean read and <see cref="IEventStore.ReadStreamAsync"/>),
/// and the rows after it still read.
/// </summary>
[Collection(PostgresTests.Name)]
public sealed class PostgreSqlCorruptRowTests(PostgresServer server) : IAsyncLifetime
{
    private readonly PgStores _stores = new(server);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _stores.DisposeAsync().AsTask();

    [SkippableTheory]
    [InlineData("payload = '{\"trunc'", "does not fit")]
    [InlineData("event_name = 'NoSuchEvent'", "no registered event type")]
    [InlineData("created_at_ticks = 10", "created_at_ticks is 10")]
    [InlineData("created_at_offset = -900", "created_at_offset is -900")]
    [InlineData("created_at = '9999-12-31 23:59:59.999999+00', created_at_ticks = 9, created_at_offset = 60", "out of range")]
    public async Task A_corrupt_row_is_named_by_stream_version_and_position(string corruption, string reason)
    {
        var store = await _stores.OpenStoreAsync();
        var id = StreamId.New("switch");
        var appended = await store.AppendAsync(id, [new TurnedOn(), new TurnedOff(), new TurnedOn()], ExpectedVersion.NoStream);
        var position = appended.LastPosition - 1; // the second event
        await _stores.ExecuteAsync($"UPDATE \"{store.Schema}\".es_events SET {corruption} WHERE position = {position}");

        var lean = await Assert.ThrowsAsync<EventReadException>(() => ReadLeanAsync(store, id, 1));
        var full = await Assert.ThrowsAsync<EventReadException>(async () => await Read.ToListAsync(store.ReadStreamAsync(id)));

        foreach (var ex in new[] { lean, full })
        {
            Assert.Equal((id, 2L, position), (ex.StreamId, ex.Version, ex.Position));
            Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        }

        Assert.Single(await ReadLeanAsync(store, id, 3)); // the rows after it still read
    }

    [SkippableFact]
    public async Task The_events_before_a_corrupt_row_are_returned_before_the_read_fails()
    {
        var store = await _stores.OpenStoreAsync();
        var id = StreamId.New("switch");
        var appended = await store.AppendAsync(id, [new TurnedOn(), new TurnedOff(), new TurnedOn()], ExpectedVersion.NoStream);
        await _stores.ExecuteAsync($"UPDATE \"{store.Schema}\".es_events SET created_at_ticks = 10 WHERE position = {appended.LastPosition}");
        var read = new List<long>();

        var error = await Assert.ThrowsAsync<EventReadException>(async () =>
        {
            await foreach (var e in ((IStreamEventReader)store).ReadStreamEventsAsync(id))
            {
                read.Add(e.Version);
            }
        });

        Assert.Equal([1L, 2L], read);
        Assert.Equal((3L, appended.LastPosition), (error.Version, error.Position));
    }

    [SkippableFact]
    public async Task Ids_and_times_read_back_exactly_through_the_lean_read()
    {
        var store = await _stores.OpenStoreAsync();
        var id = StreamId.New("switch");
        var at = new DateTimeOffset(2024, 2, 29, 23, 59, 59, TimeSpan.FromMinutes(-570)).AddTicks(1_234_567);
        TurnedOn written = new() { CreatedAt = at };
        await store.AppendAsync(id, [written], ExpectedVersion.NoStream);

        var read = Assert.Single(await ReadLeanAsync(store, id, 1)).Event;

        Assert.Equal(written.Id, read.Id);
        Assert.Equal((at.Ticks, at.Offset), (read.CreatedAt.Ticks, read.CreatedAt.Offset));
    }

    private static async Task<List<VersionedEvent>> ReadLeanAsync(IEventStore store, StreamId id, long fromVersion)
    {
        var events = new List<VersionedEvent>();
        await foreach (var e in ((IStreamEventReader)store).ReadStreamEventsAsync(id, fromVersion))
        {
            events.Add(e);
        }

        return events;
    }
}
