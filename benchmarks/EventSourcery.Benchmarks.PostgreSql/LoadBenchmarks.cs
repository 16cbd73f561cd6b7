using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;

namespace EventSourcery.Benchmarks.PostgreSql;

/// <summary>
/// Issue 14: load a 1,000-event aggregate. EventSourcery's repository (read, deserialize with the generated codecs,
/// apply through the generated dispatch) against Marten's live aggregation (<c>AggregateStreamAsync</c>) and against raw
/// Npgsql reading the same rows and deserializing them with the same codecs (no aggregate).
/// </summary>
[Config(typeof(PgBenchmarkConfig))]
[SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet ends a benchmark's life with [GlobalCleanup], not Dispose.")]
public class LoadBenchmarks
{
    private const int Events = 1_000;
    private Stores _stores = null!;
    private readonly Guid _raw = Guid.NewGuid();
    private readonly StreamId _ours = StreamId.New("cart");
    private readonly Guid _marten = Guid.NewGuid();
    private Repository<Cart> _repository = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _stores = await Stores.CreateAsync("load");
        _repository = new Repository<Cart>(_stores.Ours);
        for (var batch = 0; batch < Events / 100; batch++)
        {
            var (ours, martens) = CartEvents.Create(100, seed: batch);
            await _stores.Raw.AppendAsync(_raw, batch * 100, ours);
            await _stores.Ours.AppendAsync(_ours, FreshIds.Renew(ours), batch == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(batch * 100));
            await using var session = _stores.Marten.LightweightSession();
            session.Events.Append(_marten, martens);
            await session.SaveChangesAsync();
        }

        await _stores.AnalyzeAsync();

        // Both sides fold the same events to the same state.
        var ourCart = await _repository.LoadAsync(_ours) ?? throw new InvalidOperationException("no cart");
        await using var query = _stores.Marten.QuerySession();
        var martenCart = await query.Events.AggregateStreamAsync<MartenCart>(_marten) ?? throw new InvalidOperationException("no Marten cart");
        if (ourCart.Version != Events || ourCart.Checksum != martenCart.Checksum || await _stores.Raw.LoadAsync(_raw) != Events)
        {
            throw new InvalidOperationException($"the sides differ: version {ourCart.Version}, checksums {ourCart.Checksum} and {martenCart.Checksum}");
        }
    }

    [GlobalCleanup]
    public async Task Cleanup() => await _stores.DisposeAsync();

    [Benchmark(Baseline = true)]
    public Task<int> RawNpgsql() => _stores.Raw.LoadAsync(_raw);

    [Benchmark]
    public async Task<long> EventSourcery() => (await _repository.LoadAsync(_ours))!.Version;

    [Benchmark]
    public async Task<decimal> Marten()
    {
        await using var session = _stores.Marten.QuerySession();
        return (await session.Events.AggregateStreamAsync<MartenCart>(_marten))!.Checksum;
    }
}
