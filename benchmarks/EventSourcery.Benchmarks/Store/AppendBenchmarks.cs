using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;

namespace EventSourcery.Benchmarks.Store;

/// <summary>Whether an append creates its stream or extends one.</summary>
public enum StreamKind
{
    /// <summary>Every append creates a new stream (<see cref="ExpectedVersion.NoStream"/>).</summary>
    New,

    /// <summary>Every append extends the same stream (<see cref="ExpectedVersion.Exactly"/> its current version).</summary>
    Existing,
}

/// <summary>
/// Issue 9, append: one append of <see cref="BatchSize"/> events through <see cref="SqliteEventStore.AppendAsync"/>, against
/// the same statements on raw Microsoft.Data.Sqlite (the baseline, <see cref="RawSqliteAppender"/>) and against a naive
/// EF Core peer (<see cref="NaiveEfCoreStore"/>). One operation is one append (one durable commit); the Events/s and
/// Alloc/event columns divide by the batch size.
/// </summary>
/// <remarks>
/// Each variant writes its own database file in the benchmark's temporary directory, with the store's pragmas (WAL,
/// <c>synchronous=FULL</c>, busy timeout 5 s), so every variant pays the same fsync per commit. The events are built once
/// and appended again and again, each time with new ids (<see cref="FreshIds"/>: ids are unique per store, and the raw
/// baseline's table has the same unique index as the store's), so no variant pays for creating them; each variant
/// serializes them with the same <see cref="Serialization.EventSerializer"/>. Setup appends one batch to a named stream
/// through each variant and fails unless the store and the baseline wrote identical rows (all columns but position and
/// recording time) and the EF peer the same values.
/// </remarks>
[Config(typeof(CommitBoundBenchmarkConfig))]
[SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet ends a benchmark's life with [GlobalCleanup], not Dispose.")]
public class AppendBenchmarks
{
    private TempDirectory _directory = null!;
    private SqliteEventStore _store = null!;
    private RawSqliteAppender _raw = null!;
    private NaiveEfCoreStore _ef = null!;
    private Event[] _events = [];
    private readonly StreamId _existing = StreamId.FromName("existing", "cart");
    private long _storeVersion;
    private long _rawVersion;
    private long _efVersion;

    [Params(1, 10, 100)]
    public int BatchSize { get; set; }

    [Params(StreamKind.New, StreamKind.Existing)]
    public StreamKind Stream { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _directory = new TempDirectory("append");
        var storeFile = _directory.File("store.db");
        var rawFile = _directory.File("raw.db");
        _store = await SqliteEventStore.OpenAsync(SqliteFiles.ConnectionString(storeFile));
        await SqliteFiles.CreateSchemaAsync(rawFile);
        _raw = new RawSqliteAppender(rawFile);
        _ef = new NaiveEfCoreStore(_directory.File("ef.db"));
        _events = CartEvents.Create(BatchSize, seed: 7);

        // The same work: one batch to the same named stream through each variant, twice (creating it, then extending it).
        var check = StreamId.FromName("same-work-check", "cart");
        Event[][] checkBatches = [CartEvents.Create(BatchSize, seed: 7), CartEvents.Create(BatchSize, seed: 7)]; // equal, but their own ids
        for (var expected = 0; expected <= BatchSize; expected += BatchSize)
        {
            var version = expected == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(expected);
            var batch = checkBatches[expected / BatchSize];
            await _store.AppendAsync(check, batch, version);
            _raw.Append(check, batch, version);
            await _ef.AppendAsync(check, batch, version);
        }

        using (var storeConnection = SqliteFiles.Open(storeFile))
        using (var rawConnection = SqliteFiles.Open(rawFile))
        {
            var storeRows = SqliteFiles.DescribeStream(storeConnection, check);
            var rawRows = SqliteFiles.DescribeStream(rawConnection, check);
            if (storeRows.Count != 2 * BatchSize || !storeRows.SequenceEqual(rawRows))
            {
                throw new InvalidOperationException($"The store and the raw baseline wrote different rows:\n{string.Join("\n", storeRows)}\n---\n{string.Join("\n", rawRows)}");
            }

            // The EF peer keeps its own table: compare the values (version, id, name, schema version, JSON, metadata, creation time).
            var efRows = _ef.DescribeStream(check);
            var expectedEf = storeRows.Select(r => r.Split(" | ")).Select(c => $"{c[2]} | {Guid.Parse(c[3])} | {c[4]} | {c[5]} | {c[6]} | {c[7]} | {SqliteFiles.ParseTime(c[8]):O}");
            if (!efRows.SequenceEqual(expectedEf))
            {
                throw new InvalidOperationException($"The EF Core peer wrote different values:\n{string.Join("\n", efRows)}");
            }
        }

        await using (var reader = await SqliteEventStore.OpenAsync(SqliteFiles.ConnectionString(rawFile)))
        {
            // The baseline's rows read back through the store as the events that were appended.
            var readBack = await reader.ReadStreamAsync(check).Select(r => r.Event).ToListAsync();
            if (!readBack.SequenceEqual(checkBatches[0].Concat(checkBatches[1])))
            {
                throw new InvalidOperationException("The store does not read the baseline's rows back as the appended events.");
            }
        }

        if (Stream == StreamKind.Existing)
        {
            _storeVersion = (await _store.AppendAsync(_existing, _events, ExpectedVersion.NoStream)).StreamVersion;
            _rawVersion = _raw.Append(_existing, _events, ExpectedVersion.NoStream);
            _efVersion = await _ef.AppendAsync(_existing, _events, ExpectedVersion.NoStream);
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _store.DisposeAsync();
        _raw.Dispose();
        _ef.Dispose();
        _directory.Dispose();
    }

    [Benchmark(Baseline = true)]
    public long RawSqlite()
        => Stream == StreamKind.New
            ? _raw.Append(StreamId.New("cart"), FreshIds.Renew(_events), ExpectedVersion.NoStream)
            : _rawVersion = _raw.Append(_existing, FreshIds.Renew(_events), ExpectedVersion.Exactly(_rawVersion));

    [Benchmark]
    public async Task<long> Store()
        => Stream == StreamKind.New
            ? (await _store.AppendAsync(StreamId.New("cart"), FreshIds.Renew(_events), ExpectedVersion.NoStream)).StreamVersion
            : _storeVersion = (await _store.AppendAsync(_existing, FreshIds.Renew(_events), ExpectedVersion.Exactly(_storeVersion))).StreamVersion;

    [Benchmark]
    public async Task<long> NaiveEfCore()
        => Stream == StreamKind.New
            ? await _ef.AppendAsync(StreamId.New("cart"), FreshIds.Renew(_events), ExpectedVersion.NoStream)
            : _efVersion = await _ef.AppendAsync(_existing, FreshIds.Renew(_events), ExpectedVersion.Exactly(_efVersion));
}
