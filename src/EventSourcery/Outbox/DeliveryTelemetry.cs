using System.Diagnostics;

namespace EventSourcery;

/// <summary>
/// The span of one outbox delivery (<c>deliver {category}</c>, a producer span): a child of the append that published
/// the event when its metadata keeps that append's <c>traceparent</c>, so one trace shows the command, the append and
/// the delivery, however much later the outbox runs.
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
}
