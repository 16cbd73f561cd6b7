using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Exporters.Csv;
using Microsoft.Data.Sqlite;

namespace EventSourcery.Benchmarks.Store;

/// <summary>
/// Issue 9, scale: append throughput and single-stream read latency while the store holds <see cref="StoreSize"/>
/// events. Target: flat within 20% from 1,000 to 1,000,000 events. Compare rows of one method across sizes (the
/// "vs 1,000" column); there is no baseline method.
/// </summary>
/// <remarks>
/// The store is built by <see cref="StoreFixture"/> (raw inserts of the store's row format, streams of 10 events
/// interleaved 100 at a time). <see cref="AppendToNewStream"/> appends 10 events to a new stream; after every iteration
/// what it appended is deleted again, so the store stays at its size (64 appends per iteration add at most 640 events).
/// <see cref="ReadStream"/> reads a whole 10-event stream through <see cref="SqliteEventStore.ReadStreamAsync"/>, a
/// different one each time, taken from streams spread over the whole store, so that large stores are not read from a
/// few cached pages. Results also go to the CSV that <c>Scale/scale_chart.py</c> turns into docs/benchmarks-scale.svg.
/// </remarks>
[Config(typeof(ScaleConfig))]
[InvocationCount(64)]
[EventsPerOperation(StoreFixture.StreamLength)]
[SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet ends a benchmark's life with [GlobalCleanup], not Dispose.")]
public class ScaleBenchmarks
{
    private TempDirectory _directory = null!;
    private SqliteEventStore _store = null!;
    private SqliteConnection _trim = null!;
    private StreamId[] _streams = [];
    private Event[] _batch = [];
    private long _fixturePosition;
    private long _fixtureStreamKey;
    private int _next;

    [Params(1_000, 10_000, 100_000, 1_000_000)]
    public int StoreSize { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _directory = new TempDirectory("scale");
        var file = _directory.File("store.db");
        _streams = await StoreFixture.BuildAsync(file, StoreSize);
        _store = await SqliteEventStore.OpenAsync(SqliteFiles.ConnectionString(file));
        _trim = SqliteFiles.Open(file);
        _fixturePosition = SqliteFiles.Scalar(_trim, "SELECT MAX(position) FROM es_events;");
        _fixtureStreamKey = SqliteFiles.Scalar(_trim, "SELECT MAX(stream_key) FROM es_streams;");
        _batch = CartEvents.Create(StoreFixture.StreamLength, seed: 5);
        if (_fixturePosition != StoreSize)
        {
            throw new InvalidOperationException($"The fixture holds {_fixturePosition} events, not {StoreSize}.");
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _store.DisposeAsync();
        _trim.Dispose();
        _directory.Dispose();
    }

    [Benchmark]
    public async Task<long> AppendToNewStream()
        => (await _store.AppendAsync(StreamId.New(StoreFixture.Category), FreshIds.Renew(_batch), ExpectedVersion.NoStream)).StreamVersion;

    [IterationCleanup(Target = nameof(AppendToNewStream))]
    public void DeleteAppended()
    {
        using var transaction = _trim.BeginTransaction(deferred: false);
        SqliteFiles.Execute(_trim, $"DELETE FROM es_events WHERE position > {_fixturePosition}; DELETE FROM es_streams WHERE stream_key > {_fixtureStreamKey};", transaction);
        transaction.Commit();
    }

    [Benchmark]
    public async Task<int> ReadStream()
    {
        var id = _streams[_next++ % _streams.Length];
        var count = 0;
        await foreach (var recorded in _store.ReadStreamAsync(id))
        {
            count++;
        }

        return count == StoreFixture.StreamLength ? count : throw new InvalidOperationException($"Read {count} events of {id}.");
    }
}

/// <summary>The store benchmarks' configuration, making sure the CSV report (which the chart script reads) is written.</summary>
public class ScaleConfig : CommitBoundBenchmarkConfig
{
    public ScaleConfig()
    {
        AddExporter(CsvExporter.Default);
        AddColumn(new RelativeToSmallestColumn("StoreSize"));
    }
}
