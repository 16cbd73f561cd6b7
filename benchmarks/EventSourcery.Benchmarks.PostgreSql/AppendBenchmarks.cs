using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;

namespace EventSourcery.Benchmarks.PostgreSql;

/// <summary>Whether an append creates its stream or extends one.</summary>
public enum StreamKind
{
    /// <summary>Every append creates a new stream.</summary>
    New,

    /// <summary>Every append extends the same stream.</summary>
    Existing,
}

/// <summary>
/// Issue 14: one append of <see cref="BatchSize"/> events (one durable commit) through EventSourcery's PostgreSQL store
/// and through Marten, each with its default append and with an expected version, against raw Npgsql (one statement).
/// On a new stream every variant says "new" (<c>NoStream</c>, Marten's <c>StartStream</c>); on an existing stream the
/// default is "any version" and the expected variant names the version.
/// </summary>
[Config(typeof(PgBenchmarkConfig))]
[SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet ends a benchmark's life with [GlobalCleanup], not Dispose.")]
public class AppendBenchmarks
{
    private Stores _stores = null!;
    private Event[] _ours = [];
    private object[] _martens = [];
    private readonly Guid _rawStream = Guid.NewGuid();
    private readonly StreamId _ourStream = StreamId.New("cart");
    private readonly Guid _martenStream = Guid.NewGuid();
    private long _rawVersion;
    private long _ourVersion;
    private long _martenVersion;

    [Params(1, 10, 100)]
    public int BatchSize { get; set; }

    [Params(StreamKind.New, StreamKind.Existing)]
    public StreamKind Stream { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _stores = await Stores.CreateAsync("append");
        (_ours, _martens) = CartEvents.Create(BatchSize, seed: 7);

        // The existing streams, one event each.
        var (first, firstMarten) = CartEvents.Create(1, seed: 1);
        await _stores.Raw.AppendAsync(_rawStream, 0, first);
        await _stores.Ours.AppendAsync(_ourStream, FreshIds.Renew(first), ExpectedVersion.NoStream);
        await using (var session = _stores.Marten.LightweightSession())
        {
            session.Events.StartStream(_martenStream, firstMarten);
            await session.SaveChangesAsync();
        }

        _rawVersion = _ourVersion = _martenVersion = 1;
    }

    [GlobalCleanup]
    public async Task Cleanup() => await _stores.DisposeAsync();

    [Benchmark(Baseline = true)]
    public async Task RawNpgsql()
    {
        FreshIds.Renew(_ours);
        if (Stream == StreamKind.New)
        {
            await _stores.Raw.AppendAsync(Guid.NewGuid(), 0, _ours);
            return;
        }

        await _stores.Raw.AppendAsync(_rawStream, _rawVersion, _ours);
        _rawVersion += BatchSize;
    }

    [Benchmark]
    public async Task EventSourcery()
    {
        FreshIds.Renew(_ours);
        if (Stream == StreamKind.New)
        {
            await _stores.Ours.AppendAsync(StreamId.New("cart"), _ours, ExpectedVersion.NoStream);
            return;
        }

        await _stores.Ours.AppendAsync(_ourStream, _ours, ExpectedVersion.Any);
    }

    [Benchmark]
    public async Task EventSourceryExpectedVersion()
    {
        FreshIds.Renew(_ours);
        if (Stream == StreamKind.New)
        {
            await _stores.Ours.AppendAsync(StreamId.New("cart"), _ours, ExpectedVersion.NoStream);
            return;
        }

        // The caller knows the version (it loaded the aggregate): each benchmark method runs in a process of its own,
        // so only this method appends to the stream here.
        _ourVersion = (await _stores.Ours.AppendAsync(_ourStream, _ours, ExpectedVersion.Exactly(_ourVersion))).StreamVersion;
    }

    [Benchmark]
    public async Task Marten()
    {
        await using var session = _stores.Marten.LightweightSession();
        if (Stream == StreamKind.New)
        {
            session.Events.StartStream(Guid.NewGuid(), _martens);
        }
        else
        {
            session.Events.Append(_martenStream, _martens);
        }

        await session.SaveChangesAsync();
    }

    [Benchmark]
    public async Task MartenExpectedVersion()
    {
        await using var session = _stores.Marten.LightweightSession();
        if (Stream == StreamKind.New)
        {
            session.Events.StartStream(Guid.NewGuid(), _martens);
            await session.SaveChangesAsync();
            return;
        }

        // Marten's expected version is the stream's version after the append; the caller knows the current one.
        session.Events.Append(_martenStream, _martenVersion + BatchSize, _martens);
        await session.SaveChangesAsync();
        _martenVersion += BatchSize;
    }
}
