using System.Runtime.ExceptionServices;
using EventSourcery.Serialization;
using EventSourcery.Relational.Storage;
using EventSourcery.Storage;
using System.Data.Common;

namespace EventSourcery;

// Writing: appends and publishes with their expected versions, retries and listeners; deletes; snapshots.
public abstract partial class RelationalEventStore
{
    /// <inheritdoc />
    public ValueTask<AppendResult> AppendAsync(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, CancellationToken cancellationToken = default)
        => AppendCoreAsync(streamId, events, expectedVersion, toOutbox: false, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AppendResult> PublishAsync(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, CancellationToken cancellationToken = default)
        => AppendCoreAsync(streamId, events, expectedVersion, toOutbox: true, cancellationToken);

    /// <inheritdoc />
    public async ValueTask<bool> DeleteStreamAsync(StreamId streamId, ExpectedVersion expectedVersion = default, CancellationToken cancellationToken = default)
    {
        AppendGuard.ThrowIfDefault(streamId, nameof(streamId));
        cancellationToken.ThrowIfCancellationRequested();
        var stream = StreamKey.From(streamId, _tenant);
        var storage = _shared.Storage;
        return await RunWriteAsync(
            streamId,
            expectedVersion,
            stream,
            async (session, ct) =>
            {
                var current = await storage.FindStreamForWriteAsync(session, stream, ct).ConfigureAwait(false);
                if (!expectedVersion.IsSatisfiedBy(current?.Version))
                {
                    throw new ConcurrencyException(streamId, expectedVersion, current?.Version);
                }

                if (current is not { } found)
                {
                    return false;
                }

                await storage.DeleteStreamAsync(session, found.Key, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The stream id is default, or the snapshot's type or fingerprint is null.</exception>
    public async ValueTask SaveSnapshotAsync(StreamId streamId, StoredSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        AppendGuard.ThrowIfDefault(streamId, nameof(streamId));
        ArgumentNullException.ThrowIfNull(snapshot);
        if (snapshot.Type is null || snapshot.Fingerprint is null)
        {
            throw new ArgumentException("A snapshot needs a type and a fingerprint.", nameof(snapshot));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var stream = StreamKey.From(streamId, _tenant);
        var storage = _shared.Storage;
        var takenAt = _shared.Time.GetUtcNow();
        var saved = await RunWriteAsync(
            streamId,
            ExpectedVersion.Any,
            stream,
            (session, ct) => storage.UpsertSnapshotAsync(session, stream, snapshot, takenAt, ct),
            cancellationToken).ConfigureAwait(false);
        if (!saved)
        {
            throw new StreamNotFoundException(streamId);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// A snapshot is only a shortcut for loading: a stored row that cannot be read back (a missing column, a malformed
    /// event id) reads as no snapshot, so the repository replays the stream instead.
    /// </remarks>
    public async ValueTask<StoredSnapshot?> LoadSnapshotAsync(StreamId streamId, CancellationToken cancellationToken = default)
    {
        AppendGuard.ThrowIfDefault(streamId, nameof(streamId));
        cancellationToken.ThrowIfCancellationRequested();
        var stream = StreamKey.From(streamId, _tenant);
        var storage = _shared.Storage;
        var row = await RunAsync((session, ct) => storage.FindSnapshotAsync(session, stream, ct), cancellationToken).ConfigureAwait(false);
        return row is { Type: { } type, Fingerprint: { } fingerprint, Payload: { } payload } && Guid.TryParse(row.EventId, out var eventId)
            ? new StoredSnapshot(row.Version, eventId, type, fingerprint, payload)
            : null;
    }

    private async ValueTask<AppendResult> AppendCoreAsync(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, bool toOutbox, CancellationToken cancellationToken)
    {
        AppendGuard.ThrowIfInvalid(streamId, events);
        cancellationToken.ThrowIfCancellationRequested();

        // Serialize before touching the database: an unknown type or a failing writer leaves the store untouched
        // and never holds the write lock.
        var serialized = new SerializedEvent[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            serialized[i] = _shared.Serializer.Serialize(streamId, events[i]);
        }

        // The outbox filter runs here too, for the same reason.
        bool[]? outboxed = null;
        if (toOutbox)
        {
            var filter = _shared.Options.OutboxFilter;
            outboxed = new bool[events.Count];
            for (var i = 0; i < events.Count; i++)
            {
                outboxed[i] = filter is null || filter(events[i]);
            }
        }

        var stream = StreamKey.From(streamId, _tenant);
        var storage = _shared.Storage;
        var time = _shared.Time;
        var listeners = _shared.Listeners;
        var signal = _shared.Signal;
        var tenant = _tenant;

        // Listeners run inside the append's transaction; without them, a provider whose append is one command may
        // leave its own transaction out (a round trip fewer).
        var oneCommand = listeners.IsEmpty && storage.AppendIsOneCommand;
        try
        {
            return await RunWriteAsync(
                streamId,
                expectedVersion,
                stream,
                oneCommand,
                async (session, ct) =>
                {
                    var recordedAt = time.GetUtcNow();
                    var positions = listeners.IsEmpty ? null : new long[events.Count];
                    AppendOutcome outcome;
                    try
                    {
                        outcome = await storage.AppendAsync(session, stream, expectedVersion, events, serialized, recordedAt, outboxed, positions, ct).ConfigureAwait(false);
                    }
                    catch (DbException ex) when (storage.IsEventIdViolation(ex))
                    {
                        throw new EventIdTakenException(ex);
                    }
                    catch (DbException ex) when (storage.IsUniqueViolation(ex))
                    {
                        throw new LostRaceException(ex);
                    }

                    if (outcome.Refused)
                    {
                        // A retry of an append that committed finds its events where it would put them: its result.
                        var storedIds = await storage.FindEventIdsAsync(session, stream, events, ct).ConfigureAwait(false);
                        return AppendRetry.Resolve(streamId, expectedVersion, events, storedIds)
                            ?? throw new ConcurrencyException(streamId, expectedVersion, outcome.CurrentVersion);
                    }

                    if (outcome.LastPosition is not { } lastPosition)
                    {
                        throw new LostRaceException(null);
                    }

                    var firstVersion = outcome.FirstVersion;
                    var lastVersion = firstVersion + events.Count - 1;
                    if (positions is not null)
                    {
                        await InvokeListenersAsync(listeners, RowMaterializer.WithStoredName(streamId, outcome.StreamName), firstVersion, positions, events, serialized, recordedAt, ct).ConfigureAwait(false);
                    }

                    return new AppendResult(lastVersion, lastPosition);
                },
                committed: result => signal.Appended(tenant, result.LastPosition),
                cancellationToken).ConfigureAwait(false);
        }
        catch (ListenerFailedException failed)
        {
            // Rolled back by now; the caller gets the listener's exception itself, with its own stack trace.
            failed.Error.Throw();
            throw;
        }
        catch (EventIdTakenException taken)
        {
            // Rolled back by now: whatever holds the ids was stored before this append. Its retry, or a reused id.
            return await RunAsync(
                async (session, ct) =>
                {
                    var storedIds = await storage.FindEventIdsAsync(session, stream, events, ct).ConfigureAwait(false);
                    if (AppendRetry.Resolve(streamId, expectedVersion, events, storedIds) is { } original)
                    {
                        return original;
                    }

                    // The event that held the id was deleted since: as with any other lost race.
                    var actual = await storage.FindStreamAsync(session, stream, ct).ConfigureAwait(false);
                    throw new ConcurrencyException(streamId, expectedVersion, actual?.Version, taken.InnerException);
                },
                cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs the listeners inside the append, on the events the caller passed in (nothing is read back), recorded with
    /// what was just written. Their exception is wrapped so that nothing on the way out mistakes it for one of the
    /// store's own (a busy database to retry, a lost race), and unwrapped once the append is rolled back.
    /// </summary>
    private async Task InvokeListenersAsync(EventListeners listeners, StreamId streamId, long firstVersion, long[] positions, IReadOnlyList<Event> events, SerializedEvent[] serialized, DateTimeOffset recordedAt, CancellationToken cancellationToken)
    {
        var recorded = new RecordedEvent[events.Count];
        for (var i = 0; i < recorded.Length; i++)
        {
            recorded[i] = new RecordedEvent(streamId, firstVersion + i, positions[i], events[i], serialized[i].Type.Name, serialized[i].Type.SchemaVersion, recordedAt, _recordedTenant);
        }

        try
        {
            await ListenerInvoker.InvokeAsync(listeners, recorded, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            throw new ListenerFailedException(ExceptionDispatchInfo.Capture(ex));
        }
    }

    /// <summary>
    /// Runs a write to one stream all-or-nothing (see <see cref="RelationalExecutor.RunWriteAsync{T}"/>); a lost race
    /// becomes <see cref="ConcurrencyException"/> with the stream's version read afresh.
    /// </summary>
    private Task<T> RunWriteAsync<T>(StreamId streamId, ExpectedVersion expected, StreamKey stream, Func<RelationalSession, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
        => RunWriteAsync(streamId, expected, stream, oneCommand: false, work, committed: null, cancellationToken);

    /// <summary>
    /// Runs a write to one stream like the overload without <paramref name="committed"/>. When the write commits a
    /// transaction of the store's own (not the user's), <paramref name="committed"/> runs before the store's next
    /// operation, so that its effects follow commit order. With <paramref name="oneCommand"/>, the work writes with one
    /// atomic command (see <see cref="RelationalExecutor.RunOneCommandWriteAsync{T}"/>).
    /// </summary>
    private async Task<T> RunWriteAsync<T>(StreamId streamId, ExpectedVersion expected, StreamKey stream, bool oneCommand, Func<RelationalSession, CancellationToken, Task<T>> work, Action<T>? committed, CancellationToken cancellationToken)
    {
        var executor = _shared.Executor;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return oneCommand
                    ? await executor.RunOneCommandWriteAsync(work, committed, cancellationToken).ConfigureAwait(false)
                    : await executor.RunWriteAsync(work, committed, cancellationToken).ConfigureAwait(false);
            }
            catch (LostRaceException lost)
            {
                // Rolled back already (to the savepoint in the user's transaction), so this reads what the winner wrote.
                var storage = _shared.Storage;
                var actual = await RunAsync((session, ct) => storage.FindStreamAsync(session, stream, ct), cancellationToken).ConfigureAwait(false);

                // Our read of the stream was stale, but the expectation still holds (Any, or a stream that another
                // writer created and deleted meanwhile): run the write again on what is there now, a few times.
                if (!expected.IsSatisfiedBy(actual?.Version) || attempt >= MaxLostRaceAttempts)
                {
                    throw new ConcurrencyException(streamId, expected, actual?.Version, lost.InnerException);
                }
            }
        }
    }

    /// <summary>How often a write whose expectation still holds after it lost a race is run again before it gives up.</summary>
    private const int MaxLostRaceAttempts = 5;

    /// <summary>A listener failed inside an append; carries its exception out of the store's own error handling.</summary>
    private sealed class ListenerFailedException(ExceptionDispatchInfo error) : Exception("A listener failed.", error.SourceException)
    {
        public ExceptionDispatchInfo Error { get; } = error;
    }

    /// <summary>Another writer changed the stream between our read of its version and our write.</summary>
    private sealed class LostRaceException(Exception? innerException) : Exception("Lost a race for the stream.", innerException);

    /// <summary>An insert hit the unique index of event ids: thrown out of the append's transaction to roll it back first.</summary>
    private sealed class EventIdTakenException(Exception innerException) : Exception("An event id is already stored.", innerException);
}
