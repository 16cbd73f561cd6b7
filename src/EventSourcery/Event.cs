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
    // Set by EventType.ReadPayload for the one event a generated reader constructs, which then sets Id, CreatedAt and
    // Metadata from the stored values: a fresh UUIDv7 costs a system call for random bytes (450-600 ns, more than reading
    // the rest of a small event), only to be overwritten. Thread-local and cleared before ReadPayload returns, so it never
    // reaches user code; see docs/decisions/0005-restoring-events-without-fresh-ids.md.
    [ThreadStatic]
    private static bool t_restoring;

    /// <summary>Creates an event with a new time-ordered id (UUIDv7), the current UTC time and empty metadata.</summary>
    protected Event()
    {
        if (t_restoring)
        {
            t_restoring = false; // read back from storage: the generated reader sets the stored id and time
            return;
        }

        Id = Guid.CreateVersion7();
        CreatedAt = DateTimeOffset.UtcNow;
    }

    /// <summary>
    /// Runs a generated reader so that the event it constructs skips making an id and time of its own (the reader sets
    /// the stored ones). Only for <see cref="Serialization.EventType.ReadPayload(ReadOnlySpan{byte}, in Serialization.EventHeader)"/>: the reader constructs exactly one
    /// event, last, and synchronously.
    /// </summary>
    internal static Event Restore(Serialization.EventPayloadReader read, ref System.Text.Json.Utf8JsonReader reader, in Serialization.EventHeader header)
    {
        t_restoring = true;
        try
        {
            return read(ref reader, header);
        }
        finally
        {
            t_restoring = false; // also when the reader failed before constructing the event
        }
    }

    /// <summary>Runs a generated reader that decrypts personal data, as <see cref="Restore(Serialization.EventPayloadReader, ref System.Text.Json.Utf8JsonReader, in Serialization.EventHeader)"/> does.</summary>
    internal static Event Restore(Serialization.ProtectedPayloadReader read, ref System.Text.Json.Utf8JsonReader reader, in Serialization.EventHeader header, Serialization.PersonalDataCipher cipher)
    {
        t_restoring = true;
        try
        {
            return read(ref reader, header, cipher);
        }
        finally
        {
            t_restoring = false;
        }
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
