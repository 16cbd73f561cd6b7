using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;

namespace EventSourcery.Benchmarks.Store;

/// <summary>
/// Issue 6, catch-up: a no-op projection catching up from the start of a 100,000-event store with
/// <see cref="ProjectionRunner.RunOnceAsync"/>, against reading the same events with
/// <see cref="SqliteEventStore.ReadAllAsync"/> (the baseline). Target: the runner at least 0.8× the read's events per
/// second. One operation is one event (each benchmark handles all 100,000), so Mean is per event.
/// </summary>
/// <remarks>
/// The store is built by <see cref="StoreFixture"/>. Each runner invocation first forgets the checkpoint
/// (<see cref="ProjectionRunner.ResetAsync"/>, one small write) so that it handles every event again; every variant
/// fails unless it saw all 100,000 events. <see cref="Runner"/> uses the default options (batches of 100, checkpoint
/// saved once a second and at the end); <see cref="RunnerCheckpointPerBatch"/> saves it after every batch
/// (<see cref="ProjectionOptions.CheckpointInterval"/> = 0, how the runner worked before the interval existed).
/// </remarks>
[Config(typeof(StoreBenchmarkConfig))]
[EventsPerOperation(1)]
[SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet ends a benchmark's life with [GlobalCleanup], not Dispose.")]
public class CatchUpBenchmarks
{
    private const int N = 100_000;

    private TempDirectory _directory = null!;
    private SqliteEventStore _store = null!;
    private ProjectionRunner _runner = null!;
    private ProjectionRunner _runnerPerBatch = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _directory = new TempDirectory("catchup");
        var file = _directory.File("store.db");
        await StoreFixture.BuildAsync(file, N);
        _store = await SqliteEventStore.OpenAsync(SqliteFiles.ConnectionString(file));
        _runner = new ProjectionRunner(_store, new NoOpProjection("no-op"));
        _runnerPerBatch = new ProjectionRunner(_store, new NoOpProjection("no-op-per-batch"), new ProjectionOptions { CheckpointInterval = TimeSpan.Zero });
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _store.DisposeAsync();
        _directory.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = N)]
    public async Task<long> ReadAll()
    {
        long count = 0;
        await foreach (var recorded in _store.ReadAllAsync(0))
        {
            count++;
        }

        return count == N ? count : throw new InvalidOperationException($"Read {count} of {N} events.");
    }

    [Benchmark(OperationsPerInvoke = N)]
    public Task<int> Runner() => CatchUpAsync(_runner);

    [Benchmark(OperationsPerInvoke = N)]
    public Task<int> RunnerCheckpointPerBatch() => CatchUpAsync(_runnerPerBatch);

    private static async Task<int> CatchUpAsync(ProjectionRunner runner)
    {
        await runner.ResetAsync();
        var handled = await runner.RunOnceAsync();
        return handled == N ? handled : throw new InvalidOperationException($"Handled {handled} of {N} events.");
    }

    private sealed class NoOpProjection(string name) : IProjection
    {
        public string Name => name;

        public ValueTask HandleAsync(RecordedEvent recorded, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
