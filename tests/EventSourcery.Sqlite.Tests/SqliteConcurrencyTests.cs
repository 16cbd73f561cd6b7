using EventSourcery.StoreContract;
using Microsoft.Data.Sqlite;

namespace EventSourcery.Sqlite.Tests;

public sealed class SqliteConcurrencyTests
{
    [Fact]
    public async Task Two_store_instances_racing_to_create_a_stream_one_wins_and_the_other_gets_a_concurrency_exception()
    {
        await using var db = new TempDatabase();
        var first = await db.OpenStoreAsync();
        var second = await db.OpenStoreAsync();

        for (var round = 0; round < 20; round++)
        {
            var id = StreamId.New("race");
            using var start = new Barrier(2);
            var a = Task.Run(() => { start.SignalAndWait(); return first.AppendAsync(id, [new NoteAdded("first", round, DateTimeOffset.UtcNow)], ExpectedVersion.NoStream).AsTask(); });
            var b = Task.Run(() => { start.SignalAndWait(); return second.AppendAsync(id, [new NoteAdded("second", round, DateTimeOffset.UtcNow)], ExpectedVersion.NoStream).AsTask(); });
            var outcomes = await Task.WhenAll(Settle(a), Settle(b));

            Assert.Single(outcomes, o => o is AppendResult { StreamVersion: 1 });
            var lost = Assert.IsType<ConcurrencyException>(Assert.Single(outcomes, o => o is Exception));
            Assert.Equal(id, lost.StreamId);
            Assert.Equal(ExpectedVersion.NoStream, lost.Expected);
            Assert.Equal(1, lost.Actual);
            Assert.Single(await Read.StreamAsync(first, id));
        }
    }

    [Fact]
    public async Task A_unique_violation_on_the_event_version_becomes_a_concurrency_exception_and_nothing_is_written()
    {
        await using var db = new TempDatabase();
        var store = await db.OpenStoreAsync();
        var id = StreamId.New();
        // Simulates a writer that slipped version 2 in between our read of the stream and our insert.
        await db.ExecuteAsync("""
            CREATE TRIGGER steal_version_2 BEFORE INSERT ON es_events WHEN NEW.version = 2
            BEGIN
                INSERT INTO es_events (stream_key, version, event_id, event_name, schema_version, payload, metadata, created_at, recorded_at)
                VALUES (NEW.stream_key, 2, NEW.event_id, NEW.event_name, NEW.schema_version, NEW.payload, NEW.metadata, NEW.created_at, NEW.recorded_at);
            END;
            """);

        var ex = await Assert.ThrowsAsync<ConcurrencyException>(() => store.PublishAsync(id, [new TurnedOn(), new TurnedOff()], ExpectedVersion.NoStream).AsTask());

        Assert.Equal(id, ex.StreamId);
        Assert.Equal(ExpectedVersion.NoStream, ex.Expected);
        Assert.Null(ex.Actual); // the whole append rolled back, so the stream does not exist
        var inner = Assert.IsType<SqliteException>(ex.InnerException);
        Assert.Equal(2067, inner.SqliteExtendedErrorCode);
        Assert.Empty(await Read.AllAsync(store));
        Assert.Equal(0L, await db.ScalarAsync("SELECT COUNT(*) FROM es_streams"));
        Assert.Empty(await db.OutboxPositionsAsync());

        await db.ExecuteAsync("DROP TRIGGER steal_version_2");
        Assert.Equal(2, (await store.AppendAsync(id, [new TurnedOn(), new TurnedOff()], ExpectedVersion.NoStream)).StreamVersion);
    }

    [Fact]
    public async Task A_unique_violation_on_the_stream_becomes_a_concurrency_exception()
    {
        await using var db = new TempDatabase();
        var store = await db.OpenStoreAsync();
        var id = StreamId.New("light_switch");
        await db.ExecuteAsync("""
            CREATE TRIGGER steal_stream BEFORE INSERT ON es_streams
            BEGIN
                INSERT INTO es_streams (tenant_id, category, stream_id, name, version) VALUES (NEW.tenant_id, NEW.category, NEW.stream_id, NEW.name, 1);
            END;
            """);

        var ex = await Assert.ThrowsAsync<ConcurrencyException>(() => store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.Any).AsTask());

        Assert.Equal(id, ex.StreamId);
        Assert.IsType<SqliteException>(ex.InnerException);
        Assert.Empty(await Read.AllAsync(store));
    }

    [Fact]
    public async Task A_write_lock_held_too_long_surfaces_as_EventStoreBusyException_after_retries()
    {
        await using var db = new TempDatabase();
        var store = await db.OpenStoreAsync(new SqliteEventStoreOptions { BusyTimeout = TimeSpan.FromMilliseconds(100) });
        var id = StreamId.New();
        await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);
        var blocker = db.OpenConnection();
        var hold = blocker.BeginTransaction(deferred: false);

        var ex = await Assert.ThrowsAsync<EventStoreBusyException>(() => store.AppendAsync(id, [new TurnedOff()], ExpectedVersion.Exactly(1)).AsTask());
        var readWhileLocked = await Read.StreamAsync(store, id); // WAL: readers are not blocked by the writer

        Assert.Equal(3, ex.Attempts);
        Assert.Equal(TimeSpan.FromMilliseconds(100), ex.BusyTimeout);
        Assert.IsType<SqliteException>(ex.InnerException);
        Assert.Single(readWhileLocked);

        hold.Rollback();
        Assert.Equal(2, (await store.AppendAsync(id, [new TurnedOff()], ExpectedVersion.Exactly(1))).StreamVersion);
    }

    [Fact]
    public async Task Concurrent_callers_of_one_instance_are_serialized_on_its_connection()
    {
        await using var db = new TempDatabase();
        var store = await db.OpenStoreAsync();
        var ids = Enumerable.Range(0, 8).Select(_ => StreamId.New()).ToArray();

        var writers = ids.Select(id => Task.Run(async () =>
        {
            for (var i = 0; i < 10; i++)
            {
                await store.AppendAsync(id, [new NoteAdded("n", i, DateTimeOffset.UtcNow)], i == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(i));
                await Read.StreamAsync(store, id);
            }
        }));
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(() => Read.AllAsync(store)));
        await Task.WhenAll(writers.Concat(readers));

        var all = await Read.AllAsync(store);
        Assert.Equal(80, all.Count);
        Assert.All(ids, id => Assert.Equal(Enumerable.Range(1, 10).Select(v => (long)v), all.Where(e => e.StreamId == id).Select(e => e.Version)));
    }

    private static async Task<object> Settle(Task<AppendResult> task)
    {
        try
        {
            return await task;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }
}
