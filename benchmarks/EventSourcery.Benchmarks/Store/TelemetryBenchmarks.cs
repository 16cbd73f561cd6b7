using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;

namespace EventSourcery.Benchmarks.Store;

/// <summary>
/// Issue 18: what EventSourcery's instrumentation costs when something listens. The same operation with nothing
/// listening (the baseline) and with an <see cref="ActivityListener"/> that records every EventSourcery span and a
/// <see cref="MeterListener"/> that takes every EventSourcery measurement (each benchmark runs in a process of its own, so
/// the listener of one never reaches the other). Target: at most 5% slower. The listeners do nothing with what they get:
/// this is the instrumentation's cost, not an exporter's.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet ends a benchmark's life with [GlobalCleanup], which stops the listeners.")]
public abstract class TelemetryBenchmarkBase
{
    private ActivityListener? _activities;
    private MeterListener? _meters;

    /// <summary>Attaches listeners to EventSourcery's activity source and meter for the rest of the process.</summary>
    protected void Listen()
    {
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == EventSourceryTelemetry.ActivitySourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = static _ => { },
        };
        ActivitySource.AddActivityListener(_activities);

        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == EventSourceryTelemetry.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meters.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
        _meters.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
        _meters.Start();
    }

    /// <summary>Detaches the listeners.</summary>
    protected void StopListening()
    {
        _activities?.Dispose();
        _meters?.Dispose();
    }
}

/// <summary>Appends of 10 events to an existing stream (one durable commit each), with and without listeners.</summary>
[Config(typeof(CommitBoundBenchmarkConfig))]
[SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet ends a benchmark's life with [GlobalCleanup], not Dispose.")]
public class TelemetryAppendBenchmarks : TelemetryBenchmarkBase
{
    private TempDirectory _directory = null!;
    private SqliteEventStore _store = null!;
    private Event[] _events = [];
    private readonly StreamId _stream = StreamId.FromName("telemetry", "cart");

    [GlobalSetup(Target = nameof(NothingListening))]
    public Task SetupQuiet() => SetupAsync();

    [GlobalSetup(Target = nameof(Listening))]
    public async Task SetupListening()
    {
        await SetupAsync();
        Listen();
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        StopListening();
        await _store.DisposeAsync();
        _directory.Dispose();
    }

    [Benchmark(Baseline = true)]
    public async Task<long> NothingListening() => (await _store.AppendAsync(_stream, FreshIds.Renew(_events), ExpectedVersion.Any)).StreamVersion;

    [Benchmark]
    public async Task<long> Listening() => (await _store.AppendAsync(_stream, FreshIds.Renew(_events), ExpectedVersion.Any)).StreamVersion;

    private async Task SetupAsync()
    {
        _directory = new TempDirectory("telemetry-append");
        _store = await SqliteEventStore.OpenAsync(SqliteFiles.ConnectionString(_directory.File("store.db")));
        _events = CartEvents.Create(10, seed: 3);
        await _store.AppendAsync(_stream, CartEvents.Create(10, seed: 4), ExpectedVersion.NoStream);
    }
}

/// <summary>Repository loads of a 1,000-event cart (no snapshot), with and without listeners.</summary>
[Config(typeof(StoreBenchmarkConfig))]
[SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet ends a benchmark's life with [GlobalCleanup], not Dispose.")]
public class TelemetryLoadBenchmarks : TelemetryBenchmarkBase
{
    private TempDirectory _directory = null!;
    private SqliteEventStore _store = null!;
    private Repository<Cart> _repository = null!;
    private readonly StreamId _cart = StreamId.FromName("telemetry-load", "cart");

    [GlobalSetup(Target = nameof(NothingListening))]
    public Task SetupQuiet() => SetupAsync();

    [GlobalSetup(Target = nameof(Listening))]
    public async Task SetupListening()
    {
        await SetupAsync();
        Listen();
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        StopListening();
        await _store.DisposeAsync();
        _directory.Dispose();
    }

    [Benchmark(Baseline = true)]
    public async Task<long> NothingListening() => (await _repository.LoadAsync(_cart))!.Version;

    [Benchmark]
    public async Task<long> Listening() => (await _repository.LoadAsync(_cart))!.Version;

    private async Task SetupAsync()
    {
        _directory = new TempDirectory("telemetry-load");
        _store = await SqliteEventStore.OpenAsync(SqliteFiles.ConnectionString(_directory.File("store.db")));
        _repository = new Repository<Cart>(_store);
        await _store.AppendAsync(_cart, CartEvents.Create(1_000, seed: 5), ExpectedVersion.NoStream);
    }
}
