using EventSourcery.PersonalData;
using EventSourcery.Serialization;
using EventSourcery.Storage;

namespace EventSourcery;

/// <summary>
/// An <see cref="IEventStore"/> held in memory, with the same semantics as the SQLite store: the same concurrency
/// checks, versions and positions, tenant views and snapshots, and every event serialized and read back through the
/// generated JSON code, so tests of domain code catch the mistakes a real store would.
/// </summary>
public sealed partial class InMemoryEventStore : IEventStore, ISnapshotStore, IOutboxStore, IAppendSignal, ICheckpointStore, IProjectionLeases, IPersonalDataStore
{
    private const string DefaultTenant = "";
    private readonly State _state;
    private readonly string _tenant;
    private readonly EventSerializer _serializer;

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
        : this(registry, timeProvider, outboxFilter, maxEventBytes, personalDataKeys: null)
    {
    }

    /// <summary>Creates an empty store like the other constructor, keeping the data subjects' keys in <paramref name="personalDataKeys"/>.</summary>
    /// <param name="registry">The registry of event types.</param>
    /// <param name="timeProvider">The clock for recorded times (the system clock by default).</param>
    /// <param name="outboxFilter">Which published events enter the outbox (all of them by default).</param>
    /// <param name="maxEventBytes">The largest event an append accepts, as stored.</param>
    /// <param name="personalDataKeys">Where the keys of personal data live (in memory, beside the events, by default).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxEventBytes"/> is not positive.</exception>
    public InMemoryEventStore(EventRegistry registry, TimeProvider? timeProvider, Func<Event, bool>? outboxFilter, int maxEventBytes, IPersonalDataKeyStore? personalDataKeys)
        : this(
            new State(timeProvider ?? TimeProvider.System, outboxFilter),
            DefaultTenant,
            new EventSerializer(registry, maxEventBytes, new PersonalDataProtector(personalDataKeys ?? new InMemoryPersonalDataKeyStore(), timeProvider)))
    {
    }

    private InMemoryEventStore(State state, string tenant, EventSerializer serializer)
    {
        _state = state;
        _tenant = tenant;
        _serializer = serializer;
    }

    /// <inheritdoc />
    public IEventStore ForTenant(string tenantId) => new InMemoryEventStore(_state, TenantId.Validate(tenantId), _serializer);

    /// <summary>
    /// A view of the same events, outbox, checkpoints and listeners that stores and reads events through
    /// <paramref name="registry"/>: what another build of the application (an older one that wrote the events, a newer
    /// one whose upcasters read them) would see, for tests of event versioning.
    /// </summary>
    /// <param name="registry">The registry of event types the view serializes with.</param>
    public InMemoryEventStore WithRegistry(EventRegistry registry)
        => new(_state, _tenant, new EventSerializer(registry ?? throw new ArgumentNullException(nameof(registry)), _serializer.MaxEventBytes, _serializer.Protector));

    /// <summary>The keys of the data subjects' personal data, shared by every view (each keeps its tenant's keys apart).</summary>
    public PersonalDataProtector PersonalData => _serializer.Protector!;

    /// <inheritdoc />
    public ValueTask<bool> ShredAsync(string subject, CancellationToken cancellationToken = default)
        => PersonalData.ShredAsync(TenantOrNull(_tenant), subject, cancellationToken);

    /// <inheritdoc cref="IPersonalDataStore.ShredAsync"/>
    public ValueTask<bool> ShredAsync(Guid subject, CancellationToken cancellationToken = default) => ShredAsync(subject.ToString(), cancellationToken);

    /// <inheritdoc />
    public async ValueTask RenewSubjectKeyAsync(string subject, CancellationToken cancellationToken = default)
        => await PersonalData.RenewKeyAsync(TenantOrNull(_tenant), subject, cancellationToken).ConfigureAwait(false);

    /// <summary>Listeners that run inside every append through any view of this store; an exception rolls the append back.</summary>
    public EventListeners Listeners => _state.Listeners;

    private static string? TenantOrNull(string tenant) => tenant.Length == 0 ? null : tenant;

    private RecordedEvent Materialize(StoredEvent stored)
    {
        var @event = _serializer.Deserialize(stored.StreamId, stored.Version, stored.Position, stored.Name, stored.SchemaVersion, stored.Payload, stored.Id, stored.CreatedAt, stored.Metadata, TenantOrNull(stored.Tenant));
        return new RecordedEvent(stored.StreamId, stored.Version, stored.Position, @event, stored.Name, stored.SchemaVersion, stored.RecordedAt, TenantOrNull(stored.Tenant));
    }

    /// <summary>A stored event as a recorded one, loading its subject's key first when its personal data needs one not cached.</summary>
    private async ValueTask<RecordedEvent> MaterializeAsync(StoredEvent stored, CancellationToken cancellationToken)
    {
        PersonalDataKeyNeededException need;
        try
        {
            return Materialize(stored);
        }
        catch (PersonalDataKeyNeededException ex)
        {
            need = ex;
        }

        await _serializer.Protector!.LoadKeyAsync(need.TenantId, need.Subject, cancellationToken).ConfigureAwait(false);
        try
        {
            return Materialize(stored);
        }
        catch (PersonalDataKeyNeededException again)
        {
            throw new EventReadException(stored.StreamId, stored.Version, stored.Position, stored.Name, $"the key of data subject '{again.Subject}' could not be loaded.", again);
        }
    }

    /// <summary>What every view of one store shares.</summary>
    private sealed class State(TimeProvider time, Func<Event, bool>? outboxFilter)
    {
        public Func<Event, bool>? OutboxFilter { get; } = outboxFilter;

        public SemaphoreSlim WriteGate { get; } = new(1, 1);

        public EventListeners Listeners { get; } = new();

        public Dictionary<string, long> TenantLastPositions { get; } = [];

        public Dictionary<(string Tenant, string Name), long> Checkpoints { get; } = [];

        /// <summary>Who owns each projection of each view, and until when.</summary>
        public Dictionary<(string Tenant, string Name), (string Owner, DateTimeOffset Until)> Leases { get; } = [];

        /// <summary>Wakes subscribers on every commit: the same signal the SQLite store uses.</summary>
        public AppendNotifier Signal { get; } = new();

        /// <summary>The last position still stored in a tenant's view (its head). Read and written under <see cref="Lock"/>.</summary>
        public long LastPositionOf(string tenant) => TenantLastPositions.GetValueOrDefault(tenant);

        public long LastOutboxId { get; set; }

        public Lock Lock { get; } = new();


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
