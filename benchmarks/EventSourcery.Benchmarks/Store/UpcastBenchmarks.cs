using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using EventSourcery.Serialization;

namespace EventSourcery.Benchmarks.Store;

/// <summary>
/// Issue 15: reading <see cref="EventCount"/> events stored at version 1 of <see cref="ItemPriced"/> through its
/// two-step chain of typed upcasters (v1 → v2 → v3) against reading as many events stored at the current version (the
/// baseline), both with <see cref="IEventStore.ReadStreamAsync"/> from one SQLite file. Target: at most 1.3× the time.
/// </summary>
/// <remarks>
/// The v1 rows are written by a store whose registry stores <see cref="ItemPricedAsStoredV1"/> under the name and
/// version v1 had, as an older build of the application would have. Setup fails unless both reads give
/// <see cref="EventCount"/> current events with the same prices.
/// </remarks>
[Config(typeof(StoreBenchmarkConfig))]
[SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet ends a benchmark's life with [GlobalCleanup], not Dispose.")]
public class UpcastBenchmarks
{
    private TempDirectory _directory = null!;
    private SqliteEventStore _store = null!;
    private readonly StreamId _old = StreamId.FromName("stored-at-v1", "prices");
    private readonly StreamId _current = StreamId.FromName("stored-at-v3", "prices");

    [Params(10_000)]
    public int EventCount { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _directory = new TempDirectory("upcast");
        var connectionString = SqliteFiles.ConnectionString(_directory.File("store.db"));
        var asStored = EventRegistry.Default.GetByType(typeof(ItemPricedAsStoredV1));
        var oldBuild = new EventRegistry([new EventType(typeof(ItemPricedAsStoredV1), "item_priced", 1, asStored.WritePayload, static (ref Utf8JsonReader _, in EventHeader _) => throw new NotSupportedException("The old build only writes here."))]);
        await using (var old = await SqliteEventStore.OpenAsync(connectionString, new SqliteEventStoreOptions { Registry = oldBuild }))
        {
            await AppendAsync(old, _old, i => new ItemPricedAsStoredV1($"sku-{i}", i));
        }

        _store = await SqliteEventStore.OpenAsync(connectionString);
        await AppendAsync(_store, _current, i => new ItemPriced($"sku-{i}", i, "EUR", 1));

        var (upcast, current) = (await Upcast(), await Current());
        if (upcast != current || current != (decimal)EventCount * (EventCount - 1) / 2)
        {
            throw new InvalidOperationException($"The reads disagree: {upcast} through the upcasters, {current} as stored.");
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _store.DisposeAsync();
        _directory.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<decimal> Current() => SumAsync(_current);

    [Benchmark]
    public Task<decimal> Upcast() => SumAsync(_old);

    private async Task<decimal> SumAsync(StreamId stream)
    {
        decimal total = 0;
        await foreach (var recorded in _store.ReadStreamAsync(stream))
        {
            var priced = (ItemPriced)recorded.Event;
            total += priced.Price * priced.Quantity;
        }

        return total;
    }

    private async Task AppendAsync(SqliteEventStore store, StreamId stream, Func<int, Event> create)
    {
        for (var written = 0; written < EventCount; written += 1_000)
        {
            var chunk = Enumerable.Range(written, Math.Min(1_000, EventCount - written)).Select(create).ToArray();
            await store.AppendAsync(stream, chunk, written == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(written));
        }
    }
}

/// <summary>A price, in its current shape (v3): a currency since v2, a quantity since v3.</summary>
[EventName("item_priced", Version = 3)]
public sealed record ItemPriced(string Sku, decimal Price, string Currency, int Quantity) : Event;

/// <summary>The v1 shape, kept to read events stored at v1.</summary>
[EventName("item_priced", Version = 1)]
public sealed record ItemPricedV1(string Sku, decimal Price);

/// <summary>The v2 shape.</summary>
[EventName("item_priced", Version = 2)]
public sealed record ItemPricedV2(string Sku, decimal Price, string Currency);

/// <summary>What the first build stored as "item_priced" v1 (written here through a registry of its own).</summary>
public sealed record ItemPricedAsStoredV1(string Sku, decimal Price) : Event;

/// <summary>The chain: v1 → v2 → v3.</summary>
public static class ItemPricedUpcasts
{
    [Upcaster]
    public static ItemPricedV2 AddCurrency(ItemPricedV1 old) => new(old.Sku, old.Price, "EUR");

    [Upcaster]
    public static ItemPriced AddQuantity(ItemPricedV2 old) => new(old.Sku, old.Price, old.Currency, 1);
}
