using System.ComponentModel;
using System.Text.Json;

namespace EventSourcery;

/// <summary>
/// Lets the repository snapshot an aggregate: it takes a snapshot every
/// <see cref="RepositoryOptions.SnapshotEvery"/> events and loads the latest snapshot plus the events after it.
/// </summary>
/// <typeparam name="TSnapshot">A record the generator can serialize (it gets JSON code like an event).</typeparam>
/// <remarks>
/// The generator implements the non-generic <see cref="ISnapshotable"/> part in the partial aggregate: the JSON code
/// and a fingerprint of the snapshot's shape, so a snapshot stored before the shape changed is ignored rather than
/// misread.
/// </remarks>
public interface ISnapshotable<TSnapshot> : ISnapshotable
{
    /// <summary>Captures the aggregate's whole state.</summary>
    TSnapshot TakeSnapshot();

    /// <summary>Restores the state captured by <see cref="TakeSnapshot"/> into a freshly created aggregate.</summary>
    void RestoreSnapshot(TSnapshot snapshot);
}

/// <summary>The part of a snapshotable aggregate the generator writes. Not meant to be implemented by hand.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface ISnapshotable
{
    /// <summary>The snapshot type's name.</summary>
    string SnapshotType { get; }

    /// <summary>A hash of the snapshot type's serialized shape; it changes when the shape does.</summary>
    string SnapshotFingerprint { get; }

    /// <summary>Takes a snapshot and writes it as JSON.</summary>
    void WriteSnapshot(Utf8JsonWriter writer);

    /// <summary>Reads a snapshot written by <see cref="WriteSnapshot"/> and restores it.</summary>
    /// <exception cref="JsonException">The JSON does not fit the snapshot type.</exception>
    void ReadSnapshot(ReadOnlySpan<byte> utf8Json);
}

/// <summary>A stored snapshot of one stream's aggregate.</summary>
/// <param name="Version">The stream version the snapshot was taken at.</param>
/// <param name="EventId">The id of the event at <paramref name="Version"/>, so a snapshot of a replaced stream is detected.</param>
/// <param name="Type">The snapshot type's name.</param>
/// <param name="Fingerprint">The snapshot type's shape fingerprint when it was taken.</param>
/// <param name="Payload">The snapshot as UTF-8 JSON.</param>
public sealed record StoredSnapshot(long Version, Guid EventId, string Type, string Fingerprint, ReadOnlyMemory<byte> Payload);

/// <summary>A store that keeps one snapshot per stream; deleting a stream deletes its snapshot.</summary>
public interface ISnapshotStore
{
    /// <summary>Stores <paramref name="snapshot"/> as the stream's latest, replacing any older one.</summary>
    /// <exception cref="StreamNotFoundException">The stream does not exist.</exception>
    ValueTask SaveSnapshotAsync(StreamId streamId, StoredSnapshot snapshot, CancellationToken cancellationToken = default);

    /// <summary>The stream's latest snapshot, or null.</summary>
    ValueTask<StoredSnapshot?> LoadSnapshotAsync(StreamId streamId, CancellationToken cancellationToken = default);
}
