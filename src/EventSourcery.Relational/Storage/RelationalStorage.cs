using System.Data.Common;
using EventSourcery.Serialization;
using EventSourcery.Storage;

namespace EventSourcery.Relational.Storage;

/// <summary>
/// The statements of a relational store, one method per operation, and the meaning of the provider's errors: what
/// differs between providers (SQL text, parameter binding, how rows are read). The logic around them (expected
/// versions, retries of committed appends, listeners, tenants, materializing rows) is
/// <see cref="RelationalEventStore"/>'s, the same for every provider. Every value is bound as a parameter.
/// </summary>
internal abstract class RelationalStorage
{
    /// <summary>The database, as OpenTelemetry's <c>db.system</c> names it (<c>sqlite</c>, <c>postgresql</c>).</summary>
    public abstract string DbSystem { get; }

    /// <summary>Whether the database is a server the store is a client of (its spans are client spans), rather than in-process.</summary>
    public virtual bool IsServer => false;

    // Errors.

    /// <summary>
    /// A unique or primary-key constraint failed: in the store's writes that means another writer created the same
    /// stream or the same (stream, version) first, i.e. a lost race.
    /// </summary>
    public abstract bool IsUniqueViolation(DbException exception);

    /// <summary>The unique index of event ids failed: an event id is stored already.</summary>
    public abstract bool IsEventIdViolation(DbException exception);

    // The schema.

    /// <summary>Which of the store's tables (<see cref="Schema.Tables.All"/>) the database has.</summary>
    public abstract Task<HashSet<string>> ExistingTablesAsync(RelationalSession session, CancellationToken cancellationToken);

    /// <summary>Whether every table, column and index of the current schema is in place: a read, with no write lock.</summary>
    public abstract Task<bool> SchemaIsCurrentAsync(RelationalSession session, CancellationToken cancellationToken);

    /// <summary>Brings an <c>es_events</c> table made by an earlier version up to date, in the session's transaction.</summary>
    public abstract Task UpgradeEventsTableAsync(RelationalSession session, CancellationToken cancellationToken);

    /// <summary>Runs DDL that EF Core generated from the model (or the provider's own), in the session's transaction.</summary>
    public abstract Task ExecuteDdlAsync(RelationalSession session, string sql, CancellationToken cancellationToken);

    // Streams and events.

    /// <summary>Where each of <paramref name="events"/>' ids is stored, in any tenant (null for an id that is not).</summary>
    public abstract Task<StoredEventId?[]> FindEventIdsAsync(RelationalSession session, StreamKey stream, IReadOnlyList<Event> events, CancellationToken cancellationToken);

    /// <summary>The stream's row, or null when the stream does not exist.</summary>
    public abstract Task<StreamState?> FindStreamAsync(RelationalSession session, StreamKey stream, CancellationToken cancellationToken);

    /// <summary>
    /// The stream's row as a write (append or delete) to it begins, inside its transaction: where a provider's writes
    /// do not already take turns (SQLite's write lock does), it takes the lock that orders them here, so the version
    /// read stays current until the commit. <see cref="FindStreamAsync"/> unless a provider needs more.
    /// </summary>
    public virtual Task<StreamState?> FindStreamForWriteAsync(RelationalSession session, StreamKey stream, CancellationToken cancellationToken)
        => FindStreamAsync(session, stream, cancellationToken);

    /// <summary>
    /// An instant the store assigns (an event's recording time, a dead letter's, a snapshot's or checkpoint's) as the
    /// database keeps it, so that what the store returns is what it later reads back. Unchanged unless a provider's
    /// time columns are less precise than ticks.
    /// </summary>
    public virtual DateTimeOffset StoredInstant(DateTimeOffset now) => now;

    /// <summary>
    /// Whether <see cref="AppendAsync"/> writes with one command that the database runs atomically (and reads nothing
    /// it relies on before it), so that an append without listeners may run without a transaction of the store's own
    /// (<see cref="RelationalExecutor.BeginWriteAsync"/>). False unless a provider says so.
    /// </summary>
    public virtual bool AppendIsOneCommand => false;

    /// <summary>
    /// An append, start to end inside the session's write: reads the stream as a write (as
    /// <see cref="FindStreamForWriteAsync"/> does), refuses when its version does not satisfy <paramref name="expected"/>,
    /// and otherwise moves the stream row on (or creates it) and inserts the events with their outbox copies (for each
    /// event whose flag in <paramref name="toOutbox"/> is set). Fills <paramref name="positions"/> (when given) with
    /// every event's position. An outcome without a last position means the stream moved on between the read and the
    /// write, and nothing was written; a unique violation means another writer created the stream or took a version.
    /// </summary>
    public abstract Task<AppendOutcome> AppendAsync(RelationalSession session, StreamKey stream, ExpectedVersion expected, IReadOnlyList<Event> events, SerializedEvent[] serialized, DateTimeOffset recordedAt, bool[]? toOutbox, long[]? positions, CancellationToken cancellationToken);

    /// <summary>Deletes the stream's snapshot, its events and its row. Outbox rows stay: their publication was promised at commit.</summary>
    public abstract Task DeleteStreamAsync(RelationalSession session, long streamKey, CancellationToken cancellationToken);

    /// <summary>One page of events (as many as the provider pages, and about <paramref name="pageBytes"/> bytes) of one stream with versions in [<paramref name="fromVersion"/>, <paramref name="toVersion"/>], in version order, with the stream's stored name.</summary>
    public abstract Task<RowPage<StoredEventRow>> ReadStreamPageAsync(RelationalSession session, StreamKey stream, long fromVersion, long toVersion, int pageBytes, CancellationToken cancellationToken);

    /// <summary>
    /// One page of events (as many as the provider pages, and about <paramref name="pageBytes"/> bytes) of one stream
    /// from <paramref name="fromVersion"/>, with only what rebuilding an aggregate needs, each row turned into its event
    /// by <paramref name="read"/> as it is read. A row <paramref name="read"/> fails on ends the page, as its failure.
    /// A provider may leave the rows' <see cref="StoredStreamEventRow.Position"/> 0 (not read: a column less per row);
    /// the store then names a failed row's position from <see cref="ReadStreamPageAsync"/>.
    /// </summary>
    public abstract Task<RowPage<VersionedEvent>> ReadStreamEventsPageAsync(RelationalSession session, StreamKey stream, long fromVersion, int pageBytes, ReadStreamRow read, CancellationToken cancellationToken);

    /// <summary>
    /// Whether positions can commit out of order, so that a global read must stay at or below a safe bound
    /// (<see cref="ReadSafeBoundAsync"/>). False where writers take turns until they commit (SQLite).
    /// </summary>
    public virtual bool GlobalReadsNeedBound => false;

    /// <summary>
    /// Where <see cref="GlobalReadsNeedBound"/>: the highest committed position below which every position that will
    /// ever commit has committed (waiting for writes in flight if need be), or null when nothing is committed after
    /// <paramref name="afterPosition"/>. A bound stays safe: one read serves every page up to it.
    /// </summary>
    public virtual Task<long?> ReadSafeBoundAsync(RelationalSession session, string tenantId, long afterPosition, CancellationToken cancellationToken)
        => Task.FromResult<long?>(long.MaxValue);

    /// <summary>
    /// One page of events (as many as the provider pages, and about <paramref name="pageBytes"/> bytes) of the tenant's streams after
    /// <paramref name="afterPosition"/> and at or below <paramref name="bound"/>, in position order.
    /// </summary>
    public abstract Task<RowPage<StoredEventRow>> ReadAllPageAsync(RelationalSession session, string tenantId, long afterPosition, long bound, int pageBytes, CancellationToken cancellationToken);

    /// <summary>The position of the tenant's last still-stored event, or 0.</summary>
    public abstract Task<long> ReadHeadPositionAsync(RelationalSession session, string tenantId, CancellationToken cancellationToken);

    // Snapshots.

    /// <summary>Stores the snapshot as the stream's only one; false, writing nothing, when the stream does not exist.</summary>
    public abstract Task<bool> UpsertSnapshotAsync(RelationalSession session, StreamKey stream, StoredSnapshot snapshot, DateTimeOffset takenAt, CancellationToken cancellationToken);

    /// <summary>The stream's snapshot row, or null when the stream does not exist or has none.</summary>
    public abstract Task<StoredSnapshotRow?> FindSnapshotAsync(RelationalSession session, StreamKey stream, CancellationToken cancellationToken);

    // The outbox.

    /// <summary>Claims up to <paramref name="limit"/> of the tenant's deliverable entries (about <paramref name="maxBytes"/> bytes) for <paramref name="runnerId"/> and returns them in id order.</summary>
    public abstract Task<List<StoredOutboxRow>> ClaimOutboxAsync(RelationalSession session, string tenantId, string runnerId, int limit, int maxBytes, long nowTicks, long leaseUntilTicks, CancellationToken cancellationToken);

    /// <summary>Deletes a delivered entry that <paramref name="runnerId"/> still holds.</summary>
    public abstract Task CompleteOutboxAsync(RelationalSession session, string tenantId, string runnerId, long entryId, CancellationToken cancellationToken);

    /// <summary>Deletes the delivered entries among <paramref name="entryIds"/> that <paramref name="runnerId"/> still holds.</summary>
    public abstract Task CompleteOutboxAsync(RelationalSession session, string tenantId, string runnerId, IReadOnlyCollection<long> entryIds, CancellationToken cancellationToken);

    /// <summary>Counts a failed attempt and ends the claim: the entry waits until <paramref name="retryAtTicks"/>, or is dead-lettered at <paramref name="deadLetteredAt"/>.</summary>
    public abstract Task FailOutboxAsync(RelationalSession session, string tenantId, string runnerId, long entryId, string error, long? retryAtTicks, DateTimeOffset? deadLetteredAt, CancellationToken cancellationToken);

    /// <summary>Ends <paramref name="runnerId"/>'s claims on the entries among <paramref name="entryIds"/>, counting no attempt.</summary>
    public abstract Task ReleaseOutboxAsync(RelationalSession session, string tenantId, string runnerId, IReadOnlyCollection<long> entryIds, CancellationToken cancellationToken);

    /// <summary>The tenant's dead-lettered entries, in id order.</summary>
    public abstract Task<List<StoredOutboxRow>> ReadDeadLettersAsync(RelationalSession session, string tenantId, CancellationToken cancellationToken);

    /// <summary>Puts the tenant's dead letters among <paramref name="entryIds"/> (all when null) back for delivery; returns how many.</summary>
    public abstract Task<int> RetryDeadLettersAsync(RelationalSession session, string tenantId, IReadOnlyCollection<long>? entryIds, CancellationToken cancellationToken);

    /// <summary>How many entries of the tenant are not delivered yet.</summary>
    public abstract Task<long> CountOutboxAsync(RelationalSession session, string tenantId, CancellationToken cancellationToken);

    // Checkpoints and projection leases.

    /// <summary>The position the tenant's projection <paramref name="name"/> has handled up to, or 0.</summary>
    public abstract Task<long> LoadCheckpointAsync(RelationalSession session, string tenantId, string name, CancellationToken cancellationToken);

    /// <summary>Stores the tenant's checkpoint of projection <paramref name="name"/>.</summary>
    public abstract Task SaveCheckpointAsync(RelationalSession session, string tenantId, string name, long position, DateTimeOffset updatedAt, CancellationToken cancellationToken);

    /// <summary>Moves the checkpoint from <paramref name="expected"/> to <paramref name="position"/> if it is still there (0 also matches no row).</summary>
    public abstract Task<bool> TrySaveCheckpointAsync(RelationalSession session, string tenantId, string name, long expected, long position, DateTimeOffset updatedAt, CancellationToken cancellationToken);

    /// <summary>Deletes the tenant's checkpoint of projection <paramref name="name"/>.</summary>
    public abstract Task DeleteCheckpointAsync(RelationalSession session, string tenantId, string name, CancellationToken cancellationToken);

    /// <summary>Takes or renews a projection's lease for <paramref name="owner"/>; whether the owner holds it now.</summary>
    public abstract Task<bool> TryAcquireProjectionLeaseAsync(RelationalSession session, string tenantId, string name, string owner, long nowTicks, long untilTicks, CancellationToken cancellationToken);

    /// <summary>Deletes a projection's lease if <paramref name="owner"/> holds it.</summary>
    public abstract Task ReleaseProjectionLeaseAsync(RelationalSession session, string tenantId, string name, string owner, CancellationToken cancellationToken);

    /// <summary>A data subject's key row: its generation and key (null once shredded), or null when it has none.</summary>
    public abstract Task<(int Generation, byte[]? Key)?> FindSubjectKeyAsync(RelationalSession session, string tenantId, string subject, CancellationToken cancellationToken);

    /// <summary>Adds a subject's key row unless one exists; true when it was added.</summary>
    public abstract Task<bool> InsertSubjectKeyAsync(RelationalSession session, string tenantId, string subject, int generation, byte[]? key, CancellationToken cancellationToken);

    /// <summary>Gives a shredded subject (no key, at <paramref name="shreddedGeneration"/>) a new key; true when it did.</summary>
    public abstract Task<bool> RenewSubjectKeyAsync(RelationalSession session, string tenantId, string subject, int shreddedGeneration, byte[] key, CancellationToken cancellationToken);

    /// <summary>Deletes a subject's key, overwriting it first, and keeps its row; true when there was a key.</summary>
    public abstract Task<bool> ShredSubjectKeyAsync(RelationalSession session, string tenantId, string subject, CancellationToken cancellationToken);
}
