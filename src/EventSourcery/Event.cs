namespace EventSourcery;

/// <summary>
/// Base of every event: an immutable record stating a fact in the past tense (<c>OrderCancelled</c>, <c>TurnedOn</c>).
/// </summary>
/// <remarks>
/// Derive sealed records from it; the EventSourcery generator registers each one under a stable name and writes its
/// JSON serialization, so no reflection is needed to store or read it.
/// </remarks>
public abstract record Event
{
    /// <summary>Creates an event with a new time-ordered id (UUIDv7), the current UTC time and empty metadata.</summary>
    protected Event()
    {
        Id = Guid.CreateVersion7();
        CreatedAt = DateTimeOffset.UtcNow;
    }

    /// <summary>The event's unique id, a UUIDv7 by default (time-ordered, so ids sort by creation time).</summary>
    public Guid Id { get; init; }

    /// <summary>When the event was created, in UTC by default; stored and read back exactly, to the tick and offset.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Tracing metadata: correlation and causation ids plus free-form entries. Never null.</summary>
    public EventMetadata Metadata
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(Metadata));
    } = EventMetadata.Empty;
}
