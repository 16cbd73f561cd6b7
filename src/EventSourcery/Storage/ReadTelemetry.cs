using System.Diagnostics;

namespace EventSourcery.Storage;

/// <summary>
/// The span of one stream read (<c>read {category}</c>), for store authors: start it when the caller starts enumerating
/// <see cref="IEventStore.ReadStreamAsync"/> and end it (<see cref="Ended"/>) when the enumeration ends, however it
/// ends (in a <c>finally</c>: completed, failed or abandoned by the caller). Nothing is made when nobody listens.
/// </summary>
public readonly struct ReadTelemetry
{
    private readonly Activity? _activity;

    private ReadTelemetry(Activity? activity) => _activity = activity;

    /// <summary>Starts the span of a read of <paramref name="streamId"/> from <paramref name="fromVersion"/>.</summary>
    /// <param name="dbSystem">The store's database (<c>sqlite</c>, <c>postgresql</c>, <c>in-memory</c>).</param>
    /// <param name="streamId">The stream read.</param>
    /// <param name="fromVersion">The first version asked for.</param>
    /// <param name="tenant">The tenant of a tenant view; null or empty for the default view.</param>
    /// <param name="remote">Whether the store is a server the span is a client of (rather than in-process).</param>
    public static ReadTelemetry Start(string dbSystem, StreamId streamId, long fromVersion, string? tenant, bool remote)
    {
        ArgumentNullException.ThrowIfNull(dbSystem);
        if (!EventSourceryTelemetry.Source.HasListeners())
        {
            return default;
        }

        var category = streamId.Category;
        var activity = EventSourceryTelemetry.Source.StartActivity(category is null ? "read" : $"read {category}", remote ? ActivityKind.Client : ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(TelemetryTags.DbSystem, dbSystem);
            activity.SetTag(TelemetryTags.DbOperation, "read");
            activity.SetTag(TelemetryTags.StreamCategory, category);
            activity.SetTag(TelemetryTags.StreamId, streamId.ToString());
            activity.SetTag(TelemetryTags.FromVersion, fromVersion);
            activity.SetTag(TelemetryTags.Tenant, string.IsNullOrEmpty(tenant) ? null : tenant);
        }

        return new ReadTelemetry(activity);
    }

    /// <summary>Ends the span with the number of events the caller was given.</summary>
    public void Ended(long eventsRead)
    {
        if (_activity is not null)
        {
            _activity.SetTag(TelemetryTags.EventCount, eventsRead);
            _activity.Dispose();
        }
    }
}
