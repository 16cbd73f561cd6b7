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
        var takenAt = storage.StoredInstant(_shared.Time.GetUtcNow());
        var saved = await RunWriteAsync(
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
        return row is { Type: { } type, Fingerprint: { } fingerprint, Payload: { } payload } && row.EventId.TryParseGuid() is { } eventId
            ? new StoredSnapshot(row.Version, eventId, type, fingerprint, payload)
            : null;
    }

    private async ValueTask<AppendResult> AppendCoreAsync(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, bool toOutbox, CancellationToken cancellationToken)
    {
        AppendGuard.ThrowIfInvalid(streamId, events);
        cancellationToken.ThrowIfCancellationRequested();

        // Serialize before touching the database: an unknown type or a failing writer leaves the store untouched
        // and never holds the write lock. The events keep the append's trace context in their metadata.
        var storage = _shared.Storage;
        var telemetry = AppendTelemetry.Start(storage.DbSystem, streamId, toOutbox, _tenant, storage.IsServer);
        var serialized = new SerializedEvent[events.Count];
        try
        {
            // Personal data is encrypted with its subjects' keys, found or created first (in their own transaction).
            var serializer = _shared.Serializer;
            var keys = await serializer.Protector!.PrepareAsync(_recordedTenant, events, serializer.Registry, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < events.Count; i++)
            {
                serialized[i] = serializer.Serialize(streamId, events[i], telemetry.TraceParent, keys);
            }
        }
        catch (Exception ex)
        {
            telemetry.Failed(ex);
            throw;
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
        var executor = _shared.Executor;
        var listeners = _shared.Listeners;

        // Listeners run inside the append's transaction; without them, a provider whose append is one command may
        // leave its own transaction out (a round trip fewer).
        var oneCommand = listeners.IsEmpty && storage.AppendIsOneCommand;
        var lostRaces = 0;
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                TimeSpan delay;
                Exception? lostRace;
                try
                {
                    await using var write = await executor.BeginWriteAsync(oneCommand, cancellationToken).ConfigureAwait(false);
                    var session = write.Session;
                    var recordedAt = storage.StoredInstant(_shared.Time.GetUtcNow());
                    var positions = listeners.IsEmpty ? null : new long[events.Count];
                    var outcome = await storage.AppendAsync(session, stream, expectedVersion, events, serialized, recordedAt, outboxed, positions, cancellationToken).ConfigureAwait(false);
                    if (outcome.Refused)
                    {
                        // A retry of an append that committed finds its events where it would put them: its result.
                        var storedIds = await storage.FindEventIdsAsync(session, stream, events, cancellationToken).ConfigureAwait(false);
                        return telemetry.Succeeded(AppendRetry.Resolve(streamId, expectedVersion, events, storedIds)
                            ?? throw new ConcurrencyException(streamId, expectedVersion, outcome.CurrentVersion), serialized);
                    }

                    if (outcome.LastPosition is { } lastPosition)
                    {
                        var firstVersion = outcome.FirstVersion;
                        if (positions is not null)
                        {
                            await InvokeListenersAsync(listeners, RowMaterializer.WithStoredName(streamId, outcome.StreamName), firstVersion, positions, events, serialized, recordedAt, cancellationToken).ConfigureAwait(false);
                        }

                        await write.CommitAsync(cancellationToken).ConfigureAwait(false);
                        if (write.CommitIsFinal)
                        {
                            _shared.Signal.Appended(_tenant, lastPosition); // before the next operation: in commit order
                        }

                        return telemetry.Succeeded(new AppendResult(firstVersion + events.Count - 1, lastPosition), serialized);
                    }

                    lostRace = null; // the stream moved on between our read and our write: nothing was written
                }
                catch (ListenerFailedException failed)
                {
                    // Rolled back by now; the caller gets the listener's exception itself, with its own stack trace.
                    failed.Error.Throw();
                    throw;
                }
                catch (DbException ex) when (storage.IsEventIdViolation(ex))
                {
                    // Rolled back by now: whatever holds the ids was stored before this append. Its retry, or a reused id.
                    return telemetry.Succeeded(await ResolveTakenIdsAsync(streamId, stream, expectedVersion, events, ex, cancellationToken).ConfigureAwait(false), serialized);
                }
                catch (DbException ex) when (storage.IsUniqueViolation(ex))
                {
                    lostRace = ex; // another writer created the stream (or took the version) first; rolled back by now
                }
                catch (Exception ex) when (ex is not OperationCanceledException and not ConcurrencyException)
                {
                    if (!executor.Judge(ex, attempt, cancellationToken).ShouldRetry(out delay))
                    {
                        throw;
                    }

                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                // Lost a race: our read of the stream was stale. When the expectation still holds on what the winner
                // wrote (Any, or a stream created and deleted meanwhile), run the append again on that, a few times.
                await ThrowUnlessStillExpectedAsync(streamId, expectedVersion, stream, ++lostRaces, lostRace, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            telemetry.Failed(ex);
            throw;
        }
    }

    /// <summary>
    /// After an append hit the unique index of event ids and rolled back: the original append's result when this is its
    /// retry, or <see cref="ConcurrencyException"/> (the event that held an id was deleted since, as in any lost race).
    /// </summary>
    private async Task<AppendResult> ResolveTakenIdsAsync(StreamId streamId, StreamKey stream, ExpectedVersion expectedVersion, IReadOnlyList<Event> events, DbException taken, CancellationToken cancellationToken)
    {
        var storage = _shared.Storage;
        return await RunAsync(
            async (session, ct) =>
            {
                var storedIds = await storage.FindEventIdsAsync(session, stream, events, ct).ConfigureAwait(false);
                if (AppendRetry.Resolve(streamId, expectedVersion, events, storedIds) is { } original)
                {
                    return original;
                }

                var actual = await storage.FindStreamAsync(session, stream, ct).ConfigureAwait(false);
                throw new ConcurrencyException(streamId, expectedVersion, actual?.Version, taken);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// After a write lost a race (rolled back already, so this reads what the winner wrote): returns when the
    /// expectation still holds and the write may run again, otherwise throws <see cref="ConcurrencyException"/>.
    /// </summary>
    private async Task ThrowUnlessStillExpectedAsync(StreamId streamId, ExpectedVersion expected, StreamKey stream, int lostRaces, Exception? lostRace, CancellationToken cancellationToken)
    {
        var storage = _shared.Storage;
        var actual = await RunAsync((session, ct) => storage.FindStreamAsync(session, stream, ct), cancellationToken).ConfigureAwait(false);
        if (!expected.IsSatisfiedBy(actual?.Version) || lostRaces >= MaxLostRaceAttempts)
        {
            throw new ConcurrencyException(streamId, expected, actual?.Version, lostRace);
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

    /// <summary>How often an append whose expectation still holds after it lost a race is run again before it gives up.</summary>
    private const int MaxLostRaceAttempts = 5;

    /// <summary>A listener failed inside an append; carries its exception out of the store's own error handling.</summary>
    private sealed class ListenerFailedException(ExceptionDispatchInfo error) : Exception("A listener failed.", error.SourceException)
    {
        public ExceptionDispatchInfo Error { get; } = error;
    }
}
