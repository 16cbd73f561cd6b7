namespace EventSourcery;

/// <summary>An event of a stream with its version: all that rebuilding an aggregate needs.</summary>
/// <param name="Version">The event's version in its stream (1 for the first).</param>
/// <param name="Event">The event.</param>
public readonly record struct VersionedEvent(long Version, Event Event);

/// <summary>
/// A store that reads a stream's events without the rest of a <see cref="RecordedEvent"/> (position, recording time,
/// stored name), which makes rebuilding an aggregate cheaper. <see cref="Repository{TAggregate}"/> uses it when its
/// store offers it (the SQLite store does) and <see cref="IEventStore.ReadStreamAsync"/> otherwise; both give the same
/// events and versions.
/// </summary>
public interface IStreamEventReader
{
    /// <summary>Reads a stream's events in version order from <paramref name="fromVersion"/>. A missing stream reads as empty.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fromVersion"/> is less than 1.</exception>
    /// <exception cref="EventReadException">A stored event cannot be turned back into an event; it names the stream, version and position.</exception>
    IAsyncEnumerable<VersionedEvent> ReadStreamEventsAsync(StreamId streamId, long fromVersion = 1, CancellationToken cancellationToken = default);
}
