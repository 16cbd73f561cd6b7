using System.Globalization;
using System.Text;
using EventSourcery;
using EventSourcery.Reliability;

// The child process of tests/EventSourcery.Reliability.Tests. Usage: Writer <mode> --name value …
//
//   torture --db F --log L --seed N --appends N --writers N --writer-base N --streams PREFIX --count N [--shared true]
//       N writers (each with its own store instance on F, or one shared) run TortureWriter against the streams
//       StreamId.FromName($"{PREFIX}-{i}", "torture"), i < count, and log every outcome to L. It prints "ready" when its
//       stores are open and starts when a line arrives on stdin, so several processes start together.
//   crash --db F --log L --run N --seed N
//       Appends batches of 1–5 CrashBatchWritten events forever; after each commit it appends "batchId,k" to L and
//       flushes it to disk. The test kills it with SIGKILL.
//   outbox --db F --log L --seed N --fail-rate P --lease-ms N
//       Runs the outbox on F; the publisher fails with probability P, otherwise appends "stream,version,position,id"
//       to L and flushes it to disk. Runs until stdin closes, or until killed.
//   project --db F --log L --lease-ms N
//       Runs the projection "failover" with ProjectionRunner.RunAsync on F (single owner, lease N ms, polling every
//       20 ms); its handler appends "position" to L and flushes it to disk. Runs until stdin closes, or until killed.
//
// Every mode takes --pg CONNECTION --schema S instead of --db F to run on PostgreSQL.
// With --warm true, any mode first warms up on an in-memory database, prints "warm" and waits for a line on stdin.
// Every mode prints "ready" once its store is open. Exit code 0 on success, 2 on a usage error, 3 when a torture
// writer saw an exception other than ConcurrencyException.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: Writer torture|crash|outbox|project --name value …");
    return 2;
}

var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 1; i + 1 < args.Length; i += 2)
{
    options[args[i].TrimStart('-')] = args[i + 1];
}

string Option(string name) => options.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is missing.");
int IntOption(string name) => int.Parse(Option(name), CultureInfo.InvariantCulture);
// --pg CONNECTION --schema S runs any mode on a PostgreSQL store (tables in schema S) instead of the SQLite file of --db.
var postgres = options.TryGetValue("pg", out var pg) ? pg : null;

async Task<RelationalEventStore> OpenStoreAsync()
    => postgres is null
        ? await SqliteEventStore.OpenAsync($"Data Source={Option("db")};Pooling=False")
        : await PostgreSqlEventStore.OpenAsync(postgres, new PostgreSqlEventStoreOptions { Schema = Option("schema") });

if (options.TryGetValue("warm", out var warm) && bool.Parse(warm))
{
    await WarmUpAsync();
}

switch (args[0])
{
    case "torture":
        return await TortureAsync();
    case "crash":
        return await CrashAsync();
    case "outbox":
        return await OutboxAsync();
    case "project":
        return await ProjectAsync();
    default:
        Console.Error.WriteLine($"unknown mode {args[0]}");
        return 2;
}

// Pays the start-up costs (JIT, EF Core's model, SQLite's native library) on an in-memory database, says "warm" and
// waits for a line on stdin: the test starts the next process early and lets it go only when the file is its turn.
async Task WarmUpAsync()
{
    await using (var scratch = await SqliteEventStore.OpenAsync("Data Source=:memory:"))
    {
        var id = StreamId.FromName("warm-up", "crash");
        await scratch.AppendAsync(id, [new CrashBatchWritten(Guid.NewGuid(), 0, 1, -1, false, "")], ExpectedVersion.NoStream);
        await scratch.PublishAsync(id, [new OutboxItemPublished(0, 1)], ExpectedVersion.Exactly(1));
        await new Outbox(scratch, (_, _) => ValueTask.CompletedTask).RunOnceAsync();
        await foreach (var _ in scratch.ReadStreamAsync(id))
        {
        }
    }

    Console.Out.WriteLine("warm");
    Console.Out.Flush();
    if (Console.In.ReadLine() is null)
    {
        Environment.Exit(0); // the test went away without letting it go
    }
}

async Task<int> TortureAsync()
{
    var writers = IntOption("writers");
    var writerBase = IntOption("writer-base");
    var shared = options.TryGetValue("shared", out var s) && bool.Parse(s);
    var prefix = Option("streams");
    var streams = Enumerable.Range(0, IntOption("count")).Select(i => StreamId.FromName($"{prefix}-{i}", "torture")).ToArray();
    var stores = new List<RelationalEventStore>();
    for (var i = 0; i < (shared ? 1 : writers); i++)
    {
        stores.Add(await OpenStoreAsync());
    }

    Console.Out.WriteLine("ready");
    Console.Out.Flush();
    _ = Console.In.ReadLine(); // "go"

    var failed = 0;
    await using var log = new StreamWriter(Option("log"), append: false, Encoding.UTF8);
    var gate = new object();
    await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(() => TortureWriter.RunAsync(
        stores[shared ? 0 : w],
        writerBase + w,
        streams,
        IntOption("appends"),
        IntOption("seed"),
        outcome =>
        {
            lock (gate)
            {
                log.WriteLine(outcome.ToLine());
                failed += outcome.Kind == OutcomeKind.Failed ? 1 : 0;
            }
        }))));

    foreach (var store in stores)
    {
        await store.DisposeAsync();
    }

    return failed == 0 ? 0 : 3;
}

async Task<int> CrashAsync()
{
    var run = IntOption("run");
    var random = new Random(IntOption("seed"));
    var streams = Enumerable.Range(0, 6).Select(i => StreamId.FromName($"crash-{i}", "crash")).ToArray();
    await using var store = await OpenStoreAsync();
    using var log = new FileStream(Option("log"), FileMode.Append, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1);
    Console.Out.WriteLine("ready");
    Console.Out.Flush();

    while (true)
    {
        var batchId = Guid.NewGuid();
        var count = random.Next(1, 6);
        var published = random.Next(3) == 0;
        var events = new Event[count];
        for (var i = 0; i < count; i++)
        {
            // A few KB per event, so a batch spans several database pages and a kill can land in the middle of it.
            events[i] = new CrashBatchWritten(batchId, i, count, run, published, new string((char)('a' + random.Next(26)), random.Next(0, 2000)));
        }

        var stream = streams[random.Next(streams.Length)];
        _ = published
            ? await store.PublishAsync(stream, events, ExpectedVersion.Any)
            : await store.AppendAsync(stream, events, ExpectedVersion.Any);

        // Acknowledged: only now does the batch go into the side log, flushed to disk before the next batch starts.
        log.Write(Encoding.UTF8.GetBytes($"{batchId:N},{count.ToString(CultureInfo.InvariantCulture)}\n"));
        log.Flush(flushToDisk: true);
    }
}

async Task<int> OutboxAsync()
{
    var random = new Random(IntOption("seed"));
    var failRate = double.Parse(Option("fail-rate"), CultureInfo.InvariantCulture);
    await using var store = await OpenStoreAsync();
    using var log = new FileStream(Option("log"), FileMode.Append, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1);
    var outbox = new Outbox(
        store,
        (e, ct) =>
        {
            if (random.NextDouble() < failRate)
            {
                throw new IOException("simulated publisher failure");
            }

            log.Write(Encoding.UTF8.GetBytes(FormattableString.Invariant($"{e.StreamId.Value:N},{e.Version},{e.Position},{e.Event.Id:N}\n")));
            log.Flush(flushToDisk: true);
            return ValueTask.CompletedTask;
        },
        new OutboxOptions
        {
            BatchSize = 10,
            MaxAttempts = 1000,
            InitialBackoff = TimeSpan.FromMilliseconds(1),
            MaxBackoff = TimeSpan.FromMilliseconds(20),
            PollInterval = TimeSpan.FromMilliseconds(20),
            LeaseDuration = TimeSpan.FromMilliseconds(IntOption("lease-ms")),
            OnError = ex => Console.Error.WriteLine($"outbox pass failed: {ex}"),
        });

    Console.Out.WriteLine("ready");
    Console.Out.Flush();
    using var stop = new CancellationTokenSource();
    _ = Task.Run(() =>
    {
        _ = Console.In.ReadToEnd(); // stdin closed: stop
        stop.Cancel();
    });
    await outbox.RunAsync(stop.Token);
    return 0;
}

async Task<int> ProjectAsync()
{
    await using var store = await OpenStoreAsync();
    using var log = new FileStream(Option("log"), FileMode.Append, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1);
    var runner = new ProjectionRunner(
        store,
        new LoggingProjection("failover", log),
        new ProjectionOptions
        {
            BatchSize = 10,
            PollInterval = TimeSpan.FromMilliseconds(20),
            LeaseDuration = TimeSpan.FromMilliseconds(IntOption("lease-ms")),
            CheckpointInterval = TimeSpan.Zero,
            OnError = ex => Console.Error.WriteLine($"projection pass failed: {ex}"),
        });

    Console.Out.WriteLine("ready");
    Console.Out.Flush();
    using var stop = new CancellationTokenSource();
    _ = Task.Run(() =>
    {
        _ = Console.In.ReadToEnd(); // stdin closed: stop
        stop.Cancel();
    });
    await runner.RunAsync(stop.Token);
    return 0;
}

/// <summary>Appends the position of every event it handles to the log, flushed to disk, so a kill loses none of them.</summary>
internal sealed class LoggingProjection(string name, FileStream log) : IProjection
{
    public string Name => name;

    public ValueTask HandleAsync(RecordedEvent recorded, CancellationToken cancellationToken)
    {
        log.Write(Encoding.UTF8.GetBytes(FormattableString.Invariant($"{recorded.Position}\n")));
        log.Flush(flushToDisk: true);
        return ValueTask.CompletedTask;
    }
}
