using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;

namespace EventSourcery.Benchmarks.Store;

/// <summary>
/// Issue 7, snapshots: loading a 10,000-event snapshotable aggregate (<see cref="Tally"/>) through a repository with
/// <see cref="RepositoryOptions.SnapshotEvery"/> = 100, against a full replay of the same stream in the same store (a
/// repository without snapshots, the baseline). Target: at most 5% of the full replay's time.
/// </summary>
/// <remarks>
/// Two streams with the same 10,000 events (moves, and a reset about every 40) are written through the snapshotting
/// repository in the same store: the head stream in saves of 100 events, so its snapshot is at version 10,000 and a
/// load reads only the snapshot and the event it was taken at (the best case); the tail stream in saves that leave
/// its snapshot at version 9,901, then 99 events appended directly, so a load also replays 99 events (the worst
/// case the repository leaves with SnapshotEvery = 100). Setup fails unless all loads end in the same state and the
/// snapshots are where they should be.
/// </remarks>
[Config(typeof(StoreBenchmarkConfig))]
[SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet ends a benchmark's life with [GlobalCleanup], not Dispose.")]
public class SnapshotBenchmarks
{
    private const int EventCount = 10_000;

    private TempDirectory _directory = null!;
    private SqliteEventStore _store = null!;
    private Repository<Tally> _replaying = null!;
    private Repository<Tally> _snapshotting = null!;
    private readonly StreamId _head = StreamId.FromName("snapshot-at-head", "tally");
    private readonly StreamId _tail = StreamId.FromName("snapshot-99-behind", "tally");

    [GlobalSetup]
    public async Task Setup()
    {
        _directory = new TempDirectory("snapshots");
        _store = await SqliteEventStore.OpenAsync(SqliteFiles.ConnectionString(_directory.File("store.db")));
        _replaying = new Repository<Tally>(_store);
        _snapshotting = new Repository<Tally>(_store, new RepositoryOptions { SnapshotEvery = 100 });

        // The same commands for both streams: a move of a pseudo-random size, and a reset about every 40 events.
        var random = new Random(23);
        var commands = Enumerable.Range(0, EventCount).Select(_ => random.Next(40) == 0 ? 0 : random.Next(-50, 100)).ToArray();
        void Run(Tally tally, int from, int count)
        {
            foreach (var by in commands.AsSpan(from, count))
            {
                if (by == 0)
                {
                    tally.Reset();
                }
                else
                {
                    tally.Move(by);
                }
            }
        }

        await _snapshotting.NewAsync(_head, t => Run(t, 0, 100));
        for (var done = 100; done < EventCount; done += 100)
        {
            var from = done;
            await _snapshotting.UpdateAsync(_head, t => Run(t, from, 100));
        }

        // 9,800 in saves of 100, then one save of 101 (crossing 9,900: snapshot at 9,901), then 99 events appended
        // without the repository, so no save crosses 10,000.
        await _snapshotting.NewAsync(_tail, t => Run(t, 0, 100));
        for (var done = 100; done < 9_800; done += 100)
        {
            var from = done;
            await _snapshotting.UpdateAsync(_tail, t => Run(t, from, 100));
        }

        await _snapshotting.UpdateAsync(_tail, t => Run(t, 9_800, 101));
        var tail = await _replaying.LoadAsync(_tail) ?? throw new InvalidOperationException("The tail stream is missing.");
        Run(tail, 9_901, 99);
        await _store.AppendAsync(_tail, tail.Changes.ToArray(), ExpectedVersion.Exactly(9_901));

        var headSnapshot = await _store.LoadSnapshotAsync(_head);
        var tailSnapshot = await _store.LoadSnapshotAsync(_tail);
        if (headSnapshot?.Version != EventCount || tailSnapshot?.Version != 9_901)
        {
            throw new InvalidOperationException($"The snapshots are at {headSnapshot?.Version} and {tailSnapshot?.Version}, not {EventCount} and 9901.");
        }

        var expected = (await FullReplay()).Describe();
        var states = new[] { await SnapshotAtHead(), await SnapshotWithTail99(), await _replaying.LoadAsync(_tail) };
        if (states.Any(s => s?.Describe() != expected) || !expected.StartsWith($"{EventCount}:", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The loads disagree:\n{expected}\n{string.Join("\n", states.Select(s => s?.Describe()))}");
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _store.DisposeAsync();
        _directory.Dispose();
    }

    [Benchmark(Baseline = true)]
    public async Task<Tally> FullReplay() => await _replaying.LoadAsync(_head) ?? throw new InvalidOperationException("The stream is missing.");

    [Benchmark]
    public async Task<Tally> SnapshotAtHead() => await _snapshotting.LoadAsync(_head) ?? throw new InvalidOperationException("The stream is missing.");

    [Benchmark]
    public async Task<Tally> SnapshotWithTail99() => await _snapshotting.LoadAsync(_tail) ?? throw new InvalidOperationException("The stream is missing.");
}
