using System.Diagnostics;

namespace EventSourcery;

/// <summary>
/// The span of one projection batch (<c>project {projection}</c>, a consumer span, linked to the appends of its events
/// through the <c>traceparent</c> in their metadata) and its metrics.
/// </summary>
internal static class ProjectionTelemetry
{
    /// <summary>The most links one batch span carries (one per distinct append trace); a batch of hundreds of appends links the first ones.</summary>
    private const int MaxLinks = 64;

    public static Activity? Start(string projection, List<RecordedEvent> batch)
    {
        if (!EventSourceryTelemetry.Source.HasListeners())
        {
            return null;
        }

        List<ActivityLink>? links = null;
        HashSet<ActivityContext>? seen = null;
        foreach (var recorded in batch)
        {
            if (Spans.TryGetAppendContext(recorded.Event, out var appended) && (seen ??= []).Add(appended))
            {
                (links ??= []).Add(new ActivityLink(appended));
                if (links.Count == MaxLinks)
                {
                    break;
                }
            }
        }

        var activity = EventSourceryTelemetry.Source.StartActivity(ActivityKind.Consumer, parentContext: default, links: links, name: $"project {projection}");
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(TelemetryTags.ProjectionName, projection);
            activity.SetTag(TelemetryTags.EventCount, batch.Count);
            activity.SetTag(TelemetryTags.FirstPosition, batch[0].Position);
            activity.SetTag(TelemetryTags.LastPosition, batch[^1].Position);
            activity.SetTag(TelemetryTags.Tenant, batch[0].TenantId);
        }

        return activity;
    }

    /// <summary>Ends the span and counts the events handled and the batch's duration.</summary>
    public static void Handled(Activity? activity, string projection, int handled, long started)
    {
        activity?.Dispose();
        var tags = new TagList { { TelemetryTags.ProjectionName, projection } };
        EventSourceryTelemetry.EventsProjected.Add(handled, tags);
        EventSourceryTelemetry.ProjectionBatchDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
    }

    /// <summary>Ends the span as failed with <paramref name="exception"/>'s type, and records the batch's duration.</summary>
    public static void Failed(Activity? activity, string projection, Exception exception, long started)
    {
        var error = (exception is ProjectionException { InnerException: { } inner } ? inner : exception).GetType().FullName;
        Spans.Fail(activity, exception, error);

        var tags = new TagList { { TelemetryTags.ProjectionName, projection }, { TelemetryTags.ErrorType, error } };
        EventSourceryTelemetry.ProjectionBatchDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
    }

    /// <summary>Whether anyone listens to the lag and checkpoint gauges (the lag costs a read of the head position).</summary>
    public static bool PositionsObserved
        => EventSourceryTelemetry.ProjectionLag.Enabled || EventSourceryTelemetry.ProjectionLagTime.Enabled || EventSourceryTelemetry.ProjectionCheckpoint.Enabled;

    /// <summary>
    /// Records where a projection is after a batch: its checkpoint (<paramref name="last"/>'s position), the events stored
    /// after it (<paramref name="head"/> is the view's highest position), and, while some wait, how long ago
    /// <paramref name="last"/> was recorded.
    /// </summary>
    public static void Positions(string projection, RecordedEvent last, long head, DateTimeOffset now)
    {
        var tags = new TagList { { TelemetryTags.ProjectionName, projection } };
        if (last.TenantId is { } tenant)
        {
            tags.Add(TelemetryTags.Tenant, tenant);
        }

        var behind = Math.Max(0, head - last.Position);
        EventSourceryTelemetry.ProjectionCheckpoint.Record(last.Position, tags);
        EventSourceryTelemetry.ProjectionLag.Record(behind, tags);
        EventSourceryTelemetry.ProjectionLagTime.Record(behind == 0 ? 0 : Math.Max(0, (now - last.RecordedAt).TotalSeconds), tags);
    }
}
