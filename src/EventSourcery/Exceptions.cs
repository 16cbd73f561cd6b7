namespace EventSourcery;

/// <summary>An optimistic-concurrency check failed: the stream's version was not what the writer expected.</summary>
public sealed class ConcurrencyException : Exception
{
    /// <summary>Creates the exception for <paramref name="streamId"/>.</summary>
    public ConcurrencyException(StreamId streamId, ExpectedVersion expected, long? actual, Exception? innerException = null)
        : base(BuildMessage(streamId, expected, actual), innerException)
    {
        StreamId = streamId;
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The stream whose version did not match.</summary>
    public StreamId StreamId { get; }

    /// <summary>What the writer expected.</summary>
    public ExpectedVersion Expected { get; }

    /// <summary>The stream's version when the check failed, or null when the stream did not exist.</summary>
    public long? Actual { get; }

    private static string BuildMessage(StreamId streamId, ExpectedVersion expected, long? actual)
        => $"Stream {streamId}: expected version {expected}, but the stream {(actual is null ? "does not exist" : $"is at version {actual}")}.";
}

/// <summary>An operation needed an existing stream and found none.</summary>
public sealed class StreamNotFoundException : Exception
{
    /// <summary>Creates the exception for <paramref name="streamId"/>.</summary>
    public StreamNotFoundException(StreamId streamId)
        : base($"Stream {streamId} does not exist.") => StreamId = streamId;

    /// <summary>The stream that was not found.</summary>
    public StreamId StreamId { get; }
}

/// <summary>A stored event could not be turned back into an event: its name is unknown or its payload is corrupt.</summary>
public sealed class EventReadException : Exception
{
    // A damaged row can hold megabytes; a message quoting them (a parser's error may) would flood every log it reaches.
    private const int MaxQuoted = 1024;

    /// <summary>
    /// Creates the exception for the stored event at <paramref name="position"/>. The stored name and the reason are
    /// cut to 1,024 characters each in the message (a damaged row's text can be megabytes); the properties and the inner
    /// exception keep them whole.
    /// </summary>
    public EventReadException(StreamId streamId, long version, long position, string? eventName, string reason, Exception? innerException = null)
        : base($"Cannot read event '{Bounded(eventName ?? "<null>")}' at stream {streamId}, version {version}, position {position}: {Bounded(reason)}", innerException)
    {
        StreamId = streamId;
        Version = version;
        Position = position;
        EventName = eventName;
    }

    /// <summary>The stream holding the unreadable event.</summary>
    public StreamId StreamId { get; }

    private static string Bounded(string? text)
        => text is null || text.Length <= MaxQuoted
            ? text ?? string.Empty
            : string.Concat(text.AsSpan(0, MaxQuoted), $"… ({(text.Length - MaxQuoted).ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} more characters)");

    /// <summary>The unreadable event's version in its stream.</summary>
    public long Version { get; }

    /// <summary>The unreadable event's global position.</summary>
    public long Position { get; }

    /// <summary>The stored event name, or null when none was stored.</summary>
    public string? EventName { get; }
}

/// <summary>
/// An append reused an event id: one already stored elsewhere than this append would put it (or twice in one append).
/// Event ids are unique per store, so that consumers which deduplicate by id never drop a real event. Retrying an
/// append that did commit is not this error: it returns the original result (see <see cref="IEventStore.AppendAsync"/>).
/// Nothing of the append was stored.
/// </summary>
public sealed class DuplicateEventIdException : Exception
{
    /// <summary>Creates the exception for <paramref name="eventId"/>, appended to <paramref name="streamId"/>.</summary>
    /// <param name="streamId">The stream the append was for.</param>
    /// <param name="eventId">The reused id.</param>
    /// <param name="storedIn">The stream that already holds an event with this id, or null when the id was repeated within the append.</param>
    /// <param name="storedVersion">That event's version in <paramref name="storedIn"/> (0 when the id was repeated within the append).</param>
    public DuplicateEventIdException(StreamId streamId, Guid eventId, StreamId? storedIn, long storedVersion)
        : base(storedIn is { } stored
            ? $"Event id {eventId} appended to stream {streamId} is already stored, as version {storedVersion} of stream {stored}. Each event needs its own id (a copy made with 'with' keeps the original's: give it a new Id)."
            : $"Event id {eventId} appears more than once in one append to stream {streamId}. Each event needs its own id (the same event instance added twice, or a copy made with 'with').")
    {
        StreamId = streamId;
        EventId = eventId;
        StoredIn = storedIn;
        StoredVersion = storedVersion;
    }

    /// <summary>The stream the append was for.</summary>
    public StreamId StreamId { get; }

    /// <summary>The reused id.</summary>
    public Guid EventId { get; }

    /// <summary>The stream that already holds an event with this id, or null when the id was repeated within the append.</summary>
    public StreamId? StoredIn { get; }

    /// <summary>The stored event's version in <see cref="StoredIn"/>, or 0.</summary>
    public long StoredVersion { get; }
}

/// <summary>An event to be appended is larger than the store accepts (its serializer's <see cref="Serialization.EventSerializer.MaxEventBytes"/>); nothing of the append was stored.</summary>
public sealed class EventTooLargeException : Exception
{
    /// <summary>Creates the exception for the event <paramref name="eventId"/> to be appended to <paramref name="streamId"/>.</summary>
    public EventTooLargeException(StreamId streamId, Guid eventId, string eventName, long size, long limit)
        : base($"Event '{eventName}' ({eventId}) for stream {streamId} takes {size:N0} bytes as stored (payload and metadata), more than the limit of {limit:N0}. Keep large content outside the event (store a reference), or raise MaxEventBytes.")
    {
        StreamId = streamId;
        EventId = eventId;
        EventName = eventName;
        Size = size;
        Limit = limit;
    }

    /// <summary>The stream the event was to be appended to.</summary>
    public StreamId StreamId { get; }

    /// <summary>The event's id.</summary>
    public Guid EventId { get; }

    /// <summary>The event's stored name.</summary>
    public string EventName { get; }

    /// <summary>The bytes the event would take: UTF-8 payload plus metadata.</summary>
    public long Size { get; }

    /// <summary>The most bytes an event may take.</summary>
    public long Limit { get; }
}

/// <summary>An event type has no generated registration, so it cannot be stored or read.</summary>
public sealed class UnknownEventTypeException : Exception
{
    /// <summary>Creates the exception for an event type unknown to the registry.</summary>
    public UnknownEventTypeException(Type eventType)
        : base($"The event type {eventType.FullName} is not registered. Make it a non-abstract record deriving from EventSourcery.Event in a project that references EventSourcery (the generator registers it).")
        => EventType = eventType;

    /// <summary>The unregistered type.</summary>
    public Type EventType { get; }
}

/// <summary>Two registered event types share one stable name; the registry refuses to pick one.</summary>
public sealed class DuplicateEventNameException : Exception
{
    /// <summary>Creates the exception for <paramref name="name"/>.</summary>
    public DuplicateEventNameException(string name, Type first, Type second)
        : base($"The event name '{name}' is used by both {first.FullName} and {second.FullName}. Give one of them an [EventName(\"...\")].")
        => Name = name;

    /// <summary>The contested name.</summary>
    public string Name { get; }
}

/// <summary>An aggregate received an event it has no <c>Apply</c> method for.</summary>
public sealed class UnhandledEventException : Exception
{
    /// <summary>Creates the exception for <paramref name="aggregateType"/> and <paramref name="eventType"/>.</summary>
    public UnhandledEventException(Type aggregateType, Type eventType, string message)
        : base(message)
    {
        AggregateType = aggregateType;
        EventType = eventType;
    }

    /// <summary>The aggregate's type.</summary>
    public Type AggregateType { get; }

    /// <summary>The unhandled event's type.</summary>
    public Type EventType { get; }

    /// <summary>The aggregate has no <c>Apply</c> overload accepting the event (thrown by the generated dispatch).</summary>
    public static UnhandledEventException NoApply(Aggregate aggregate, Event @event)
    {
        ArgumentNullException.ThrowIfNull(aggregate);
        ArgumentNullException.ThrowIfNull(@event);
        var (a, e) = (aggregate.GetType(), @event.GetType());
        return new(a, e, $"{a.Name} has no Apply method for {e.Name}. Add 'void Apply({e.Name} e)' to {a.Name} (see ES0002).");
    }

    internal static UnhandledEventException NoDispatch(Aggregate aggregate, Event @event)
    {
        var (a, e) = (aggregate.GetType(), @event.GetType());
        // The runtime cannot tell (without reflection) why the code is missing, so the message names both causes.
        return new(a, e,
            $"{a.Name} cannot apply {e.Name}: its generated code is missing (no generated Apply dispatch), so the EventSourcery "
            + $"generator did not run for it. The generator writes it for aggregates declared 'partial' (ES0001 reports one "
            + "that is not) in projects that reference the EventSourcery package with its analyzers; check that the package "
            + "is not referenced with ExcludeAssets=\"analyzers\" and that analyzers are not switched off, then rebuild.");
    }
}

/// <summary>
/// An <see cref="UpcasterAttribute"/> step threw while reading a stored older version. Reads report it as the inner
/// exception of an <see cref="EventReadException"/> naming the stored event.
/// </summary>
public sealed class EventUpcastException : Exception
{
    /// <summary>Creates the exception for the step that failed.</summary>
    public EventUpcastException(Serialization.EventVersion version, Exception innerException)
        : base($"The upcaster of {version?.Name} version {version?.SchemaVersion} failed: {innerException?.Message}", innerException)
    {
        ArgumentNullException.ThrowIfNull(version);
        EventName = version.Name;
        SchemaVersion = version.SchemaVersion;
    }

    /// <summary>The stored name of the version whose upcaster failed.</summary>
    public string EventName { get; }

    /// <summary>The schema version the failing step reads.</summary>
    public int SchemaVersion { get; }
}
