using System.Text;
using EventSourcery.Serialization;
using EventSourcery.Storage;

namespace EventSourcery;

// Writing: appends and publishes with their expected versions, retries and listeners; deletes; snapshots.
public sealed partial class InMemoryEventStore
{
    /// <inheritdoc />
    public ValueTask<AppendResult> AppendAsync(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, CancellationToken cancellationToken = default)
        => AppendAsync(streamId, events, expectedVersion, toOutbox: false, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AppendResult> PublishAsync(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, CancellationToken cancellationToken = default)
        => AppendAsync(streamId, events, expectedVersion, toOutbox: true, cancellationToken);

    /// <inheritdoc />
    public async ValueTask<bool> DeleteStreamAsync(StreamId streamId, ExpectedVersion expectedVersion = default, CancellationToken cancellationToken = default)
    {
        streamId.ThrowIfDefault(nameof(streamId));
        await _state.WriteGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return DeleteStream(streamId, expectedVersion);
        }
        finally
        {
            _state.WriteGate.Release();
        }
    }

    private bool DeleteStream(StreamId streamId, ExpectedVersion expectedVersion)
    {
        lock (_state.Lock)
        {
            var key = (_tenant, streamId);
            var current = _state.Streams.TryGetValue(key, out var stream) ? stream.Count : (long?)null;
            if (!expectedVersion.IsSatisfiedBy(current))
            {
                throw new ConcurrencyException(streamId, expectedVersion, current);
            }

            if (stream is null)
            {
                return false;
            }

            foreach (var stored in stream)
            {
                stored.Deleted = true;
            }

            _state.Streams.Remove(key);
            _state.Snapshots.Remove(key);

            // The view's last position is its last event still stored: a waiting subscriber must not see the
            // deleted events as something new to read (it would poll in a loop).
            _state.TenantLastPositions[_tenant] = _state.All.LastOrDefault(e => e.Tenant == _tenant && !e.Deleted)?.Position ?? 0;
            return true;
        }
    }

    /// <inheritdoc />
    public ValueTask SaveSnapshotAsync(StreamId streamId, StoredSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        streamId.ThrowIfDefault(nameof(streamId));
        ArgumentNullException.ThrowIfNull(snapshot);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_state.Lock)
        {
            var key = (_tenant, streamId);
            if (!_state.Streams.ContainsKey(key))
            {
                throw new StreamNotFoundException(streamId);
            }

            _state.Snapshots[key] = snapshot with { Payload = snapshot.Payload.ToArray() };
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<StoredSnapshot?> LoadSnapshotAsync(StreamId streamId, CancellationToken cancellationToken = default)
    {
        streamId.ThrowIfDefault(nameof(streamId));
        cancellationToken.ThrowIfCancellationRequested();
        lock (_state.Lock)
        {
            return ValueTask.FromResult(_state.Snapshots.GetValueOrDefault((_tenant, streamId)));
        }
    }

    private async ValueTask<AppendResult> AppendAsync(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, bool toOutbox, CancellationToken cancellationToken)
    {
        AppendGuard.ThrowIfInvalid(streamId, events);
        cancellationToken.ThrowIfCancellationRequested();

        var telemetry = AppendTelemetry.Start("in-memory", streamId, toOutbox, _tenant, remote: false);
        SerializedEvent[] serialized;
        try
        {
            // Serialize before taking the write gate: an unknown type or a failing writer must leave the store untouched.
            // Personal data is encrypted with its subjects' keys, loaded (or created) first.
            var keys = await _serializer.Protector!.PrepareAsync(TenantOrNull(_tenant), events, _serializer.Registry, cancellationToken).ConfigureAwait(false);
            serialized = new SerializedEvent[events.Count];
            for (var i = 0; i < events.Count; i++)
            {
                serialized[i] = _serializer.Serialize(streamId, events[i], telemetry.TraceParent, keys);
            }

            // Writes take turns (like SQLite's write lock), so listeners can run between the check and the commit.
            await _state.WriteGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            telemetry.Failed(ex);
            throw;
        }

        try
        {
            var (pending, original) = Prepare(streamId, events, expectedVersion, serialized);
            if (pending is null)
            {
                return telemetry.Succeeded(original, serialized); // a retry of an append that committed: nothing more is stored
            }

            if (!_state.Listeners.IsEmpty)
            {
                var recorded = new RecordedEvent[events.Count];
                for (var i = 0; i < events.Count; i++)
                {
                    var stored = pending.Stored[i];
                    recorded[i] = new RecordedEvent(stored.StreamId, stored.Version, stored.Position, events[i], stored.Name, stored.SchemaVersion, stored.RecordedAt, TenantOrNull(stored.Tenant));
                }

                await _state.Listeners.InvokeAsync(recorded, cancellationToken).ConfigureAwait(false); // throws: nothing is committed
            }

            return telemetry.Succeeded(Commit(pending, toOutbox, events), serialized);
        }
        catch (Exception ex)
        {
            telemetry.Failed(ex);
            throw;
        }
        finally
        {
            _state.WriteGate.Release();
        }
    }

    /// <summary>
    /// Checks the ids and the expectation and builds the rows to store, without changing anything yet; or, for a retry
    /// of an append that committed (its events stored just where this one would put them), returns that append's result.
    /// </summary>
    private (PendingAppend? Pending, AppendResult Original) Prepare(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, SerializedEvent[] serialized)
    {
        lock (_state.Lock)
        {
            var key = (_tenant, streamId);
            if (FindStoredIds(key, events) is { } storedIds
                && AppendRetry.Resolve(streamId, expectedVersion, events, storedIds) is { } original)
            {
                return (null, original);
            }

            var current = _state.Streams.TryGetValue(key, out var stream) ? stream.Count : (long?)null;
            if (!expectedVersion.IsSatisfiedBy(current))
            {
                throw new ConcurrencyException(streamId, expectedVersion, current);
            }

            if (stream is { Count: > 0 })
            {
                streamId = stream[0].StreamId; // the id the stream was created with keeps its name
            }

            var recordedAt = _state.Time.GetUtcNow();
            var stored = new StoredEvent[events.Count];
            for (var i = 0; i < events.Count; i++)
            {
                var e = events[i];
                stored[i] = new StoredEvent(
                    _tenant,
                    streamId,
                    (current ?? 0) + i + 1,
                    _state.LastPosition + i + 1,
                    serialized[i].Type.Name,
                    serialized[i].Type.SchemaVersion,
                    Encoding.UTF8.GetBytes(serialized[i].Payload),
                    serialized[i].Metadata is { } metadata ? Encoding.UTF8.GetBytes(metadata) : [],
                    e.Id,
                    e.CreatedAt,
                    recordedAt);
            }

            return (new PendingAppend(key, stored), default);
        }
    }

    /// <summary>Where each event's id is stored already (in any tenant), or null when none of them is. Called under the lock.</summary>
    private StoredEventId?[]? FindStoredIds((string Tenant, StreamId Stream) key, IReadOnlyList<Event> events)
    {
        StoredEventId?[]? found = null;
        for (var i = 0; i < events.Count; i++)
        {
            if (_state.EventIds.TryGetValue(events[i].Id, out var stored) && !stored.Deleted)
            {
                found ??= new StoredEventId?[events.Count];
                found[i] = new StoredEventId(stored.StreamId, stored.Tenant == key.Tenant && stored.StreamId == key.Stream, stored.Version, stored.Position);
            }
        }

        return found;
    }

    private AppendResult Commit(PendingAppend pending, bool toOutbox, IReadOnlyList<Event> events)
    {
        lock (_state.Lock)
        {
            if (!_state.Streams.TryGetValue(pending.Key, out var stream))
            {
                stream = [];
                _state.Streams.Add(pending.Key, stream);
            }

            for (var i = 0; i < pending.Stored.Length; i++)
            {
                var stored = pending.Stored[i];
                stream.Add(stored);
                _state.All.Add(stored);
                _state.EventIds[stored.Id] = stored;
                if (toOutbox && (_state.OutboxFilter is null || _state.OutboxFilter(events[i])))
                {
                    _state.Outbox.Add(new OutboxItem(++_state.LastOutboxId, stored));
                }
            }

            _state.LastPosition = pending.Stored[^1].Position;
            _state.TenantLastPositions[_tenant] = _state.LastPosition;
            _state.Signal.Appended(_tenant, _state.LastPosition);
            return new AppendResult(stream.Count, _state.LastPosition);
        }
    }
}
