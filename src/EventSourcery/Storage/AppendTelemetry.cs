using System.Diagnostics;
using EventSourcery.Serialization;

namespace EventSourcery.Storage;

/// <summary>
/// The telemetry of one append, for store authors: its span on <see cref="EventSourceryTelemetry.ActivitySourceName"/>
/// and its metrics on <see cref="EventSourceryTelemetry.MeterName"/>, the same for every store. Start it once the
/// events are serialized (<see cref="Start"/>), then call <see cref="Succeeded"/> or <see cref="Failed"/> once. Costs a
/// timestamp when nobody listens.
/// </summary>
public readonly struct AppendTelemetry
{
    private readonly Activity? _activity;
    private readonly long _started;
    private readonly string _dbSystem;
    private readonly string? _category;
    private readonly string? _tenant;

    private AppendTelemetry(Activity? activity, long started, string dbSystem, string? category, string? tenant)
    {
        _activity = activity;
        _started = started;
        _dbSystem = dbSystem;
        _category = category;
        _tenant = tenant;
        var context = activity ?? Activity.Current;
        TraceParent = context is { IdFormat: ActivityIdFormat.W3C } ? context.Id : null;
    }

    /// <summary>
    /// The W3C <c>traceparent</c> to keep in the appended events' metadata (pass it to
    /// <see cref="EventSerializer.Serialize(StreamId, Event, string?)"/>): the append's span, or the caller's activity
    /// when nobody listens to EventSourcery's; null outside any trace.
    /// </summary>
    public string? TraceParent { get; }

    /// <summary>
    /// Starts the span of an append to <paramref name="streamId"/> (named <c>append {category}</c> or
    /// <c>publish {category}</c>) and the clock of its duration, before the events are serialized (their metadata
    /// keeps <see cref="TraceParent"/>).
    /// </summary>
    /// <param name="dbSystem">The store's database (<c>sqlite</c>, <c>postgresql</c>, <c>in-memory</c>).</param>
    /// <param name="streamId">The stream appended to.</param>
    /// <param name="publish">Whether the events also go to the outbox.</param>
    /// <param name="tenant">The tenant of a tenant view; null or empty for the default view.</param>
    /// <param name="remote">Whether the store is a server the span is a client of (rather than in-process).</param>
    public static AppendTelemetry Start(string dbSystem, StreamId streamId, bool publish, string? tenant, bool remote)
    {
        ArgumentNullException.ThrowIfNull(dbSystem);
        var operation = publish ? "publish" : "append";
        var category = streamId.Category;
        tenant = string.IsNullOrEmpty(tenant) ? null : tenant;
        var activity = EventSourceryTelemetry.Source.HasListeners() // no span name built on an append nobody traces
            ? EventSourceryTelemetry.Source.StartActivity(category is null ? operation : $"{operation} {category}", remote ? ActivityKind.Client : ActivityKind.Internal)
            : null;
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(TelemetryTags.DbSystem, dbSystem);
            activity.SetTag(TelemetryTags.DbOperation, operation);
            activity.SetTag(TelemetryTags.StreamCategory, category);
            activity.SetTag(TelemetryTags.StreamId, streamId.ToString());
            activity.SetTag(TelemetryTags.Tenant, tenant);
        }

        return new AppendTelemetry(activity, Stopwatch.GetTimestamp(), dbSystem, category, tenant);
    }

    /// <summary>
    /// Ends the span with the append's result and its events' types, counts the events by type, and records the
    /// duration.
    /// </summary>
    /// <param name="result">The append's result.</param>
    /// <param name="serialized">The events as the store wrote them.</param>
    /// <returns><paramref name="result"/>, for <c>return telemetry.Succeeded(result, serialized);</c>.</returns>
    public AppendResult Succeeded(AppendResult result, SerializedEvent[] serialized)
    {
        ArgumentNullException.ThrowIfNull(serialized);
        if (_activity is not null)
        {
            _activity.SetTag(TelemetryTags.EventType, TypeNames(serialized));
            _activity.SetTag(TelemetryTags.EventCount, serialized.Length);
            _activity.SetTag(TelemetryTags.StreamVersion, result.StreamVersion);
            _activity.Dispose();
        }

        if (EventSourceryTelemetry.EventsAppended.Enabled)
        {
            // Runs of one type count together (appends are mostly of one or two types).
            for (var i = 0; i < serialized.Length;)
            {
                var name = serialized[i].Type.Name;
                var run = 1;
                while (i + run < serialized.Length && serialized[i + run].Type.Name == name)
                {
                    run++;
                }

                var tags = StreamTags();
                tags.Add(TelemetryTags.EventType, name);
                EventSourceryTelemetry.EventsAppended.Add(run, tags);
                i += run;
            }
        }

        RecordDuration(error: null);
        return result;
    }

    /// <summary>
    /// Ends the span as failed with <paramref name="exception"/>'s type, counts a <see cref="ConcurrencyException"/>
    /// as a conflict, and records the duration.
    /// </summary>
    public void Failed(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        Spans.Fail(_activity, exception);

        if (exception is ConcurrencyException)
        {
            EventSourceryTelemetry.ConcurrencyConflicts.Add(1, StreamTags());
        }

        RecordDuration(exception.GetType().FullName);
    }

    private void RecordDuration(string? error)
    {
        if (EventSourceryTelemetry.AppendDuration.Enabled)
        {
            var tags = StreamTags();
            tags.Add(TelemetryTags.DbSystem, _dbSystem);
            if (error is not null)
            {
                tags.Add(TelemetryTags.ErrorType, error);
            }

            EventSourceryTelemetry.AppendDuration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, tags);
        }
    }

    /// <summary>The category and tenant tags, each only when there is one (no metric point carries an empty tag).</summary>
    private TagList StreamTags()
    {
        var tags = default(TagList);
        if (_category is not null)
        {
            tags.Add(TelemetryTags.StreamCategory, _category);
        }

        if (_tenant is not null)
        {
            tags.Add(TelemetryTags.Tenant, _tenant);
        }

        return tags;
    }

    /// <summary>The distinct type names, in order of first appearance, joined by commas.</summary>
    private static string TypeNames(SerializedEvent[] serialized)
    {
        if (serialized.Length == 1)
        {
            return serialized[0].Type.Name;
        }

        var names = new List<string>();
        foreach (var e in serialized)
        {
            if (!names.Contains(e.Type.Name))
            {
                names.Add(e.Type.Name);
            }
        }

        return string.Join(",", names);
    }
}
