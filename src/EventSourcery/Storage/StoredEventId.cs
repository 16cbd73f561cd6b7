namespace EventSourcery.Storage;

/// <summary>Where an event id of an append is already stored: its stream (and whether that is the append's), version and position.</summary>
/// <param name="StreamId">The stream that holds the event.</param>
/// <param name="InAppendedStream">Whether that is the stream (and tenant) the append is for.</param>
/// <param name="Version">The stored event's version in its stream.</param>
/// <param name="Position">The stored event's global position.</param>
public readonly record struct StoredEventId(StreamId StreamId, bool InAppendedStream, long Version, long Position);
