using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace EventSourcery.StoreContract;

/// <summary>
/// Every store reports the same spans and metrics (docs/telemetry.md), read here as an application reads them: through
/// OpenTelemetry's SDK and its in-memory exporter. Tests run side by side, so each one uses a category of its own and
/// finds its spans by stream id and its metric points by category.
/// </summary>
/// <remarks>
/// While a test listens, every append in the process makes a span and keeps its <c>traceparent</c> in the events'
/// metadata, which other tests comparing events read back would see: run the derived classes in the
/// <see cref="Collection"/> collection, which a test assembly defines with parallelization off.
/// </remarks>
public abstract class TelemetryContract
{
    /// <summary>The name of the collection the derived classes run in, alone.</summary>
    public const string Collection = "Telemetry (alone)";

    private static readonly ActivitySource Application = new("EventSourcery.StoreContract.Application");

    /// <summary>A new, empty store for one test.</summary>
    protected abstract Task<IEventStore> CreateStoreAsync();

    /// <summary>What the store's spans name as <c>db.system</c>.</summary>
    protected abstract string DbSystem { get; }

    /// <summary>Whether the store's append spans are client spans (a server) rather than internal ones.</summary>
    protected abstract bool IsServer { get; }

    [SkippableFact]
    public async Task An_append_is_one_span_with_the_stores_tags_inside_the_callers_span_and_counts_its_events_by_type()
    {
        var store = await CreateStoreAsync();
        var category = UniqueCategory();
        var id = StreamId.New(category);
        using var telemetry = new Recorder();

        using (var command = Application.StartActivity("command"))
        {
            await store.AppendAsync(id, [new TurnedOn(), new TurnedOff(), new TurnedOn()], ExpectedVersion.NoStream);
        }

        var span = Assert.Single(telemetry.SpansOf(id));
        var parent = Assert.Single(telemetry.Spans, s => s.DisplayName == "command" && s.TraceId == span.TraceId);
        Assert.Equal(parent.SpanId, span.ParentSpanId);
        Assert.Equal($"append {category}", span.DisplayName);
        Assert.Equal(IsServer ? ActivityKind.Client : ActivityKind.Internal, span.Kind);
        Assert.Equal(DbSystem, span.GetTagItem(TelemetryTags.DbSystem));
        Assert.Equal("append", span.GetTagItem(TelemetryTags.DbOperation));
        Assert.Equal(category, span.GetTagItem(TelemetryTags.StreamCategory));
        Assert.Equal(3, span.GetTagItem(TelemetryTags.EventCount));
        Assert.Equal(3L, span.GetTagItem(TelemetryTags.StreamVersion));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);

        var names = (await Read.StreamAsync(store, id)).Select(e => e.EventName).ToList();
        Assert.Equal(string.Join(",", names.Distinct()), span.GetTagItem(TelemetryTags.EventType));
        var counted = telemetry.LongSums("eventsourcery.events.appended", category)
            .GroupBy(p => (string)p.Tags[TelemetryTags.EventType]!)
            .ToDictionary(g => g.Key, g => g.Sum(p => p.Value));
        Assert.Equal(names.GroupBy(n => n).ToDictionary(g => g.Key, g => (long)g.Count()), counted);
        var duration = Assert.Single(telemetry.HistogramCounts("eventsourcery.append.duration", category));
        Assert.Equal(1, duration.Value);
        Assert.Equal(DbSystem, duration.Tags[TelemetryTags.DbSystem]);
        Assert.False(duration.Tags.ContainsKey(TelemetryTags.ErrorType));
    }

    [SkippableFact]
    public async Task A_refused_append_ends_its_span_as_an_error_and_counts_a_conflict()
    {
        var store = await CreateStoreAsync();
        var category = UniqueCategory();
        var id = StreamId.New(category);
        await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);
        using var telemetry = new Recorder();

        await Assert.ThrowsAsync<ConcurrencyException>(() => store.PublishAsync(id, [new TurnedOff()], ExpectedVersion.NoStream).AsTask());

        var span = Assert.Single(telemetry.SpansOf(id));
        Assert.Equal($"publish {category}", span.DisplayName);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(typeof(ConcurrencyException).FullName, span.GetTagItem(TelemetryTags.ErrorType));
        Assert.Equal(1L, Assert.Single(telemetry.LongSums("eventsourcery.append.conflicts", category)).Value);
        Assert.Empty(telemetry.LongSums("eventsourcery.events.appended", category));
        var duration = Assert.Single(telemetry.HistogramCounts("eventsourcery.append.duration", category));
        Assert.Equal(typeof(ConcurrencyException).FullName, duration.Tags[TelemetryTags.ErrorType]);
    }

    [SkippableFact]
    public async Task A_repository_load_is_a_span_with_the_events_it_replayed_and_a_snapshot_shortens_it()
    {
        var store = await CreateStoreAsync();
        var category = UniqueCategory();
        var id = StreamId.New(category);
        var plain = new Repository<Counter>(store);
        var snapshotting = new Repository<Counter>(store, new RepositoryOptions { SnapshotEvery = 4 });
        await snapshotting.NewAsync(id, c =>
        {
            for (var i = 0; i < 6; i++)
            {
                c.Move(1);
            }
        });
        using var telemetry = new Recorder();

        await plain.LoadAsync(id);
        await snapshotting.LoadAsync(id);

        var loads = telemetry.SpansOf(id).Where(s => s.DisplayName == $"load {category}").ToList();
        Assert.Equal(2, loads.Count);
        Assert.Equal((6L, 6L, false), Describe(loads[0]));
        Assert.Equal((6L, 0L, true), Describe(loads[1])); // snapshot taken at version 6: nothing after it
        Assert.Equal(nameof(Counter), loads[0].GetTagItem(TelemetryTags.AggregateType));
        var replayed = telemetry.HistogramSums("eventsourcery.load.events_replayed", category).OrderBy(p => p.Value).ToList();
        Assert.Equal([0L, 6L], replayed.Select(p => p.Value));
        Assert.Equal(2, telemetry.HistogramCounts("eventsourcery.load.duration", category).Sum(p => p.Value));

        static (long Version, long Replayed, bool FromSnapshot) Describe(Activity load)
            => ((long)load.GetTagItem(TelemetryTags.StreamVersion)!, (long)load.GetTagItem(TelemetryTags.EventCount)!, (bool)load.GetTagItem(TelemetryTags.FromSnapshot)!);
    }

    [SkippableFact]
    public async Task The_outbox_delivers_inside_a_child_of_the_append_that_published_the_event()
    {
        var store = await CreateStoreAsync();
        var category = UniqueCategory();
        var id = StreamId.New(category);
        using var telemetry = new Recorder();
        using (Application.StartActivity("command"))
        {
            await store.PublishAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);
        }

        ActivitySpanId? current = null;
        var outbox = new Outbox(store, (e, _) =>
        {
            current = Activity.Current?.SpanId;
            return ValueTask.CompletedTask;
        });
        Assert.Equal(1, await outbox.RunOnceAsync()); // later, and outside the command's activity

        var append = Assert.Single(telemetry.SpansOf(id), s => s.DisplayName == $"publish {category}");
        var stored = Assert.Single(await Read.StreamAsync(store, id));
        Assert.Equal(append.Id, stored.Event.Metadata.Extra[EventMetadata.TraceParentKey]);
        var delivery = Assert.Single(telemetry.SpansOf(id), s => s.DisplayName == $"deliver {category}");
        Assert.Equal(ActivityKind.Producer, delivery.Kind);
        Assert.Equal(append.TraceId, delivery.TraceId);
        Assert.Equal(append.SpanId, delivery.ParentSpanId);
        Assert.Equal(delivery.SpanId, current); // the publisher runs inside it, so a broker client continues the trace
        Assert.Equal("send", delivery.GetTagItem(TelemetryTags.MessagingOperationType));
        Assert.Equal(category, delivery.GetTagItem(TelemetryTags.MessagingDestination));
        Assert.Equal(stored.Event.Id.ToString(), delivery.GetTagItem(TelemetryTags.MessagingMessageId));
        Assert.Equal(1, delivery.GetTagItem(TelemetryTags.DeliveryAttempt));
        Assert.Equal(1, Assert.Single(telemetry.HistogramCounts("eventsourcery.outbox.delivery.duration", category)).Value);
    }

    [SkippableFact]
    public async Task A_projection_batch_is_a_span_linked_to_the_appends_of_its_events_with_the_handler_inside_it()
    {
        var store = await CreateStoreAsync();
        var category = UniqueCategory();
        var first = StreamId.New(category);
        var second = StreamId.New(category);
        using var telemetry = new Recorder();
        using (Application.StartActivity("first command"))
        {
            await store.AppendAsync(first, [new TurnedOn(), new TurnedOff()], ExpectedVersion.NoStream);
        }

        using (Application.StartActivity("second command"))
        {
            await store.AppendAsync(second, [new TurnedOn()], ExpectedVersion.NoStream);
        }

        var projection = new SpanRecordingProjection("lights-" + category);
        Assert.Equal(3, await new ProjectionRunner(store, projection).RunOnceAsync());

        var appends = telemetry.SpansOf(first).Concat(telemetry.SpansOf(second)).Where(s => s.DisplayName == $"append {category}").ToList();
        var batch = Assert.Single(telemetry.Spans, s => s.DisplayName == $"project {projection.Name}");
        Assert.Equal(ActivityKind.Consumer, batch.Kind);
        Assert.Equal(2, appends.Count);
        Assert.Equal(
            appends.Select(a => $"{a.TraceId}-{a.SpanId}").Order(StringComparer.Ordinal),
            batch.Links.Select(l => $"{l.Context.TraceId}-{l.Context.SpanId}").Order(StringComparer.Ordinal));
        Assert.Equal([batch.SpanId, batch.SpanId, batch.SpanId], projection.Spans);
        Assert.Equal(projection.Name, batch.GetTagItem(TelemetryTags.ProjectionName));
        Assert.Equal(3, batch.GetTagItem(TelemetryTags.EventCount));
        var handled = telemetry.LongSums("eventsourcery.projection.events_handled", TelemetryTags.ProjectionName, projection.Name);
        Assert.Equal(3L, Assert.Single(handled).Value);
    }

    [SkippableFact]
    public async Task A_stream_read_is_a_span_with_the_events_the_caller_took()
    {
        var store = await CreateStoreAsync();
        var category = UniqueCategory();
        var id = StreamId.New(category);
        await store.AppendAsync(id, [new TurnedOn(), new TurnedOff(), new TurnedOn()], ExpectedVersion.NoStream);
        using var telemetry = new Recorder();

        Assert.Equal(2, (await Read.ToListAsync(store.ReadStreamAsync(id, fromVersion: 2))).Count);
        await foreach (var _ in store.ReadStreamAsync(id))
        {
            break; // a caller that stops early: the span ends with what it took
        }

        var reads = telemetry.SpansOf(id).Where(s => s.DisplayName == $"read {category}").OrderBy(s => s.StartTimeUtc).ToList();
        Assert.Equal(2, reads.Count);
        Assert.All(reads, span =>
        {
            Assert.Equal(IsServer ? ActivityKind.Client : ActivityKind.Internal, span.Kind);
            Assert.Equal(DbSystem, span.GetTagItem(TelemetryTags.DbSystem));
            Assert.Equal("read", span.GetTagItem(TelemetryTags.DbOperation));
            Assert.Equal(category, span.GetTagItem(TelemetryTags.StreamCategory));
        });
        Assert.Equal((2L, 2L), ((long)reads[0].GetTagItem(TelemetryTags.FromVersion)!, (long)reads[0].GetTagItem(TelemetryTags.EventCount)!));
        Assert.Equal((1L, 1L), ((long)reads[1].GetTagItem(TelemetryTags.FromVersion)!, (long)reads[1].GetTagItem(TelemetryTags.EventCount)!));
    }

    [SkippableFact]
    public async Task A_caught_up_subscription_waits_in_a_span_that_says_an_append_woke_it()
    {
        var store = await CreateStoreAsync();
        var category = UniqueCategory();
        var first = await store.AppendAsync(StreamId.New(category), [new TurnedOn()], ExpectedVersion.NoStream);
        using var telemetry = new Recorder();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        await using var events = store.Subscribe(first.LastPosition).ToCategory(category).WithPollInterval(TimeSpan.FromSeconds(20)).ReadAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        var next = events.MoveNextAsync().AsTask();
        await Task.Delay(100);
        await store.AppendAsync(StreamId.New(category), [new TurnedOff()], ExpectedVersion.NoStream);
        Assert.True(await next);

        var wait = Assert.Single(telemetry.Spans, s => s.DisplayName == $"wait {category}");
        Assert.Equal(first.LastPosition, wait.GetTagItem(TelemetryTags.Position));
        Assert.Equal(true, wait.GetTagItem(TelemetryTags.Signalled));
        Assert.True(wait.Duration >= TimeSpan.FromMilliseconds(50), $"the wait took {wait.Duration}");
    }

    [SkippableFact]
    public async Task A_projection_reports_its_checkpoint_and_how_far_behind_it_is_after_each_batch()
    {
        var store = await CreateStoreAsync();
        var category = UniqueCategory();
        var appended = await store.AppendAsync(StreamId.New(category), [new TurnedOn(), new TurnedOff(), new TurnedOn(), new TurnedOff(), new TurnedOn()], ExpectedVersion.NoStream);
        var projection = new SpanRecordingProjection("lag-" + category);
        using var gauges = new GaugeRecorder(projection.Name);

        Assert.Equal(5, await new ProjectionRunner(store, projection, new ProjectionOptions { BatchSize = 2 }).RunOnceAsync());

        var last = appended.LastPosition;
        Assert.Equal([3L, 1L, 0L], gauges.Longs("eventsourcery.projection.lag"));
        Assert.Equal([last - 3, last - 1, last], gauges.Longs("eventsourcery.projection.checkpoint"));
        var ages = gauges.Doubles("eventsourcery.projection.lag.time");
        Assert.Equal(3, ages.Count);
        Assert.All(ages.Take(2), age => Assert.True(age >= 0 && age < 60, $"{age} s"));
        Assert.Equal(0, ages[2]);
    }

    [SkippableFact]
    public async Task An_event_that_carries_its_own_traceparent_keeps_it()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New(UniqueCategory());
        var own = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        using var telemetry = new Recorder();

        using (Application.StartActivity("command"))
        {
            await store.AppendAsync(id, [new TurnedOn { Metadata = new EventMetadata { Extra = new Dictionary<string, string> { [EventMetadata.TraceParentKey] = own } } }], ExpectedVersion.NoStream);
        }

        Assert.Equal(own, Assert.Single(await Read.StreamAsync(store, id)).Event.Metadata.Extra[EventMetadata.TraceParentKey]);
    }

    private static string UniqueCategory() => "tel" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>OpenTelemetry's SDK with in-memory exporters for EventSourcery's source and meter (and the test's own source).</summary>
    private sealed class Recorder : IDisposable
    {
        private readonly List<Activity> _spans = [];
        private readonly List<Metric> _metrics = [];
        private readonly TracerProvider _tracer;
        private readonly MeterProvider _meter;

        public Recorder()
        {
            _tracer = Sdk.CreateTracerProviderBuilder()
                .AddSource(EventSourceryTelemetry.ActivitySourceName, Application.Name)
                .AddInMemoryExporter(_spans)
                .Build();
            _meter = Sdk.CreateMeterProviderBuilder()
                .AddMeter(EventSourceryTelemetry.MeterName)
                .AddInMemoryExporter(_metrics)
                .Build();
        }

        public IReadOnlyList<Activity> Spans
        {
            get
            {
                _tracer.ForceFlush();
                lock (_spans)
                {
                    return [.. _spans];
                }
            }
        }

        public IEnumerable<Activity> SpansOf(StreamId id) => Spans.Where(s => (string?)s.GetTagItem(TelemetryTags.StreamId) == id.ToString());

        public List<Point> LongSums(string name, string category) => Points(name, TelemetryTags.StreamCategory, category, (ref MetricPoint p) => p.GetSumLong());

        public List<Point> LongSums(string name, string tag, string value) => Points(name, tag, value, (ref MetricPoint p) => p.GetSumLong());

        public List<Point> HistogramCounts(string name, string category) => Points(name, TelemetryTags.StreamCategory, category, (ref MetricPoint p) => p.GetHistogramCount());

        public List<Point> HistogramSums(string name, string category) => Points(name, TelemetryTags.StreamCategory, category, (ref MetricPoint p) => (long)p.GetHistogramSum());

        public void Dispose()
        {
            _tracer.Dispose();
            _meter.Dispose();
        }

        /// <summary>The latest points of the metric whose tag <paramref name="tag"/> is <paramref name="expected"/>.</summary>
        private List<Point> Points(string name, string tag, string expected, ValueOf value)
        {
            _metrics.Clear();
            _meter.ForceFlush();
            var points = new List<Point>();
            foreach (var metric in _metrics.Where(m => m.Name == name))
            {
                foreach (ref readonly var point in metric.GetMetricPoints())
                {
                    var tags = new Dictionary<string, object?>(StringComparer.Ordinal);
                    foreach (var pair in point.Tags)
                    {
                        tags[pair.Key] = pair.Value;
                    }

                    if (tags.TryGetValue(tag, out var actual) && (string?)actual == expected)
                    {
                        var copy = point;
                        points.Add(new Point(value(ref copy), tags));
                    }
                }
            }

            return points;
        }

        private delegate long ValueOf(ref MetricPoint point);
    }

    /// <summary>Every value recorded on EventSourcery's gauges for one projection, in order (a gauge exporter keeps only the last).</summary>
    private sealed class GaugeRecorder : IDisposable
    {
        private readonly System.Diagnostics.Metrics.MeterListener _listener = new();
        private readonly List<(string Name, double Value)> _values = [];

        public GaugeRecorder(string projection)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == EventSourceryTelemetry.MeterName && instrument.Name.StartsWith("eventsourcery.projection.", StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument.Name, value, tags, projection));
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument.Name, value, tags, projection));
            _listener.Start();
        }

        public List<long> Longs(string name) => Values(name).Select(v => (long)v).ToList();

        public List<double> Doubles(string name) => Values(name);

        public void Dispose() => _listener.Dispose();

        private List<double> Values(string name)
        {
            lock (_values)
            {
                return _values.Where(v => v.Name == name).Select(v => v.Value).ToList();
            }
        }

        private void Add(string name, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, string projection)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == TelemetryTags.ProjectionName && (string?)tag.Value == projection)
                {
                    lock (_values)
                    {
                        _values.Add((name, value));
                    }

                    return;
                }
            }
        }
    }

    /// <summary>A projection that notes the span its handler runs in.</summary>
    private sealed class SpanRecordingProjection(string name) : IProjection
    {
        public string Name { get; } = name;

        public List<ActivitySpanId?> Spans { get; } = [];

        public ValueTask HandleAsync(RecordedEvent recorded, CancellationToken cancellationToken)
        {
            Spans.Add(Activity.Current?.SpanId);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A metric point's value and tags.</summary>
    private sealed record Point(long Value, Dictionary<string, object?> Tags);
}
