using System.Diagnostics.Metrics;

namespace EventSourcery;

/// <summary>
/// The outbox's instruments on EventSourcery's one meter (<see cref="EventSourceryTelemetry.MeterName"/>): events
/// published, failed attempts, dead letters and entries pending, each tagged with the tenant (none for the default view).
/// </summary>
public static class OutboxMetrics
{
    /// <summary>The meter's name, for <c>MeterListener</c>s and OpenTelemetry's <c>AddMeter</c>: EventSourcery's one meter.</summary>
    public const string MeterName = EventSourceryTelemetry.MeterName;

    private static Meter Meter => EventSourceryTelemetry.Meter;

    internal static readonly Counter<long> Published = Meter.CreateCounter<long>("eventsourcery.outbox.published", "{event}", "Events handed to the publisher successfully.");

    internal static readonly Counter<long> Failed = Meter.CreateCounter<long>("eventsourcery.outbox.failed", "{attempt}", "Delivery attempts that failed and will be retried.");

    internal static readonly Counter<long> DeadLettered = Meter.CreateCounter<long>("eventsourcery.outbox.dead_lettered", "{event}", "Entries dead-lettered after their last attempt.");

    internal static readonly UpDownCounter<long> Pending = Meter.CreateUpDownCounter<long>("eventsourcery.outbox.pending", "{event}", "Entries not delivered yet, dead letters included.");
}
