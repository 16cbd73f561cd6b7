using System.Diagnostics;

namespace EventSourcery;

/// <summary>
/// The span of one outbox delivery (<c>deliver {category}</c>, a producer span): a child of the append that published
/// the event when its metadata keeps that append's <c>traceparent</c>, so one trace shows the command, the append and
/// the delivery, however much later the outbox runs; and the duration of each attempt.
/// </summary>
internal static class DeliveryTelemetry
{
    public static Activity? Start(RecordedEvent recorded, int attempt)
    {
        if (!EventSourceryTelemetry.Source.HasListeners())
        {
            return null;
        }

        var category = recorded.StreamId.Category;
        var name = category is null ? "deliver" : $"deliver {category}";
        var activity = Spans.TryGetAppendContext(recorded.Event, out var appended)
            ? EventSourceryTelemetry.Source.StartActivity(name, ActivityKind.Producer, appended)
            : EventSourceryTelemetry.Source.StartActivity(name, ActivityKind.Producer);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(TelemetryTags.MessagingOperationType, "send");
            activity.SetTag(TelemetryTags.MessagingDestination, category);
            activity.SetTag(TelemetryTags.MessagingMessageId, recorded.Event.Id.ToString());
            activity.SetTag(TelemetryTags.StreamCategory, category);
            activity.SetTag(TelemetryTags.StreamId, recorded.StreamId.ToString());
            activity.SetTag(TelemetryTags.EventType, recorded.EventName);
            activity.SetTag(TelemetryTags.Tenant, recorded.TenantId);
            activity.SetTag(TelemetryTags.DeliveryAttempt, attempt);
        }

        return activity;
    }

    /// <summary>
    /// Ends the delivery's span (as failed when <paramref name="error"/> is given) and records how long the publisher
    /// took, by category, tenant and, for a failed attempt, error type.
    /// </summary>
    public static void Ended(Activity? activity, RecordedEvent recorded, long started, Exception? error = null)
    {
        if (error is null)
        {
            activity?.Dispose();
        }
        else
        {
            Spans.Fail(activity, error);
        }

        if (!EventSourceryTelemetry.DeliveryDuration.Enabled)
        {
            return;
        }

        var tags = default(TagList);
        if (recorded.StreamId.Category is { } category)
        {
            tags.Add(TelemetryTags.StreamCategory, category);
        }

        if (recorded.TenantId is { } tenant)
        {
            tags.Add(TelemetryTags.Tenant, tenant);
        }

        if (error is not null)
        {
            tags.Add(TelemetryTags.ErrorType, error.GetType().FullName);
        }

        EventSourceryTelemetry.DeliveryDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
    }
}
