using System.Runtime.CompilerServices;
using System.Text;
using EventSourcery.Serialization;
using EventSourcery.Storage;

namespace EventSourcery;

/// <summary>
/// An <see cref="IEventStore"/> held in memory, with the same semantics as the SQLite store: the same concurrency
/// checks, versions and positions, tenant views and snapshots, and every event serialized and read back through the
/// generated JSON code, so tests of domain code catch the mistakes a real store would.
/// </summary>
public sealed class InMemoryEventStore : IEventStore, ISnapshotStore, IOutboxStore, IAppendSignal, ICheckpointStore, IProjectionLeases
{
    private const string DefaultTenant = "";
    private readonly State _state;
    private readonly string _tenant;

    /// <summary>Creates an empty store over the default registry of generated event types.</summary>
    public InMemoryEventStore()
        : this(EventRegistry.Default)
    {
    }

    /// <summary>Creates an empty store over <paramref name="registry"/>, optionally with a clock for recorded times.</summary>
    /// <param name="registry">The registry of event types.</param>
    /// <param name="timeProvider">The clock for recorded times (the system clock by default).</param>
    /// <param name="outboxFilter">Which published events enter the outbox (all of them by default).</param>
    /// <param name="maxEventBytes">The largest event an append accepts, as stored (UTF-8 payload plus metadata); 1 MiB by default, as in the SQLite store.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxEventBytes"/> is not positive.</exception>
    public InMemoryEventStore(EventRegistry registry, TimeProvider? timeProvider = null, Func<Event, bool>? outboxFilter = null, int maxEventBytes = EventSerializer.DefaultMaxEventBytes)
        : this(new State(new EventSerializer(registry, maxEventBytes), timeProvider ?? TimeProvider.System, outboxFilter), DefaultTenant)
    {
    }

    private InMemoryEventStore(State state, string tenant)
    {
        _state = state;
        _tenant = tenant;
    }

    /// <inheritdoc />
    public IEventStore ForTenant(string tenantId) => new InMemoryEventStore(_state, TenantId.Validate(tenantId));

    /// <summary>Listeners that run inside every append through any view of this store; an exception rolls the append back.</summary>
    public EventListeners Listeners => _state.Listeners;

    /// <inheritdoc />
    public ValueTask<AppendResult> AppendAsync(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, CancellationToken cancellationToken = default)
        => AppendAsync(streamId, events, expectedVersion, toOutbox: false, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AppendResult> PublishAsync(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, CancellationToken cancellationToken = default)
        => AppendAsync(streamId, events, expectedVersion, toOutbox: true, cancellationToken);

    /// <inheritdoc />
    public ValueTask<long> LoadCheckpointAsync(string projection, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projection);
        lock (_state.Lock)
        {
            return ValueTask.FromResult(_state.Checkpoints.GetValueOrDefault((_tenant, projection)));
        }
    }

    /// <inheritdoc />
    public ValueTask SaveCheckpointAsync(string projection, long position, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projection);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        lock (_state.Lock)
        {
            _state.Checkpoints[(_tenant, projection)] = position;
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<bool> TrySaveCheckpointAsync(string projection, long expected, long position, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projection);
        ArgumentOutOfRangeException.ThrowIfNegative(expected);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        lock (_state.Lock)
        {
            var key = (_tenant, projection);
            if (_state.Checkpoints.GetValueOrDefault(key) != expected)
            {
                return ValueTask.FromResult(false);
            }

            _state.Checkpoints[key] = position;
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> TryAcquireProjectionLeaseAsync(string projection, string owner, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projection);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_state.Lock)
        {
            var key = (_tenant, projection);
            if (_state.Leases.TryGetValue(key, out var lease) && lease.Owner != owner && lease.Until > now)
            {
                return ValueTask.FromResult(false);
            }

            _state.Leases[key] = (owner, now + duration);
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask ReleaseProjectionLeaseAsync(string projection, string owner, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projection);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        lock (_state.Lock)
        {
            var key = (_tenant, projection);
            if (_state.Leases.TryGetValue(key, out var lease) && lease.Owner == owner)
            {
                _state.Leases.Remove(key);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DeleteCheckpointAsync(string projection, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projection);
        lock (_state.Lock)
        {
            _state.Checkpoints.Remove((_tenant, projection));
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<long> ReadHeadPositionAsync(CancellationToken cancellationToken = default)
    {
        lock (_state.Lock)
        {
            // The last event of this view that is still stored (a deleted stream's events no longer count).
            for (var i = _state.All.Count - 1; i >= 0; i--)
            {
                if (_state.All[i].Tenant == _tenant && !_state.All[i].Deleted)
                {
                    return ValueTask.FromResult(_state.All[i].Position);
                }
            }

            return ValueTask.FromResult(0L);
        }
    }

    /// <inheritdoc />
    Task IAppendSignal.WaitForAppendAsync(long afterPosition, CancellationToken cancellationToken)
    {
        lock (_state.Lock)
        {
            return _state.LastPositionOf(_tenant) > afterPosition ? Task.CompletedTask : _state.Appended.Task.WaitAsync(cancellationToken);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RecordedEvent> ReadStreamAsync(StreamId streamId, long fromVersion = 1, long toVersion = long.MaxValue, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        streamId.ThrowIfDefault(nameof(streamId));
        ArgumentOutOfRangeException.ThrowIfLessThan(fromVersion, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fromVersion, toVersion);
        StoredEvent[] snapshot;
        lock (_state.Lock)
        {
            if (!_state.Streams.TryGetValue((_tenant, streamId), out var stream) || fromVersion > stream.Count)
            {
                yield break;
            }

            var start = (int)(fromVersion - 1);
            var count = (int)Math.Min(stream.Count - start, toVersion - fromVersion + 1);
            snapshot = stream.GetRange(start, count).ToArray();
        }

        foreach (var stored in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return Materialize(stored);
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RecordedEvent> ReadAllAsync(long afterPosition = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterPosition);
        StoredEvent[] snapshot;
        lock (_state.Lock)
        {
            var start = _state.FirstIndexAfter(afterPosition);
            snapshot = _state.All.GetRange(start, _state.All.Count - start).Where(e => !e.Deleted && e.Tenant == _tenant).ToArray();
        }

        foreach (var stored in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return Materialize(stored);
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

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

    /// <summary>The positions of the events this view put in the outbox with <see cref="PublishAsync"/>, in order.</summary>
    internal IReadOnlyList<long> OutboxPositions
    {
        get
        {
            lock (_state.Lock)
            {
                return OwnOutbox().Select(o => o.Stored.Position).ToArray();
            }
        }
    }

    /// <inheritdoc />
    string? IOutboxStore.OutboxTenantId => _tenant.Length == 0 ? null : _tenant;

    /// <inheritdoc />
    ValueTask<IReadOnlyList<OutboxEntry>> IOutboxStore.ClaimOutboxAsync(OutboxClaim claim, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_state.Lock)
        {
            // A stream is blocked while any of its entries waits for a retry, is dead-lettered or is leased to a
            // runner: nothing after that entry may overtake it.
            var blocked = new HashSet<StreamId>();
            foreach (var item in OwnOutbox())
            {
                if (item.DeadLetteredAt is not null || item.RetryAt > claim.Now || (item.ClaimedBy is not null && item.LeaseUntil > claim.Now))
                {
                    blocked.Add(item.Stored.StreamId);
                }
            }

            var claimed = new List<OutboxEntry>();
            foreach (var item in OwnOutbox())
            {
                if (claimed.Count == claim.MaxCount)
                {
                    break;
                }

                if (!blocked.Contains(item.Stored.StreamId))
                {
                    item.ClaimedBy = claim.RunnerId;
                    item.LeaseUntil = claim.Now + claim.Lease;
                    claimed.Add(ToEntry(item));
                }
            }

            return ValueTask.FromResult<IReadOnlyList<OutboxEntry>>(claimed);
        }
    }

    /// <inheritdoc />
    ValueTask IOutboxStore.CompleteOutboxAsync(string runnerId, long entryId, CancellationToken cancellationToken)
    {
        lock (_state.Lock)
        {
            _state.Outbox.RemoveAll(o => o.Id == entryId && o.ClaimedBy == runnerId && o.Stored.Tenant == _tenant);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    ValueTask IOutboxStore.CompleteOutboxAsync(string runnerId, IReadOnlyCollection<long> entryIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entryIds);
        var ids = entryIds.ToHashSet();
        lock (_state.Lock)
        {
            _state.Outbox.RemoveAll(o => ids.Contains(o.Id) && o.ClaimedBy == runnerId && o.Stored.Tenant == _tenant);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    ValueTask IOutboxStore.FailOutboxAsync(string runnerId, long entryId, string error, DateTimeOffset? retryAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_state.Lock)
        {
            if (_state.Outbox.Find(o => o.Id == entryId && o.ClaimedBy == runnerId && o.Stored.Tenant == _tenant) is { } item)
            {
                item.Attempts++;
                item.LastError = error;
                item.RetryAt = retryAt;
                item.DeadLetteredAt = retryAt is null ? now : null;
                item.ClaimedBy = null;
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    ValueTask IOutboxStore.ReleaseOutboxAsync(string runnerId, IReadOnlyCollection<long> entryIds, CancellationToken cancellationToken)
    {
        lock (_state.Lock)
        {
            foreach (var item in _state.Outbox.Where(o => entryIds.Contains(o.Id) && o.ClaimedBy == runnerId && o.Stored.Tenant == _tenant))
            {
                item.ClaimedBy = null;
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    ValueTask<IReadOnlyList<OutboxEntry>> IOutboxStore.ReadDeadLettersAsync(CancellationToken cancellationToken)
    {
        lock (_state.Lock)
        {
            return ValueTask.FromResult<IReadOnlyList<OutboxEntry>>(OwnOutbox().Where(o => o.DeadLetteredAt is not null).Select(ToEntry).ToArray());
        }
    }

    /// <inheritdoc />
    ValueTask<int> IOutboxStore.RetryDeadLettersAsync(IReadOnlyCollection<long>? entryIds, CancellationToken cancellationToken)
    {
        lock (_state.Lock)
        {
            var retried = 0;
            foreach (var item in OwnOutbox().Where(o => o.DeadLetteredAt is not null && (entryIds is null || entryIds.Contains(o.Id))))
            {
                item.DeadLetteredAt = null;
                item.RetryAt = null;
                item.Attempts = 0;
                retried++;
            }

            return ValueTask.FromResult(retried);
        }
    }

    /// <inheritdoc />
    ValueTask<long> IOutboxStore.CountOutboxAsync(CancellationToken cancellationToken)
    {
        lock (_state.Lock)
        {
            return ValueTask.FromResult((long)OwnOutbox().Count());
        }
    }

    private IEnumerable<OutboxItem> OwnOutbox() => _state.Outbox.Where(o => o.Stored.Tenant == _tenant);

    /// <summary>An outbox item as an entry; one whose event cannot be read (see <see cref="OutboxEntry.ReadError"/>) does not fail the claim.</summary>
    private OutboxEntry ToEntry(OutboxItem item)
    {
        try
        {
            return new(item.Id, Materialize(item.Stored), item.Attempts, item.LastError, item.RetryAt, item.DeadLetteredAt);
        }
        catch (EventReadException error)
        {
            var stored = item.Stored;
            return OutboxEntry.Unreadable(item.Id, error, Encoding.UTF8.GetString(stored.Payload), stored.RecordedAt, TenantOrNull(stored.Tenant), item.Attempts, item.LastError, item.RetryAt, item.DeadLetteredAt);
        }
    }

    private async ValueTask<AppendResult> AppendAsync(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, bool toOutbox, CancellationToken cancellationToken)
    {
        AppendGuard.ThrowIfInvalid(streamId, events);
        cancellationToken.ThrowIfCancellationRequested();

        // Serialize before taking the write gate: an unknown type or a failing writer must leave the store untouched.
        var serialized = new SerializedEvent[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            serialized[i] = _state.Serializer.Serialize(streamId, events[i]);
        }

        // Writes take turns (like SQLite's write lock), so listeners can run between the check and the commit.
        await _state.WriteGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var (pending, original) = Prepare(streamId, events, expectedVersion, serialized);
            if (pending is null)
            {
                return original; // a retry of an append that committed: nothing more is stored
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

            return Commit(pending, toOutbox, events);
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
            _state.SignalAppended();
            return new AppendResult(stream.Count, _state.LastPosition);
        }
    }

    private static string? TenantOrNull(string tenant) => tenant.Length == 0 ? null : tenant;

    private RecordedEvent Materialize(StoredEvent stored)
    {
        var @event = _state.Serializer.Deserialize(stored.StreamId, stored.Version, stored.Position, stored.Name, stored.Payload, stored.Id, stored.CreatedAt, stored.Metadata);
        return new RecordedEvent(stored.StreamId, stored.Version, stored.Position, @event, stored.Name, stored.SchemaVersion, stored.RecordedAt, TenantOrNull(stored.Tenant));
    }

    /// <summary>What every view of one store shares.</summary>
    private sealed class State(EventSerializer serializer, TimeProvider time, Func<Event, bool>? outboxFilter)
    {
        public Func<Event, bool>? OutboxFilter { get; } = outboxFilter;

        public SemaphoreSlim WriteGate { get; } = new(1, 1);

        public EventListeners Listeners { get; } = new();

        public Dictionary<string, long> TenantLastPositions { get; } = [];

        public Dictionary<(string Tenant, string Name), long> Checkpoints { get; } = [];

        /// <summary>Who owns each projection of each view, and until when.</summary>
        public Dictionary<(string Tenant, string Name), (string Owner, DateTimeOffset Until)> Leases { get; } = [];

        /// <summary>Completed (and replaced) on every commit; subscribers wait on it.</summary>
        public TaskCompletionSource Appended { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long LastPositionOf(string tenant) => TenantLastPositions.GetValueOrDefault(tenant);

        public void SignalAppended()
        {
            var appended = Appended;
            Appended = new(TaskCreationOptions.RunContinuationsAsynchronously);
            appended.SetResult();
        }

        public long LastOutboxId { get; set; }

        public Lock Lock { get; } = new();

        public EventSerializer Serializer { get; } = serializer;

        public TimeProvider Time { get; } = time;

        public Dictionary<(string Tenant, StreamId Stream), List<StoredEvent>> Streams { get; } = [];

        public Dictionary<(string Tenant, StreamId Stream), StoredSnapshot> Snapshots { get; } = [];

        public List<StoredEvent> All { get; } = [];

        /// <summary>Every stored event by id, across tenants: ids are unique per store (a deleted event's id is free again).</summary>
        public Dictionary<Guid, StoredEvent> EventIds { get; } = [];

        public List<OutboxItem> Outbox { get; } = [];

        public long LastPosition { get; set; }

        public int FirstIndexAfter(long position)
        {
            int lo = 0, hi = All.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (All[mid].Position <= position)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            return lo;
        }
    }

    private sealed record PendingAppend((string Tenant, StreamId Stream) Key, StoredEvent[] Stored);

    /// <summary>An outbox entry with its delivery state; it keeps its event even after the stream is deleted.</summary>
    private sealed class OutboxItem(long id, StoredEvent stored)
    {
        public long Id { get; } = id;

        public StoredEvent Stored { get; } = stored;

        public int Attempts { get; set; }

        public string? LastError { get; set; }

        public DateTimeOffset? RetryAt { get; set; }

        public DateTimeOffset? DeadLetteredAt { get; set; }

        public string? ClaimedBy { get; set; }

        public DateTimeOffset LeaseUntil { get; set; }
    }

    private sealed record StoredEvent(
        string Tenant,
        StreamId StreamId,
        long Version,
        long Position,
        string Name,
        int SchemaVersion,
        byte[] Payload,
        byte[] Metadata,
        Guid Id,
        DateTimeOffset CreatedAt,
        DateTimeOffset RecordedAt)
    {
        public bool Deleted { get; set; }
    }
}
