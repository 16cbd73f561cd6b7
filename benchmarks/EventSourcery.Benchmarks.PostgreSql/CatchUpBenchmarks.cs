using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;

namespace EventSourcery.Benchmarks.PostgreSql;

/// <summary>
/// Issue 14: a projection that does nothing catches up from the start over <see cref="Events"/> events. EventSourcery's
/// <see cref="ProjectionRunner"/> (read pages, deserialize, hand each event over, checkpoint per batch) against Marten's
/// async daemon rebuilding a no-op projection, and raw Npgsql paging through the same rows and deserializing them.
/// </summary>
[Config(typeof(PgBenchmarkConfig))]
[SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet ends a benchmark's life with [GlobalCleanup], not Dispose.")]
public class CatchUpBenchmarks
{
    private const int Events = 100_000;
    private Stores _stores = null!;
    private int _run;

    [GlobalSetup]
    public async Task Setup()
    {
        _stores = await Stores.CreateAsync("catchup", options => options.Projections.Add(new NoOpMartenProjection(), ProjectionLifecycle.Async));
        var raw = Guid.NewGuid();
        for (var batch = 0; batch < Events / 500; batch++)
        {
            var (ours, martens) = CartEvents.Create(500, seed: batch);
            await _stores.Raw.AppendAsync(raw, batch * 500, ours);
            await _stores.Ours.AppendAsync(StreamId.New("cart"), FreshIds.Renew(ours), ExpectedVersion.NoStream);
            await using var session = _stores.Marten.LightweightSession();
            session.Events.StartStream(Guid.NewGuid(), martens);
            await session.SaveChangesAsync();
        }

        await _stores.AnalyzeAsync();
    }

    [GlobalCleanup]
    public async Task Cleanup() => await _stores.DisposeAsync();

    [Benchmark(Baseline = true)]
    public Task<int> RawNpgsql() => _stores.Raw.ReadAllAsync();

    [Benchmark]
    public async Task<int> EventSourcery()
    {
        var runner = new ProjectionRunner(_stores.Ours, new NoOpProjection($"noop-{_run++}"), new ProjectionOptions { BatchSize = 500 });
        var handled = await runner.RunOnceAsync();
        return handled == Events ? handled : throw new InvalidOperationException($"handled {handled} of {Events}");
    }

    [Benchmark]
    public async Task Marten()
    {
        using var daemon = await _stores.Marten.BuildProjectionDaemonAsync();
        await daemon.RebuildProjectionAsync<NoOpMartenProjection>(CancellationToken.None);
    }

    private sealed class NoOpProjection(string name) : IProjection
    {
        public string Name => name;

        public ValueTask HandleAsync(RecordedEvent recorded, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}

/// <summary>Marten's no-op projection: receives every event and writes nothing.</summary>
public sealed class NoOpMartenProjection : Marten.Events.Projections.IProjection
{
    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation) => Task.CompletedTask;
}
