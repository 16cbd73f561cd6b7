using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;

namespace EventSourcery.Benchmarks.Store;

/// <summary>
/// Issue 5, outbox: how fast <see cref="Outbox.RunOnceAsync"/> with a no-op publisher delivers published events,
/// against how fast <see cref="SqliteEventStore.PublishAsync"/> publishes them (the baseline: one event per publish, the
/// usual one command, one event). Target: delivery at least 0.5× the publish rate. Every benchmark handles 100 events
/// and counts one operation per event, so Mean is per event and Events/s is the rate.
/// </summary>
/// <remarks>
/// Same store settings (the defaults: WAL, <c>synchronous=FULL</c>) and the same 100 cart events everywhere, spread over
/// 10 streams. <see cref="Deliver"/> gets a fresh backlog of exactly those 100 published events before each iteration
/// (published 10 per stream, outside the measurement) and drains it with one <c>RunOnceAsync</c> (batch size 100,
/// the default); it fails unless all 100 are delivered. <see cref="DeliverCompletingGroupsOf10"/> does the same with
/// <see cref="OutboxOptions.CompletionBatchSize"/> = 10. <see cref="Publish10PerAppend"/> shows the publish rate when a
/// command emits 10 events. Each iteration is one invocation (the outbox must be refilled in between).
/// </remarks>
[Config(typeof(CommitBoundBenchmarkConfig))]
[InvocationCount(1)]
[EventsPerOperation(1)]
[SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet ends a benchmark's life with [GlobalCleanup], not Dispose.")]
public class OutboxBenchmarks
{
    private const int N = 100;
    private const int Streams = 10;

    private TempDirectory _directory = null!;
    private SqliteEventStore _store = null!;
    private Outbox _outbox = null!;
    private Outbox _groupedOutbox = null!;
    private Event[] _events = [];
    private StreamId[] _streams = [];
    private int _delivered;

    [GlobalSetup]
    public async Task Setup()
    {
        _directory = new TempDirectory("outbox");
        _store = await SqliteEventStore.OpenAsync(SqliteFiles.ConnectionString(_directory.File("store.db")));
        _events = CartEvents.Create(N, seed: 19);
        _streams = Enumerable.Range(0, Streams).Select(i => StreamId.FromName($"outbox-{i}", "cart")).ToArray();
        _outbox = new Outbox(_store, (_, _) =>
        {
            _delivered++;
            return ValueTask.CompletedTask;
        });
        _groupedOutbox = new Outbox(
            _store,
            (_, _) =>
            {
                _delivered++;
                return ValueTask.CompletedTask;
            },
            new OutboxOptions { CompletionBatchSize = 10 });
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _store.DisposeAsync();
        _directory.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = N)]
    public async Task<long> Publish1PerAppend()
    {
        FreshIds.Renew(_events); // ids are unique per store: every invocation publishes new events
        long position = 0;
        for (var i = 0; i < N; i++)
        {
            position = (await _store.PublishAsync(_streams[i % Streams], [_events[i]], ExpectedVersion.Any)).LastPosition;
        }

        return position;
    }

    [Benchmark(OperationsPerInvoke = N)]
    public async Task<long> Publish10PerAppend()
    {
        FreshIds.Renew(_events);
        long position = 0;
        for (var i = 0; i < N; i += 10)
        {
            position = (await _store.PublishAsync(_streams[(i / 10) % Streams], _events[i..(i + 10)], ExpectedVersion.Any)).LastPosition;
        }

        return position;
    }

    [IterationSetup(Targets = [nameof(Deliver), nameof(DeliverCompletingGroupsOf10)])]
    public void FillOutbox()
    {
        if (_outbox.GetPendingCountAsync().GetAwaiter().GetResult() != 0)
        {
            throw new InvalidOperationException("The outbox was not drained by the last iteration.");
        }

        FreshIds.Renew(_events);
        for (var s = 0; s < Streams; s++)
        {
            var events = Enumerable.Range(0, N).Where(i => i % Streams == s).Select(i => _events[i]).ToArray();
            _store.PublishAsync(_streams[s], events, ExpectedVersion.Any).AsTask().GetAwaiter().GetResult();
        }

        _delivered = 0;
    }

    [Benchmark(OperationsPerInvoke = N)]
    public Task<int> Deliver() => DeliverAsync(_outbox);

    /// <summary><see cref="Deliver"/> with <see cref="OutboxOptions.CompletionBatchSize"/> = 10: one commit per 10 deliveries.</summary>
    [Benchmark(OperationsPerInvoke = N)]
    public Task<int> DeliverCompletingGroupsOf10() => DeliverAsync(_groupedOutbox);

    private async Task<int> DeliverAsync(Outbox outbox)
    {
        var delivered = await outbox.RunOnceAsync();
        return delivered == N && _delivered == N ? delivered : throw new InvalidOperationException($"Delivered {delivered} of {N} events.");
    }
}
