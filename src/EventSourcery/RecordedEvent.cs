namespace EventSourcery;

/// <summary>An event as a store holds it: the event itself plus where and when it was stored.</summary>
public sealed class RecordedEvent
{
    /// <summary>Creates a recorded event (stores do; tests of publishers and projections may too).</summary>
    public RecordedEvent(StreamId streamId, long version, long position, Event @event, string eventName, int schemaVersion, DateTimeOffset recordedAt, string? tenantId = null)
    {
        ArgumentNullException.ThrowIfNull(@event);
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        StreamId = streamId;
        Version = version;
        Position = position;
        Event = @event;
        EventName = eventName;
        SchemaVersion = schemaVersion;
        RecordedAt = recordedAt;
        TenantId = tenantId;
    }

    /// <summary>The stream the event belongs to.</summary>
    public StreamId StreamId { get; }

    /// <summary>The event's version in its stream: 1 for the first event, contiguous after that.</summary>
    public long Version { get; }

    /// <summary>The event's global position in the store: greater than 0 and strictly increasing in commit order.</summary>
    public long Position { get; }

    /// <summary>The event.</summary>
    public Event Event { get; }

    /// <summary>The stable name the event was stored under.</summary>
    public string EventName { get; }

    /// <summary>The schema version the event was stored with.</summary>
    public int SchemaVersion { get; }

    /// <summary>When the store committed the event (UTC).</summary>
    public DateTimeOffset RecordedAt { get; }

    /// <summary>The tenant whose stream holds the event, or null in the default (tenant-less) view.</summary>
    public string? TenantId { get; }

    /// <summary><c>stream@version #position EventName</c>.</summary>
    public override string ToString() => $"{StreamId}@{Version} #{Position} {EventName}";
}
