namespace EventSourcery;

/// <summary>
/// Stands in for a stored event that cannot be read (its type was renamed or removed in a deploy, or its row is
/// damaged) where a store must still show that it exists: an <see cref="OutboxEntry"/> dead-lettered because of it.
/// It is never stored and never handed to a publisher, a projection or a listener.
/// </summary>
/// <param name="StoredName">The name the event was stored under, or null when none was stored.</param>
/// <param name="Payload">The stored payload as text (possibly not valid JSON), or null when none was stored.</param>
/// <param name="Reason">Why it cannot be read (the <see cref="EventReadException"/>'s message).</param>
public sealed record UnreadableEvent(string? StoredName, string? Payload, string Reason) : Event
{
    /// <summary>The event name a <see cref="RecordedEvent"/> of an unreadable event carries when no name was stored.</summary>
    public const string NoStoredName = "(no name stored)";
}
