using System.Globalization;
using Xunit.Abstractions;

namespace EventSourcery.Reliability.Tests;

/// <summary>
/// A child process appends batches in a loop and logs each batch only after its commit returned; the test kills it
/// with SIGKILL at a random moment, over and over on one file. After every kill the file passes
/// <c>PRAGMA integrity_check</c>, every logged (acknowledged) batch is there whole, and every batch in the store is
/// whole or absent.
/// </summary>
/// <remarks>
/// SIGKILL kills the process, not the machine: what the kernel has already accepted survives. This proves atomicity
/// and crash recovery of the process; durability across power loss rests on <c>synchronous=FULL</c> (see
/// docs/guarantees.md), which a test cannot pull the plug on.
/// </remarks>
[Collection(HeavyTests.Name)]
public sealed class CrashSafetyTests(ITestOutputHelper output)
{
    private static readonly int Rounds = Soak.Scale(30);

    [Fact]
    [Trait(Traits.Category, Traits.Long)]
    public async Task Killing_a_writer_mid_append_30_times_never_loses_an_acknowledged_batch_nor_leaves_a_torn_one()
    {
        var seed = Soak.Seed(2001);
        var random = new Random(seed);
        await using var dir = new TempDirectory();
        var acknowledged = new Dictionary<Guid, int>();
        var stats = new List<string>();
        var killsAfterFirstBatch = 0;
        var verifying = new System.Diagnostics.Stopwatch();
        var total = System.Diagnostics.Stopwatch.StartNew();

        async Task<WriterProcess?> Start(int run) => await WriterProcess.StartAsync(
            "crash",
            "--db", dir.DatabasePath,
            "--log", dir.File($"acks-{run}.log"),
            "--run", run.ToString(CultureInfo.InvariantCulture),
            "--seed", (seed + run).ToString(CultureInfo.InvariantCulture),
            "--warm", "true");

        // Each writer is started two rounds early: it warms up (JIT, EF Core) on an in-memory database while the ones
        // before it run and are checked, and touches the file only when let go.
        var upcoming = new Queue<Task<WriterProcess?>>([Start(0), Start(1)]);
        try
        {
            for (var run = 0; run < Rounds; run++)
            {
                var log = dir.File($"acks-{run}.log");
                await using (var writer = (await upcoming.Dequeue())!)
                {
                    await writer.GoAsync();
                    if (run + 2 < Rounds)
                    {
                        upcoming.Enqueue(Start(run + 2));
                    }

                    await Task.Delay(random.Next(50, 401));
                    Assert.False(writer.HasExited, $"the writer of run {run} died by itself: {writer.StandardError}");
                    await writer.KillAsync();
                }

                verifying.Start();

                // The file is sound (this raw connection also recovers the WAL the killed writer left behind)…
                var integrity = await dir.IntegrityCheckAsync();
                Assert.True(integrity == "ok", $"run {run} (seed {seed}): integrity_check says {integrity}");

                // …and the store holds every acknowledged batch whole, and no torn one.
                var acksThisRun = ReadAcknowledged(log);
                foreach (var (batch, count) in acksThisRun)
                {
                    acknowledged.Add(batch, count);
                }

                var unacknowledged = await AssertBatchesAsync(dir, acknowledged, run, seed);

                // The writer logs right after each commit, so at most the one batch it was logging when killed is
                // stored without an acknowledgement.
                Assert.True(unacknowledged.Count(b => b.Run == run) <= 1, $"run {run} (seed {seed}): {unacknowledged.Count(b => b.Run == run)} stored batches were never acknowledged");
                killsAfterFirstBatch += acksThisRun.Count > 0 ? 1 : 0;
                stats.Add(acksThisRun.Count.ToString(CultureInfo.InvariantCulture));
                verifying.Stop();
            }
        }
        finally
        {
            foreach (var unused in upcoming)
            {
                await (await unused)!.DisposeAsync();
            }
        }

        output.WriteLine($"seed {seed}: {Rounds} kills, {acknowledged.Count} acknowledged batches ({acknowledged.Values.Sum()} events), acks per run: {string.Join(' ', stats)}; {total.Elapsed.TotalSeconds:0.0} s in all, {verifying.Elapsed.TotalSeconds:0.0} s verifying; database {new FileInfo(dir.DatabasePath).Length / 1024} KB");

        // The kills really landed in the middle of the writing, not before it started.
        Assert.True(killsAfterFirstBatch >= Rounds / 2, $"only {killsAfterFirstBatch} of {Rounds} runs acknowledged a batch before the kill (acks per run: {string.Join(' ', stats)})");
    }

    /// <summary>Complete lines "batchId,k" of one run's side log (a line cut by the kill is not an acknowledgement).</summary>
    private static List<(Guid Batch, int Count)> ReadAcknowledged(string log)
    {
        if (!File.Exists(log))
        {
            return [];
        }

        var text = File.ReadAllText(log);
        var complete = text[..(text.LastIndexOf('\n') + 1)];
        return complete.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(','))
            .Select(f => (Guid.Parse(f[0]), int.Parse(f[1], CultureInfo.InvariantCulture)))
            .ToList();
    }

    /// <summary>
    /// Reopens the store and checks every batch: acknowledged ones present with all k events, every stored one whole
    /// (indexes 0..k-1 once each, contiguous versions in one stream), published ones with all k outbox rows. Returns the
    /// stored batches that were never acknowledged.
    /// </summary>
    private static async Task<List<(Guid Batch, int Run)>> AssertBatchesAsync(TempDirectory dir, Dictionary<Guid, int> acknowledged, int run, int seed)
    {
        List<RecordedEvent> all;
        await using (var store = await SqliteEventStore.OpenAsync(dir.ConnectionString))
        {
            all = await Read.AllAsync(store);
        }

        var outboxIds = (await dir.RowsAsync("SELECT event_id FROM es_outbox")).Select(r => Guid.Parse((string)r[0]!)).ToHashSet();
        var batches = all.GroupBy(e => ((CrashBatchWritten)e.Event).BatchId).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var (batch, events) in batches)
        {
            var first = (CrashBatchWritten)events[0].Event;
            var where = $"run {run} (seed {seed}), batch {batch} of run {first.Run}";
            Assert.True(events.Count == first.Count, $"{where}: torn, {events.Count} of {first.Count} events stored");
            Assert.Equal(Enumerable.Range(0, first.Count), events.Select(e => ((CrashBatchWritten)e.Event).Index));
            Assert.Single(events.Select(e => e.StreamId).Distinct());
            Assert.Equal(Enumerable.Range(0, first.Count).Select(i => events[0].Version + i), events.Select(e => e.Version));
            if (first.Published)
            {
                Assert.True(events.All(e => outboxIds.Contains(e.Event.Id)), $"{where}: published, but not all its events are in the outbox");
            }
        }

        Assert.True(all.Count(e => outboxIds.Contains(e.Event.Id)) == outboxIds.Count, $"run {run} (seed {seed}): outbox rows without their event");

        foreach (var (batch, count) in acknowledged)
        {
            Assert.True(batches.TryGetValue(batch, out var events), $"run {run} (seed {seed}): acknowledged batch {batch} is missing");
            Assert.Equal(count, events!.Count);
        }

        // Versions stay contiguous per stream and positions strictly increase, across all the crashes.
        foreach (var stream in all.GroupBy(e => e.StreamId))
        {
            Assert.Equal(Enumerable.Range(1, stream.Count()).Select(v => (long)v), stream.Select(e => e.Version));
        }

        Assert.True(all.Zip(all.Skip(1)).All(p => p.Second.Position > p.First.Position), $"run {run}: positions not strictly increasing");
        return batches.Where(b => !acknowledged.ContainsKey(b.Key)).Select(b => (b.Key, ((CrashBatchWritten)b.Value[0].Event).Run)).ToList();
    }
}
