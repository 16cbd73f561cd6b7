using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace EventSourcery;

/// <summary>
/// The names to subscribe to EventSourcery's telemetry with OpenTelemetry (<c>AddSource</c> and <c>AddMeter</c>) or a
/// <see cref="ActivityListener"/> and <see cref="MeterListener"/>: one <see cref="ActivitySource"/> and one
/// <see cref="Meter"/>, both named <c>EventSourcery</c>. Every span, metric and tag is listed in docs/telemetry.md;
/// no span or metric carries an event's payload.
/// </summary>
public static class EventSourceryTelemetry
{
    /// <summary>The name of the activity source and of the meter: <c>EventSourcery</c>.</summary>
    public const string Name = "EventSourcery";

    /// <summary>The activity source's name (the same as <see cref="Name"/>).</summary>
    public const string ActivitySourceName = Name;

    /// <summary>The meter's name (the same as <see cref="Name"/>).</summary>
    public const string MeterName = Name;

    private static readonly string Version = typeof(EventSourceryTelemetry).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    internal static readonly ActivitySource Source = new(ActivitySourceName, Version);

    internal static readonly Meter Meter = new(MeterName, Version);

    internal static readonly Counter<long> EventsAppended = Meter.CreateCounter<long>(
        "eventsourcery.events.appended", "{event}", "Events appended, by stream category, event type and tenant.");

    internal static readonly Histogram<double> AppendDuration = Meter.CreateHistogram<double>(
        "eventsourcery.append.duration", "s", "How long an append took, retries included, whatever its outcome.");

    internal static readonly Counter<long> ConcurrencyConflicts = Meter.CreateCounter<long>(
        "eventsourcery.append.conflicts", "{append}", "Appends refused because the stream was not at the expected version.");

    internal static readonly Histogram<double> LoadDuration = Meter.CreateHistogram<double>(
        "eventsourcery.load.duration", "s", "How long a repository load took (snapshot and replay).");

    internal static readonly Histogram<long> EventsReplayed = Meter.CreateHistogram<long>(
        "eventsourcery.load.events_replayed", "{event}", "Events replayed by one repository load (after its snapshot, if any).");

    internal static readonly Counter<long> EventsProjected = Meter.CreateCounter<long>(
        "eventsourcery.projection.events_handled", "{event}", "Events a projection handled, by projection name (counted when their batch is done).");

    internal static readonly Gauge<long> ProjectionLag = Meter.CreateGauge<long>(
        "eventsourcery.projection.lag", "{event}", "Events stored after a projection's last handled event, measured after each batch.");

    internal static readonly Gauge<double> ProjectionLagTime = Meter.CreateGauge<double>(
        "eventsourcery.projection.lag.time", "s", "While events wait behind a projection, how long ago its last handled event was recorded; 0 when it has caught up.");

    internal static readonly Gauge<long> ProjectionCheckpoint = Meter.CreateGauge<long>(
        "eventsourcery.projection.checkpoint", "{position}", "The position of the last event a projection handled.");

    internal static readonly Histogram<double> DeliveryDuration = Meter.CreateHistogram<double>(
        "eventsourcery.outbox.delivery.duration", "s", "How long the publisher took over one delivery attempt, whatever its outcome.");

    internal static readonly Histogram<double> ProjectionBatchDuration = Meter.CreateHistogram<double>(
        "eventsourcery.projection.batch.duration", "s", "How long a projection took over one batch, retries included, whatever its outcome.");
}
