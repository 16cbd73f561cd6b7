using System.Diagnostics;

namespace EventSourcery;

/// <summary>The span (<c>load {category}</c>) and metrics of one repository load.</summary>
internal readonly struct LoadTelemetry
{
    private readonly Activity? _activity;
    private readonly long _started;
    private readonly string? _category;

    private LoadTelemetry(Activity? activity, long started, string? category)
    {
        _activity = activity;
        _started = started;
        _category = category;
    }

    public static LoadTelemetry Start(StreamId id, string aggregateType)
    {
        var activity = EventSourceryTelemetry.Source.HasListeners() // no span name built on a load nobody traces
            ? EventSourceryTelemetry.Source.StartActivity(id.Category is null ? "load" : $"load {id.Category}")
            : null;
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(TelemetryTags.StreamCategory, id.Category);
            activity.SetTag(TelemetryTags.StreamId, id.ToString());
            activity.SetTag(TelemetryTags.AggregateType, aggregateType);
        }

        return new LoadTelemetry(activity, Stopwatch.GetTimestamp(), id.Category);
    }

    /// <summary>Ends the span with the stream's version, the events replayed and whether a snapshot was the start.</summary>
    public void Loaded(long version, long replayed, bool fromSnapshot)
    {
        if (_activity is not null)
        {
            _activity.SetTag(TelemetryTags.StreamVersion, version);
            _activity.SetTag(TelemetryTags.EventCount, replayed);
            _activity.SetTag(TelemetryTags.FromSnapshot, fromSnapshot);
            _activity.Dispose();
        }

        var tags = Tags();
        tags.Add(TelemetryTags.FromSnapshot, fromSnapshot);
        EventSourceryTelemetry.EventsReplayed.Record(replayed, tags);
        EventSourceryTelemetry.LoadDuration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, tags);
    }

    /// <summary>Ends the span as failed with <paramref name="exception"/>'s type, and records the duration.</summary>
    public void Failed(Exception exception)
    {
        Spans.Fail(_activity, exception);
        var tags = Tags();
        tags.Add(TelemetryTags.ErrorType, exception.GetType().FullName);
        EventSourceryTelemetry.LoadDuration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, tags);
    }

    private TagList Tags()
    {
        var tags = default(TagList);
        if (_category is not null)
        {
            tags.Add(TelemetryTags.StreamCategory, _category);
        }

        return tags;
    }
}
