using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using EventSourcery.PostgreSql.Tests;
using Npgsql;
using Xunit.Abstractions;

namespace EventSourcery.Reliability.Tests;

/// <summary>One PostgreSQL server for the reliability tests that need one (started and stopped by the fixture).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresReliability : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL reliability";
}

/// <summary>
/// The reliability suite on PostgreSQL: writer processes racing on one database, a writer killed mid-append, a
/// subscription that must see every event once and in order while writers hold their transactions open, the server
/// restarted under a running outbox, and a projection whose owner process is killed.
/// </summary>
[Collection(PostgresReliability.Name)]
public sealed class PostgreSqlReliabilityTests(PostgresServer server, ITestOutputHelper output) : IAsyncLifetime
{
    private const int LeaseMs = 1_500;
    private readonly List<PostgreSqlEventStore> _stores = [];
    private readonly string _schema = "rel_" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _logs = Path.Combine(Path.GetTempPath(), "eventsourcery-pg-rel-" + Guid.NewGuid().ToString("N"));

    private string ConnectionString => new NpgsqlConnectionStringBuilder(server.ConnectionString) { Pooling = true, MaxPoolSize = 20 }.ConnectionString;

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_logs);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        Directory.Delete(_logs, recursive: true);
    }

    [SkippableFact]
    [Trait(Traits.Category, Traits.Long)]
    public async Task Eight_writer_processes_on_one_database_lose_and_corrupt_nothing()
    {
        const int Processes = 8;
        var appends = Soak.Scale(150);
        var seed = Soak.Seed(3001);
        var store = await OpenAsync(); // the schema exists before the children start; they race on appends only
        var streams = Enumerable.Range(0, 4).Select(i => StreamId.FromName($"pg-{i}", "torture")).ToArray();

        var children = new List<WriterProcess>();
        try
        {
            for (var p = 0; p < Processes; p++)
            {
                children.Add(await WriterProcess.StartAsync(
                    "torture", "--pg", ConnectionString, "--schema", _schema, "--log", Log($"process-{p}"),
                    "--seed", Invariant(seed), "--appends", Invariant(appends), "--writers", "1", "--writer-base", Invariant(p),
                    "--streams", "pg", "--count", "4"));
            }

            foreach (var child in children)
            {
                await child.WaitForReadyAsync(TimeSpan.FromSeconds(60));
            }

            foreach (var child in children)
            {
                await child.SendLineAsync("go");
            }

            foreach (var child in children)
            {
                var exit = await child.WaitForExitAsync(TimeSpan.FromSeconds(Soak.Scale(180)));
                Assert.True(exit == 0, $"writer {child.Id} exited with {exit}: {child.StandardError}");
            }
        }
        finally
        {
            foreach (var child in children)
            {
                await child.DisposeAsync();
            }
        }

        var outcomes = Enumerable.Range(0, Processes).SelectMany(p => File.ReadAllLines(Log($"process-{p}"))).Select(AppendOutcome.Parse).ToList();
        Assert.Equal(Processes * appends, outcomes.Count);
        await TortureInvariants.AssertAsync(store, streams, outcomes, seed, OutboxEventIdsAsync);
        Assert.Contains(outcomes, o => o.Kind == OutcomeKind.Rejected);
        Assert.Contains(outcomes, o => o.Kind == OutcomeKind.Ack);
    }

    [SkippableFact]
    [Trait(Traits.Category, Traits.Long)]
    public async Task Killing_a_writer_mid_append_never_loses_an_acknowledged_batch_nor_leaves_a_torn_one()
    {
        var rounds = Soak.Scale(8);
        var seed = Soak.Seed(3002);
        var random = new Random(seed);
        var store = await OpenAsync();
        var acknowledged = new Dictionary<Guid, int>();
        var killedAfterABatch = 0;
        for (var run = 0; run < rounds; run++)
        {
            var log = Log($"acks-{run}");
            await using (var writer = await WriterProcess.StartAsync("crash", "--pg", ConnectionString, "--schema", _schema, "--log", log, "--run", Invariant(run), "--seed", Invariant(seed + run)))
            {
                await writer.WaitForReadyAsync(TimeSpan.FromSeconds(60));
                await Task.Delay(random.Next(100, 501));
                Assert.False(writer.HasExited, $"the writer of run {run} died by itself: {writer.StandardError}");
                await writer.KillAsync();
            }

            var acks = ReadAcknowledged(log);
            killedAfterABatch += acks.Count > 0 ? 1 : 0;
            foreach (var (batch, count) in acks)
            {
                acknowledged.Add(batch, count);
            }

            // The server rolls the killed connection's transaction back: every stored batch is whole, every acknowledged one stored.
            var all = await Read.AllAsync(store);
            var outboxIds = (await OutboxEventIdsAsync()).ToHashSet();
            var batches = all.GroupBy(e => ((CrashBatchWritten)e.Event).BatchId).ToDictionary(g => g.Key, g => g.ToList());
            foreach (var (batch, events) in batches)
            {
                var first = (CrashBatchWritten)events[0].Event;
                Assert.True(events.Count == first.Count, $"run {run} (seed {seed}): batch {batch} is torn, {events.Count} of {first.Count} events stored");
                Assert.Equal(Enumerable.Range(0, first.Count).Select(i => events[0].Version + i), events.Select(e => e.Version));
                Assert.True(!first.Published || events.All(e => outboxIds.Contains(e.Event.Id)), $"run {run}: published batch {batch} is not all in the outbox");
            }

            foreach (var (batch, count) in acknowledged)
            {
                Assert.True(batches.TryGetValue(batch, out var events) && events.Count == count, $"run {run} (seed {seed}): acknowledged batch {batch} is missing or short");
            }

            Assert.True(all.Zip(all.Skip(1)).All(p => p.Second.Position > p.First.Position), $"run {run}: positions not strictly increasing");
            foreach (var stream in all.GroupBy(e => e.StreamId))
            {
                Assert.Equal(Enumerable.Range(1, stream.Count()).Select(v => (long)v), stream.Select(e => e.Version));
            }
        }

        output.WriteLine($"seed {seed}: {rounds} kills, {acknowledged.Count} acknowledged batches");
        Assert.True(killedAfterABatch >= rounds / 2, $"only {killedAfterABatch} of {rounds} runs acknowledged a batch before the kill");
    }

    [SkippableFact]
    [Trait(Traits.Category, Traits.Long)]
    public async Task A_subscription_sees_every_event_once_in_position_order_while_8_writers_hold_their_transactions_open_at_random()
    {
        const int Writers = 8;
        var appends = Soak.Scale(40);
        var reader = await OpenAsync();
        var writers = new List<PostgreSqlEventStore>();
        for (var w = 0; w < Writers; w++)
        {
            var store = await OpenAsync();

            // Listeners run inside the append's transaction, after its inserts: a random pause there holds the
            // transaction open with its positions taken, which is what could let a later position commit first.
            var random = new Random(w);
            _ = store.Listeners.OnAny((_, ct) => new ValueTask(Task.Delay(random.Next(0, 15), ct)));
            writers.Add(store);
        }

        var seen = new List<RecordedEvent>();
        int SeenCount()
        {
            lock (seen)
            {
                return seen.Count;
            }
        }

        using var stop = new CancellationTokenSource();
        var subscription = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in reader.Subscribe().WithPollInterval(TimeSpan.FromMilliseconds(5)).ReadAsync(stop.Token))
                {
                    lock (seen)
                    {
                        seen.Add(e);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        });

        var acknowledged = new ConcurrentBag<Guid>();
        await Task.WhenAll(writers.Select((store, w) => Task.Run(async () =>
        {
            for (var i = 0; i < appends; i++)
            {
                var events = new Event[] { new OutboxItemPublished(w, i), new OutboxItemPublished(w, i) };
                await store.AppendAsync(StreamId.New("race"), events, ExpectedVersion.NoStream);
                foreach (var e in events)
                {
                    acknowledged.Add(e.Id);
                }
            }
        })));

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (SeenCount() < acknowledged.Count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        await stop.CancelAsync();
        await subscription;
        var stored = await Read.AllAsync(reader);
        Assert.Equal(Writers * appends * 2, stored.Count);
        Assert.Equal(stored.Select(e => e.Position), seen.Select(e => e.Position)); // every event, once, in position order
        Assert.Equal(acknowledged.Order(), seen.Select(e => e.Event.Id).Order());
    }

    [SkippableFact]
    [Trait(Traits.Category, Traits.Long)]
    public async Task An_outbox_run_recovers_by_itself_when_the_server_restarts_and_loses_nothing()
    {
        var store = await OpenAsync();
        var published = new List<Guid>();
        for (var i = 0; i < 100; i++)
        {
            var e = new OutboxItemPublished(i, 1);
            await store.PublishAsync(StreamId.New("restart"), [e], ExpectedVersion.NoStream);
            published.Add(e.Id);
        }

        var delivered = new ConcurrentQueue<Guid>();
        var errors = 0;
        var outbox = new Outbox(
            store,
            async (recorded, ct) =>
            {
                await Task.Delay(5, ct);
                delivered.Enqueue(recorded.Event.Id);
            },
            new OutboxOptions
            {
                BatchSize = 10,
                PollInterval = TimeSpan.FromMilliseconds(20),
                LeaseDuration = TimeSpan.FromSeconds(2),
                InitialBackoff = TimeSpan.FromMilliseconds(1),
                MaxBackoff = TimeSpan.FromMilliseconds(50),
                OnError = _ => Interlocked.Increment(ref errors),
            });
        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => outbox.RunAsync(stop.Token));
        while (delivered.Count < 30)
        {
            await Task.Delay(5);
        }

        await server.RestartAsync();
        for (var i = 0; i < 50; i++)
        {
            var e = new OutboxItemPublished(i, 2);
            await store.PublishAsync(StreamId.New("restart"), [e], ExpectedVersion.NoStream); // the pool reconnects
            published.Add(e.Id);
        }

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((delivered.Distinct().Count() < published.Count || await store.AsOutboxStore().CountOutboxAsync() > 0) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        await stop.CancelAsync();
        await run.ContinueWith(_ => { }, TaskScheduler.Default);
        output.WriteLine($"{delivered.Count} deliveries of {published.Count} events, {errors} failed passes during the restart");
        Assert.Equal(published.Order(), delivered.Distinct().Order()); // nothing lost
        Assert.Equal(0, await store.AsOutboxStore().CountOutboxAsync());
        Assert.True(delivered.Count - published.Count <= 20, $"{delivered.Count - published.Count} repeated deliveries: at most the batches interrupted by the restart");

        // This test's own raw connections (not the store's) would otherwise find dead ones in the pool.
        NpgsqlConnection.ClearAllPools();
    }

    [SkippableFact]
    [Trait(Traits.Category, Traits.Long)]
    public async Task A_projection_owner_killed_with_SIGKILL_is_taken_over_by_the_standby_within_its_lease()
    {
        var store = await OpenAsync();
        var appended = new List<long>();
        var ownerLog = Log("owner");
        var standbyLog = Log("standby");

        await using var owner = await StartProjectionAsync(ownerLog);
        await AppendAsync(store, appended, 50);
        await WaitUntilHandledAsync(ownerLog, appended[^1]);
        await using var standby = await StartProjectionAsync(standbyLog);
        await AppendAsync(store, appended, 50);
        await WaitUntilHandledAsync(ownerLog, appended[^1]);
        await Task.Delay(200);
        Assert.Empty(Positions(standbyLog)); // on standby while the owner lives

        await owner.KillAsync();
        var clock = Stopwatch.StartNew();
        await AppendAsync(store, appended, 50);
        await WaitUntilHandledAsync(standbyLog, appended[^1]);
        var takeover = clock.Elapsed;
        standby.CloseInput();
        Assert.Equal(0, await standby.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        var byOwner = Positions(ownerLog);
        var byStandby = Positions(standbyLog);
        Assert.Equal(appended, byOwner.Concat(byStandby).Distinct().Order()); // nothing skipped
        Assert.Equal(appended[..100], byOwner);
        output.WriteLine($"took over {takeover.TotalMilliseconds:0} ms after the kill (lease {LeaseMs} ms)");
        Assert.True(byStandby.Intersect(byOwner).Count() <= 10, "the standby repeated more than one batch");
        Assert.True(takeover < TimeSpan.FromMilliseconds(LeaseMs + 5_000), $"took over after {takeover.TotalMilliseconds:0} ms");
    }

    private async Task<PostgreSqlEventStore> OpenAsync()
    {
        server.SkipIfUnavailable();
        var store = await PostgreSqlEventStore.OpenAsync(ConnectionString, new PostgreSqlEventStoreOptions { Schema = _schema });
        _stores.Add(store);
        return store;
    }

    private async Task<List<Guid>> OutboxEventIdsAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT event_id FROM \"{_schema}\".es_outbox", connection);
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    private async Task<WriterProcess> StartProjectionAsync(string log)
    {
        var process = await WriterProcess.StartAsync("project", "--pg", ConnectionString, "--schema", _schema, "--log", log, "--lease-ms", Invariant(LeaseMs));
        await process.WaitForReadyAsync(TimeSpan.FromSeconds(60));
        return process;
    }

    private static async Task AppendAsync(IEventStore store, List<long> appended, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var result = await store.AppendAsync(StreamId.New("failover"), [new OutboxItemPublished(i, appended.Count + 1)], ExpectedVersion.NoStream);
            appended.Add(result.LastPosition);
        }
    }

    private static async Task WaitUntilHandledAsync(string log, long position)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!Positions(log).Contains(position))
        {
            Assert.True(DateTime.UtcNow < deadline, $"position {position} was not handled within 30 s; {log} holds {Positions(log).Count} positions");
            await Task.Delay(20);
        }
    }

    private static List<long> Positions(string log) => CompleteLines(log).Select(line => long.Parse(line, CultureInfo.InvariantCulture)).ToList();

    private static List<(Guid Batch, int Count)> ReadAcknowledged(string log)
        => CompleteLines(log).Select(line => line.Split(',')).Select(f => (Guid.Parse(f[0]), int.Parse(f[1], CultureInfo.InvariantCulture))).ToList();

    /// <summary>The complete lines of a side log (a line cut by a kill is not there yet).</summary>
    private static string[] CompleteLines(string log)
    {
        if (!File.Exists(log))
        {
            return [];
        }

        using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var text = new StreamReader(stream).ReadToEnd();
        return text[..(text.LastIndexOf('\n') + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private string Log(string name) => Path.Combine(_logs, name + ".log");

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}

internal static class OutboxStoreExtensions
{
    public static IOutboxStore AsOutboxStore(this IEventStore store) => (IOutboxStore)store;
}
