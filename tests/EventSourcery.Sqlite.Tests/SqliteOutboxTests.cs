using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using EventSourcery.Sqlite.Storage;
using EventSourcery.StoreContract;

namespace EventSourcery.Sqlite.Tests;

/// <summary>The outbox contract over SQLite files; the competing runners get a store instance (a connection) each.</summary>
public sealed class SqliteOutboxTests : OutboxContract, IAsyncLifetime
{
    private readonly List<TempDatabase> _databases = [];
    private readonly ConditionalWeakTable<IEventStore, TempDatabase> _databaseOf = [];

    protected override async Task<IEventStore> CreateStoreAsync(Func<Event, bool>? outboxFilter = null)
    {
        var database = new TempDatabase();
        _databases.Add(database);
        var store = await database.OpenStoreAsync(new SqliteEventStoreOptions { OutboxFilter = outboxFilter });
        _databaseOf.Add(store, database);
        return store;
    }

    protected override async Task<IEventStore> CreateSecondInstanceAsync(IEventStore store)
    {
        var database = _databaseOf.TryGetValue(store, out var db) ? db : throw new InvalidOperationException("Unknown store.");
        var second = await database.OpenStoreAsync();
        Assert.NotSame(((SqliteEventStore)store).Connection, second.Connection);
        return second;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }
    }
}

/// <summary>What only a database file can show: entries and their state outlive the process, and runners on separate connections share them.</summary>
public sealed class SqliteOutboxDeliveryTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDatabase _db = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _db.DisposeAsync().AsTask();

    [Fact]
    public async Task Entries_survive_closing_and_reopening_the_store()
    {
        var store = await _db.OpenStoreAsync();
        var light = StreamId.FromName("kitchen", "light");
        var note = StreamId.New();
        await store.PublishAsync(light, [new TurnedOn(), new TurnedOff()], ExpectedVersion.NoStream);
        await store.ForTenant("acme").PublishAsync(note, [Note("for acme")], ExpectedVersion.NoStream);
        await store.PublishAsync(note, [Note("hello")], ExpectedVersion.NoStream);
        var positions = (await Read.AllAsync(store)).Select(e => e.Position).ToArray();
        await store.DisposeAsync();

        var reopened = await _db.OpenStoreAsync();
        var delivered = new List<RecordedEvent>();
        var outbox = new Outbox(reopened, Collect(delivered), Options());
        Assert.Equal(3, await outbox.GetPendingCountAsync());
        Assert.Equal(3, await outbox.RunOnceAsync());

        Assert.Equal(["TurnedOn", "TurnedOff", "NoteAdded"], delivered.Select(e => e.EventName));
        Assert.Equal(positions, delivered.Select(e => e.Position));
        Assert.Equal([light, light, note], delivered.Select(e => e.StreamId));
        Assert.Equal("kitchen", delivered[0].StreamId.Name);
        Assert.Equal("light", delivered[0].StreamId.Category);
        Assert.Equal([1L, 2L, 1L], delivered.Select(e => e.Version));
        Assert.Equal("hello", ((NoteAdded)delivered[2].Event).Text);
        Assert.All(delivered, e => Assert.Null(e.TenantId));
        Assert.Equal(0, await outbox.GetPendingCountAsync());

        var acme = new List<RecordedEvent>();
        Assert.Equal(1, await new Outbox(reopened.ForTenant("acme"), Collect(acme), Options()).RunOnceAsync());
        Assert.Equal("acme", Assert.Single(acme).TenantId);
        Assert.Equal(0L, await _db.ScalarAsync("SELECT COUNT(*) FROM es_outbox"));
    }

    [Fact]
    public async Task Two_runners_on_separate_connections_never_hold_the_same_entry_or_stream_at_once()
    {
        const int Streams = 40, Rounds = 10;
        var writer = await _db.OpenStoreAsync();
        var streams = Enumerable.Range(0, Streams).Select(i => StreamId.FromName($"s{i}", "load")).ToArray();
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var s in streams)
            {
                await writer.PublishAsync(s, [Note($"{s.Name}:{round + 1}")], round == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(round));
            }
        }

        var handovers = new ConcurrentQueue<Handover>();
        var delivered = 0;
        Func<RecordedEvent, CancellationToken, ValueTask> Publisher(int runner) => async (e, _) =>
        {
            var start = Stopwatch.GetTimestamp();
            await Task.Delay(1, CancellationToken.None); // a broker round trip: long enough for the other runner to try its luck meanwhile
            handovers.Enqueue(new Handover(runner, e.Position, e.StreamId, e.Version, start, Stopwatch.GetTimestamp()));
            Interlocked.Increment(ref delivered);
        };

        async Task RunAsync(int runner)
        {
            var store = await _db.OpenStoreAsync();
            var outbox = new Outbox(store, Publisher(runner), Options() with { BatchSize = 8 });
            var deadline = Stopwatch.StartNew();
            while (Volatile.Read(ref delivered) < Streams * Rounds && deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
                if (await outbox.RunOnceAsync() == 0)
                {
                    await Task.Delay(1);
                }
            }
        }

        await Task.WhenAll(Task.Run(() => RunAsync(1)), Task.Run(() => RunAsync(2)));

        var log = handovers.ToArray();
        Assert.Equal(Streams * Rounds, log.Length);
        Assert.Equal(Streams * Rounds, log.Select(h => h.Position).Distinct().Count()); // each entry handed over once
        foreach (var byStream in log.GroupBy(h => h.Stream))
        {
            // One stream's handovers follow each other, whichever runner makes them, and keep the stream's order.
            var ordered = byStream.OrderBy(h => h.Start).ToArray();
            Assert.Equal(Enumerable.Range(1, Rounds).Select(v => (long)v), ordered.Select(h => h.Version));
            for (var i = 1; i < ordered.Length; i++)
            {
                Assert.True(ordered[i].Start >= ordered[i - 1].End, $"{byStream.Key} v{ordered[i].Version} (runner {ordered[i].Runner}) was handed over before v{ordered[i - 1].Version} (runner {ordered[i - 1].Runner}) was done");
            }
        }

        // And the runners really did work side by side.
        var one = log.Where(h => h.Runner == 1).ToArray();
        var two = log.Where(h => h.Runner == 2).ToArray();
        Assert.NotEmpty(one);
        Assert.NotEmpty(two);
        Assert.Contains(one, a => two.Any(b => a.Start < b.End && b.Start < a.End));
    }

    [Fact]
    public async Task A_runner_that_dies_holding_entries_has_them_taken_over_when_its_lease_ends_and_not_before()
    {
        var clock = new ManualTimeProvider(Start);
        var store = await _db.OpenStoreAsync();
        var (held, free) = (StreamId.New("held"), StreamId.New("free"));
        await store.PublishAsync(held, [Note("h1"), Note("h2")], ExpectedVersion.NoStream);
        await store.PublishAsync(free, [Note("f1")], ExpectedVersion.NoStream);
        await store.PublishAsync(held, [Note("h3")], ExpectedVersion.Exactly(2));

        // A runner claims two entries and dies: it never completes, fails or releases them.
        var lease = TimeSpan.FromSeconds(30);
        var dying = await ((IOutboxStore)store).ClaimOutboxAsync(new OutboxClaim("dying-runner", 2, clock.GetUtcNow(), lease));
        Assert.Equal(["h1", "h2"], dying.Select(e => Text(e.Event)));
        Assert.Equal(2L, await _db.ScalarAsync("SELECT COUNT(*) FROM es_outbox WHERE claimed_by = 'dying-runner'"));

        // Another process's runner goes on with the other streams, and leaves the held stream alone while the lease runs.
        var survivor = await _db.OpenStoreAsync();
        var delivered = new List<string>();
        var outbox = new Outbox(survivor, (e, _) =>
        {
            delivered.Add(Text(e));
            return ValueTask.CompletedTask;
        }, Options(clock));
        Assert.Equal(1, await outbox.RunOnceAsync());
        Assert.Equal(["f1"], delivered);

        clock.Advance(lease - TimeSpan.FromTicks(1));
        Assert.Equal(0, await outbox.RunOnceAsync());
        Assert.Equal(3, await outbox.GetPendingCountAsync());

        clock.Advance(TimeSpan.FromTicks(1)); // the lease is over
        Assert.Equal(3, await outbox.RunOnceAsync());
        Assert.Equal(["f1", "h1", "h2", "h3"], delivered);

        // Should the runner come back to life, completing what was taken over is harmless.
        await ((IOutboxStore)store).CompleteOutboxAsync("dying-runner", dying[0].Id);
        Assert.Equal(0, await outbox.GetPendingCountAsync());
    }

    [Fact]
    public async Task Dead_letters_survive_reopening_with_their_attempts_and_last_error_and_keep_their_stream_waiting()
    {
        var now = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(1_234_567);
        var store = await _db.OpenStoreAsync();
        var (poison, other) = (StreamId.FromName("poison", "orders"), StreamId.New());
        await store.PublishAsync(poison, [Note("p1"), Note("p2")], ExpectedVersion.NoStream);
        await store.PublishAsync(other, [Note("o1")], ExpectedVersion.NoStream);
        var failing = new Outbox(store, (e, _) => Text(e) == "p1" ? throw new FormatException("cannot encode p1") : ValueTask.CompletedTask, Options(new FixedTimeProvider(now)) with { MaxAttempts = 2 });
        Assert.Equal(1, await failing.RunOnceAsync());
        Assert.Equal(0, await failing.RunOnceAsync());
        await store.DisposeAsync();

        var reopened = await _db.OpenStoreAsync();
        var delivered = new List<string>();
        var outbox = new Outbox(reopened, (e, _) =>
        {
            delivered.Add(Text(e));
            return ValueTask.CompletedTask;
        }, Options());

        var dead = Assert.Single(await outbox.GetDeadLettersAsync());
        Assert.Equal("p1", Text(dead.Event));
        Assert.Equal(poison, dead.Event.StreamId);
        Assert.Equal("poison", dead.Event.StreamId.Name);
        Assert.Equal(1, dead.Event.Version);
        Assert.Equal(2, dead.Attempts);
        Assert.Equal("FormatException: cannot encode p1", dead.LastError);
        Assert.Equal(now, dead.DeadLetteredAt);
        Assert.Equal(TimeSpan.Zero, dead.DeadLetteredAt!.Value.Offset);
        Assert.Equal(2, await outbox.GetPendingCountAsync());

        Assert.Equal(0, await outbox.RunOnceAsync()); // p2 still waits behind the dead letter
        Assert.Equal(1, await outbox.RetryAsync());
        Assert.Equal(2, await outbox.RunOnceAsync());
        Assert.Equal(["p1", "p2"], delivered);
        Assert.Empty(await outbox.GetDeadLettersAsync());
    }

    [Fact]
    public async Task A_failed_attempt_is_stored_with_its_retry_time_and_the_claim_ends()
    {
        var clock = new ManualTimeProvider(Start);
        var store = await _db.OpenStoreAsync();
        await store.PublishAsync(StreamId.New(), [Note("x")], ExpectedVersion.NoStream);
        var outbox = new Outbox(store, (_, _) => throw new TimeoutException("slow"), Options(clock) with { InitialBackoff = TimeSpan.FromSeconds(5) });

        Assert.Equal(0, await outbox.RunOnceAsync());

        var row = Assert.Single(await _db.RowsAsync("SELECT attempts, last_error, retry_at, dead_lettered_at, claimed_by, lease_until FROM es_outbox"));
        Assert.Equal([1L, "TimeoutException: slow", (Start + TimeSpan.FromSeconds(5)).UtcTicks, null, null, null], row);
        var entry = Assert.Single(await ((IOutboxStore)store).ClaimOutboxAsync(new OutboxClaim("r", 10, Start + TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1))));
        Assert.Equal(Start + TimeSpan.FromSeconds(5), entry.RetryAt);
        Assert.Equal(1, entry.Attempts);
        Assert.Equal("TimeoutException: slow", entry.LastError);
    }

    [Fact]
    public async Task A_view_claims_completes_fails_and_retries_only_its_own_entries()
    {
        var store = await _db.OpenStoreAsync();
        var acme = store.ForTenant("acme");
        var id = StreamId.New();
        await acme.PublishAsync(id, [Note("acme")], ExpectedVersion.NoStream);
        await store.PublishAsync(id, [Note("default")], ExpectedVersion.NoStream); // the same stream id in the default view: another stream
        var acmeOutbox = (IOutboxStore)acme;
        var defaultOutbox = (IOutboxStore)store;
        Assert.Equal("acme", acmeOutbox.OutboxTenantId);
        Assert.Null(defaultOutbox.OutboxTenantId);

        var acmeEntry = Assert.Single(await acmeOutbox.ClaimOutboxAsync(new OutboxClaim("a", 10, Start, TimeSpan.FromMinutes(1))));
        var defaultEntry = Assert.Single(await defaultOutbox.ClaimOutboxAsync(new OutboxClaim("d", 10, Start, TimeSpan.FromMinutes(1)))); // acme's claim does not block it
        Assert.Equal("acme", acmeEntry.Event.TenantId);
        Assert.Null(defaultEntry.Event.TenantId);

        // Through the wrong view, an entry id changes nothing.
        await defaultOutbox.CompleteOutboxAsync("a", acmeEntry.Id);
        await defaultOutbox.FailOutboxAsync("a", acmeEntry.Id, "wrong view", retryAt: null, Start);
        await defaultOutbox.ReleaseOutboxAsync("a", [acmeEntry.Id]);
        Assert.Equal([[0L, null, null, "a"]], await _db.RowsAsync("SELECT attempts, last_error, dead_lettered_at, claimed_by FROM es_outbox WHERE tenant_id = 'acme'"));

        await acmeOutbox.FailOutboxAsync("a", acmeEntry.Id, "down", retryAt: null, Start);
        Assert.Empty(await defaultOutbox.ReadDeadLettersAsync());
        Assert.Equal(0, await defaultOutbox.RetryDeadLettersAsync(null));
        Assert.Equal(0, await defaultOutbox.RetryDeadLettersAsync([acmeEntry.Id]));
        Assert.Single(await acmeOutbox.ReadDeadLettersAsync());
        Assert.Equal(1, await acmeOutbox.RetryDeadLettersAsync([acmeEntry.Id]));
        Assert.Equal(1L, await defaultOutbox.CountOutboxAsync());
        Assert.Equal(1L, await acmeOutbox.CountOutboxAsync());
    }

    [Fact]
    public async Task An_unreadable_entry_is_dead_lettered_naming_it_while_other_streams_flow_and_only_its_own_stream_waits()
    {
        // A deploy renamed an event type (or a row was damaged): the entry can no longer be read.
        var store = await _db.OpenStoreAsync();
        var (bad, good) = (StreamId.FromName("bad", "corrupt"), StreamId.New());
        await store.PublishAsync(bad, [Note("victim"), Note("after victim")], ExpectedVersion.NoStream);
        await store.PublishAsync(good, [Note("fine")], ExpectedVersion.NoStream);
        var position = (await Read.StreamAsync(store, bad))[0].Position;
        await _db.ExecuteAsync("UPDATE es_outbox SET event_name = 'NoteRenamedAway' WHERE position = $p", ("$p", position));

        var delivered = new List<string>();
        var outbox = new Outbox(store, (e, _) =>
        {
            delivered.Add(((NoteAdded)e.Event).Text);
            return ValueTask.CompletedTask;
        }, Options());
        Assert.Equal(1, await outbox.RunOnceAsync());
        Assert.Equal(0, await outbox.RunOnceAsync());
        Assert.Equal(["fine"], delivered);

        var dead = Assert.Single(await outbox.GetDeadLettersAsync());
        var error = Assert.IsType<EventReadException>(dead.ReadError);
        Assert.Equal(bad, error.StreamId);
        Assert.Equal(1, error.Version);
        Assert.Equal(position, error.Position);
        Assert.Equal("NoteRenamedAway", error.EventName);
        Assert.Equal(bad, dead.Event.StreamId);
        Assert.Equal(position, dead.Event.Position);
        var standIn = Assert.IsType<UnreadableEvent>(dead.Event.Event);
        Assert.Equal("NoteRenamedAway", standIn.StoredName);
        Assert.Contains("victim", standIn.Payload, StringComparison.Ordinal);
        Assert.Contains("NoteRenamedAway", dead.LastError, StringComparison.Ordinal);
        Assert.Equal(1, dead.Attempts);
        Assert.Equal(0L, await _db.ScalarAsync("SELECT COUNT(*) FROM es_outbox WHERE claimed_by IS NOT NULL"));

        // The type comes back (the deploy is rolled back): a retry delivers the stream, in order.
        await _db.ExecuteAsync("UPDATE es_outbox SET event_name = 'NoteAdded' WHERE position = $p", ("$p", position));
        Assert.Equal(1, await outbox.RetryAsync());
        Assert.Equal(2, await outbox.RunOnceAsync());
        Assert.Equal(["fine", "victim", "after victim"], delivered);
    }

    [Fact]
    public async Task A_damaged_payload_in_the_outbox_is_dead_lettered_with_the_raw_text_kept_for_repair()
    {
        var store = await _db.OpenStoreAsync();
        var bad = StreamId.New();
        await store.PublishAsync(bad, [Note("victim")], ExpectedVersion.NoStream);
        await _db.ExecuteAsync("UPDATE es_outbox SET payload = '{\"text\":\"vic'");

        var outbox = new Outbox(store, (_, _) => ValueTask.CompletedTask, Options());
        Assert.Equal(0, await outbox.RunOnceAsync());

        var dead = Assert.Single(await outbox.GetDeadLettersAsync());
        Assert.Equal("NoteAdded", dead.Event.EventName);
        Assert.Equal("{\"text\":\"vic", Assert.IsType<UnreadableEvent>(dead.Event.Event).Payload);
        Assert.Contains("does not fit NoteAdded", dead.ReadError!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_outbox_filter_option_keeps_events_out_of_the_outbox_but_not_out_of_the_stream()
    {
        var store = await _db.OpenStoreAsync(new SqliteEventStoreOptions { OutboxFilter = e => e is not TurnedOff });
        var id = StreamId.New();
        await store.PublishAsync(id, [new TurnedOn(), new TurnedOff(), new TurnedOn()], ExpectedVersion.NoStream);
        await store.PublishAsync(StreamId.New(), [new TurnedOff()], ExpectedVersion.NoStream); // nothing for the outbox at all

        var stored = await Read.StreamAsync(store, id);
        Assert.Equal(3, stored.Count);
        Assert.Equal([stored[0].Position, stored[2].Position], await _db.OutboxPositionsAsync());
    }

    [Fact]
    public async Task An_outbox_filter_that_throws_fails_the_publish_and_writes_nothing()
    {
        var store = await _db.OpenStoreAsync(new SqliteEventStoreOptions { OutboxFilter = e => e is TurnedOff ? throw new InvalidOperationException("filter bug") : true });
        var id = StreamId.New();

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.PublishAsync(id, [new TurnedOn(), new TurnedOff()], ExpectedVersion.NoStream).AsTask());
        await store.AppendAsync(id, [new TurnedOff()], ExpectedVersion.NoStream); // an append never asks the filter

        Assert.Single(await Read.StreamAsync(store, id));
        Assert.Empty(await _db.OutboxPositionsAsync());
    }

    [Fact]
    public async Task Claims_validate_their_arguments()
    {
        var store = await _db.OpenStoreAsync();
        await store.PublishAsync(StreamId.New(), [Note("x")], ExpectedVersion.NoStream);
        var outbox = (IOutboxStore)store;

        await Assert.ThrowsAnyAsync<ArgumentException>(() => outbox.ClaimOutboxAsync(new OutboxClaim("", 1, Start, TimeSpan.FromSeconds(1))).AsTask());
        await Assert.ThrowsAnyAsync<ArgumentException>(() => outbox.ClaimOutboxAsync(new OutboxClaim(null!, 1, Start, TimeSpan.FromSeconds(1))).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => outbox.ClaimOutboxAsync(new OutboxClaim("r", -1, Start, TimeSpan.FromSeconds(1))).AsTask());
        Assert.Empty(await outbox.ClaimOutboxAsync(new OutboxClaim("r", 0, Start, TimeSpan.FromSeconds(1))));

        // A lease too long for the calendar is capped, not an overflow.
        Assert.Single(await outbox.ClaimOutboxAsync(new OutboxClaim("r", 1, Start, TimeSpan.MaxValue)));
        Assert.Equal(DateTimeOffset.MaxValue.UtcTicks, await _db.ScalarAsync("SELECT lease_until FROM es_outbox"));
    }

    [Fact]
    public async Task The_claim_walks_the_views_entries_in_order_and_looks_each_stream_up_among_the_held_entries_only()
    {
        var store = await _db.OpenStoreAsync();
        var streams = Enumerable.Range(0, 20).Select(i => StreamId.New($"c{i % 3}")).ToArray();
        for (var i = 0; i < 400; i++)
        {
            var view = i % 4 == 0 ? store.ForTenant("acme") : store;
            await view.PublishAsync(streams[i % streams.Length], [Note($"{i}")], ExpectedVersion.Any);
        }

        var outbox = (IOutboxStore)store;
        var claimed = await outbox.ClaimOutboxAsync(new OutboxClaim("other", 30, Start, TimeSpan.FromMinutes(1)));
        await outbox.FailOutboxAsync("other", claimed[0].Id, "down", Start + TimeSpan.FromMinutes(1), Start);
        await outbox.FailOutboxAsync("other", claimed[1].Id, "down", retryAt: null, Start);
        string[] expected =
        [
            "SEARCH es_outbox USING COVERING INDEX ix_es_outbox_tenant (tenant_id=? AND id=?)", // the claimed rows, by id
            "LIST SUBQUERY 4",
            "CO-ROUTINE (subquery-3)",
            "CO-ROUTINE (subquery-5)",
            "CO-ROUTINE c",
            "SEARCH o USING INDEX ix_es_outbox_tenant (tenant_id=?)", // the candidates, in id order; a row read (its size) only for those kept, up to $limit
            "CORRELATED SCALAR SUBQUERY 1",
            "SEARCH b USING INDEX ix_es_outbox_held (tenant_id=? AND category=? AND stream_id=?)", // each one's stream, among the held entries
            "SCAN c", // the running byte total over at most $limit candidates
            "SCAN (subquery-5)",
            "SCAN (subquery-3)",
        ];
        Assert.Equal(expected, await ClaimPlanAsync(""));
        await _db.ExecuteAsync("ANALYZE"); // with statistics too, the plan stays the same, for a big view and a small one
        Assert.Equal(expected, await ClaimPlanAsync(""));
        Assert.Equal(expected, await ClaimPlanAsync("acme"));

        var deadLetters = await QueryPlan.StepsAsync(store, SqliteStorage.ReadDeadLettersSql, ("$tenant", ""));
        Assert.Equal(["SEARCH es_outbox USING INDEX ix_es_outbox_dead_letters (tenant_id=?)"], deadLetters);
        var count = await QueryPlan.StepsAsync(store, SqliteStorage.CountOutboxSql, ("$tenant", ""));
        Assert.Equal(["SEARCH es_outbox USING COVERING INDEX ix_es_outbox_tenant (tenant_id=?)"], count);

        Task<List<string>> ClaimPlanAsync(string tenant) => QueryPlan.StepsAsync(
            store,
            SqliteStorage.ClaimOutboxSql,
            ("$tenant", tenant),
            ("$runner", "me"),
            ("$now", Start.UtcTicks),
            ("$lease_until", Start.UtcTicks + TimeSpan.TicksPerMinute),
            ("$limit", 100),
            ("$max_bytes", 4 << 20));
    }

    [Fact]
    public async Task The_outbox_indexes_are_part_of_the_schema()
    {
        await _db.OpenStoreAsync();

        var indexes = (await _db.RowsAsync("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'es_outbox'")).ToDictionary(r => (string)r[0]!, r => (string)r[1]!);

        Assert.Contains("(\"tenant_id\", \"id\", \"category\", \"stream_id\")", indexes["ix_es_outbox_tenant"], StringComparison.Ordinal);
        Assert.Contains("(\"tenant_id\", \"category\", \"stream_id\") WHERE " + SqliteStorage.OutboxHeldFilter, indexes["ix_es_outbox_held"], StringComparison.Ordinal);
        Assert.Contains("WHERE dead_lettered_at IS NOT NULL", indexes["ix_es_outbox_dead_letters"], StringComparison.Ordinal);
    }

    private static OutboxOptions Options(TimeProvider? clock = null) => new()
    {
        TimeProvider = clock ?? TimeProvider.System,
        Jitter = 0,
        InitialBackoff = TimeSpan.Zero,
    };

    private static NoteAdded Note(string text) => new(text, 1, DateTimeOffset.UnixEpoch);

    private static string Text(RecordedEvent e) => e.Event is NoteAdded n ? n.Text : e.EventName;

    private static Func<RecordedEvent, CancellationToken, ValueTask> Collect(List<RecordedEvent> into) => (e, _) =>
    {
        into.Add(e);
        return ValueTask.CompletedTask;
    };

    private sealed record Handover(int Runner, long Position, StreamId Stream, long Version, long Start, long End);
}
