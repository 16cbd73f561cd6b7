using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;

namespace EventSourcery.Benchmarks.PostgreSql;

/// <summary>
/// Issue 14: eight concurrent writers on one database, each appending <see cref="Appends"/> batches of 10 events to
/// streams of its own (one durable commit each). One operation is the whole run of all eight; events/s is
/// 8 × <see cref="Appends"/> × 10 divided by its time. EventSourcery's appends take turns on the append lock (gap safety,
/// docs/postgresql.md); Marten's and raw Npgsql's run in parallel.
/// </summary>
[Config(typeof(PgBenchmarkConfig))]
[SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet ends a benchmark's life with [GlobalCleanup], not Dispose.")]
public class ConcurrentWriterBenchmarks
{
    private const int Writers = 8;
    private const int Appends = 10;
    private Stores _stores = null!;
    private Event[][] _ours = [];
    private object[][] _martens = [];

    [GlobalSetup]
    public async Task Setup()
    {
        _stores = await Stores.CreateAsync("writers");
        var batches = Enumerable.Range(0, Writers).Select(w => CartEvents.Create(10, seed: w)).ToArray();
        _ours = batches.Select(b => b.Ours).ToArray();
        _martens = batches.Select(b => b.Martens).ToArray();
    }

    [GlobalCleanup]
    public async Task Cleanup() => await _stores.DisposeAsync();

    [Benchmark(Baseline = true)]
    public Task RawNpgsql() => RunAsync(async w =>
    {
        var stream = Guid.NewGuid();
        for (var i = 0; i < Appends; i++)
        {
            await _stores.Raw.AppendAsync(stream, i * 10, FreshIds.Renew(_ours[w]));
        }
    });

    [Benchmark]
    public Task EventSourcery() => RunAsync(async w =>
    {
        var stream = StreamId.New("cart");
        for (var i = 0; i < Appends; i++)
        {
            await _stores.Ours.AppendAsync(stream, FreshIds.Renew(_ours[w]), i == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(i * 10));
        }
    });

    [Benchmark]
    public Task Marten() => RunAsync(async w =>
    {
        var stream = Guid.NewGuid();
        for (var i = 0; i < Appends; i++)
        {
            await using var session = _stores.Marten.LightweightSession();
            if (i == 0)
            {
                session.Events.StartStream(stream, _martens[w]);
            }
            else
            {
                session.Events.Append(stream, (i + 1) * 10, _martens[w]);
            }

            await session.SaveChangesAsync();
        }
    });

    /// <summary>The eight writers at once (each on a thread-pool task of its own; events of one writer are reused, with fresh ids).</summary>
    private static Task RunAsync(Func<int, Task> writer) => Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(() => writer(w))));
}
