using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;

namespace EventSourcery.Benchmarks.Store;

/// <summary>
/// Issue 9, load: <see cref="Repository{TAggregate}.LoadAsync"/> of a cart with <see cref="EventCount"/> events, against a
/// hand-written load of the same rows (the baseline, <see cref="RawSqliteLoader"/>: one prepared query and a
/// <c>SqliteDataReader</c>, the same generated deserialization through <see cref="Serialization.EventSerializer"/>, and
/// direct Apply calls). One operation is one load; Events/s and Alloc/event divide by the event count.
/// </summary>
/// <remarks>
/// Both read one database file (the store's connection and the baseline's own, with the same pragmas); the stream was
/// written by the store in appends of up to 1,000 events. Setup fails unless both loads end in the same state.
/// </remarks>
[Config(typeof(StoreBenchmarkConfig))]
[SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet ends a benchmark's life with [GlobalCleanup], not Dispose.")]
public class LoadBenchmarks
{
    private TempDirectory _directory = null!;
    private SqliteEventStore _store = null!;
    private Repository<Cart> _repository = null!;
    private RawSqliteLoader _raw = null!;
    private readonly StreamId _cart = StreamId.FromName("cart-to-load", "cart");

    [Params(10, 1_000, 10_000)]
    public int EventCount { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _directory = new TempDirectory("load");
        var file = _directory.File("store.db");
        _store = await SqliteEventStore.OpenAsync(SqliteFiles.ConnectionString(file));
        var events = CartEvents.Create(EventCount, seed: 11);
        for (var written = 0; written < EventCount; written += 1_000)
        {
            var chunk = events[written..Math.Min(EventCount, written + 1_000)];
            await _store.AppendAsync(_cart, chunk, written == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(written));
        }

        _repository = new Repository<Cart>(_store);
        _raw = new RawSqliteLoader(file);

        var loaded = await Repository();
        var baseline = RawSqlite();
        if (loaded.Version != EventCount || loaded.Checksum != baseline.Checksum)
        {
            throw new InvalidOperationException($"The loads disagree: repository {loaded.Version} / {loaded.Checksum}, baseline {baseline.Checksum}.");
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _store.DisposeAsync();
        _raw.Dispose();
        _directory.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Cart RawSqlite() => _raw.LoadCart(_cart) ?? throw new InvalidOperationException("The cart is missing.");

    [Benchmark]
    public async Task<Cart> Repository() => await _repository.LoadAsync(_cart) ?? throw new InvalidOperationException("The cart is missing.");
}
