using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using EventSourcery.Serialization;
using EventSourcery.Sqlite.Schema;
using EventSourcery.Sqlite.Storage;
using EventSourcery.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace EventSourcery;

/// <summary>
/// An <see cref="IEventStore"/> in a SQLite database, with the same semantics as <see cref="InMemoryEventStore"/>.
/// Open one over a file with <see cref="OpenAsync"/> (or construct one, to open on first use), or build a
/// <see cref="SqliteDbContextEventStore"/> over your own <see cref="DbContext"/> to write events in the same
/// transaction as your own entities. It keeps the transactional outbox that <see cref="Outbox"/> delivers from and the
/// checkpoints of the projections <see cref="ProjectionRunner"/> runs, in the same file.
/// </summary>
/// <remarks>
/// One instance uses one connection and serializes its own operations on it; several instances (or processes) can
/// share one database file, where SQLite lets one writer commit at a time and the optimistic-concurrency check makes
/// the loser of a race fail with <see cref="ConcurrencyException"/>. The tenant views made by <see cref="ForTenant"/>
/// share the instance's connection, transaction, serialization, listeners and lifetime. Subscriptions on an instance
/// wake as soon as it commits an append; writes of other instances and processes reach them by polling.
/// </remarks>
public class SqliteEventStore : IEventStore, IStreamEventReader, ISnapshotStore, IOutboxStore, IAppendSignal, ICheckpointStore, IProjectionLeases, IAsyncDisposable
{
    private const string DefaultTenant = "";

    private readonly SharedState _shared;
    private readonly string _tenant;
    private readonly string? _recordedTenant;
    private readonly bool _isView;
    private readonly RowMaterializer _rows;

    /// <summary>Builds the store over a user's context (see <see cref="SqliteDbContextEventStore"/>).</summary>
    /// <exception cref="ArgumentException">The context does not use SQLite, or its model lacks the store's tables.</exception>
    private protected SqliteEventStore(DbContext context, SqliteEventStoreOptions? options)
        : this(context ?? throw new ArgumentNullException(nameof(context)), ownsContext: false, options ?? new SqliteEventStoreOptions())
    {
    }

    private SqliteEventStore(DbContext context, bool ownsContext, SqliteEventStoreOptions options)
    {
        if (context.Database.GetDbConnection() is not SqliteConnection connection)
        {
            throw new ArgumentException("The DbContext does not use the SQLite provider (UseSqlite).", nameof(context));
        }

        // All of them, so that a compiled model made before es_snapshots or es_checkpoints existed is caught here
        // rather than at the first delete or checkpoint.
        if (context.Model.FindEntityType(typeof(EventRow)) is null || context.Model.FindEntityType(typeof(StreamRow)) is null
            || context.Model.FindEntityType(typeof(OutboxRow)) is null || context.Model.FindEntityType(typeof(SnapshotRow)) is null
            || context.Model.FindEntityType(typeof(CheckpointRow)) is null || context.Model.FindEntityType(typeof(ProjectionLeaseRow)) is null)
        {
            throw new ArgumentException("The DbContext's model does not include the event store's tables. Call modelBuilder.AddEventSourcery() in its OnModelCreating (and rebuild a compiled model).", nameof(context));
        }

        _shared = new SharedState(new SqliteExecutor(context, ownsContext, connection, options, GetType()), options);
        _tenant = DefaultTenant;
        _rows = new RowMaterializer(_shared.Serializer, recordedTenant: null);
    }

    /// <summary>
    /// Creates a store over the database in <paramref name="connectionString"/> (e.g. <c>"Data Source=events.db"</c>)
    /// without touching the database, so that a dependency-injection container can construct it. The first operation
    /// does what <see cref="OpenAsync"/> does up front: opens a connection the store owns, switches the file to WAL,
    /// sets synchronous, foreign keys and the busy timeout, and creates the store's missing tables. A failure there
    /// (a bad path, a file locked for too long) surfaces from that operation, and the next operation tries again.
    /// </summary>
    /// <exception cref="ArgumentException">The connection string is null, empty, whitespace or malformed.</exception>
    public SqliteEventStore(string connectionString, SqliteEventStoreOptions? options = null)
        : this(connectionString, options ?? new SqliteEventStoreOptions(), ownsConnection: true)
    {
    }

    private SqliteEventStore(string connectionString, SqliteEventStoreOptions options, bool ownsConnection)
        : this(SqliteExecutor.CreateOwnedContext(connectionString, options), ownsConnection, options)
    {
    }

    /// <summary>A tenant view over the state of <paramref name="store"/>.</summary>
    private protected SqliteEventStore(SqliteEventStore store, string tenant)
    {
        ArgumentNullException.ThrowIfNull(store);
        _shared = store._shared;
        _tenant = tenant;
        _recordedTenant = tenant;
        _isView = true;
        _rows = new RowMaterializer(_shared.Serializer, tenant);
    }

    /// <summary>
    /// Opens a store over the database in <paramref name="connectionString"/> (e.g. <c>"Data Source=events.db"</c>):
    /// opens a connection the store owns, switches the file to WAL, sets synchronous, foreign keys and the busy timeout,
    /// and creates the store's tables if they do not exist (other tables in the file are left alone). Unlike the
    /// constructor, which defers all of this to the first operation, it surfaces a bad path or a locked file here.
    /// </summary>
    /// <exception cref="ArgumentException">The connection string is null, empty, whitespace or malformed.</exception>
    /// <exception cref="EventStoreBusyException">Another connection held the write lock for too long while the file was being set up.</exception>
    public static async Task<SqliteEventStore> OpenAsync(string connectionString, SqliteEventStoreOptions? options = null, CancellationToken cancellationToken = default)
    {
        var store = new SqliteEventStore(connectionString, options);
        try
        {
            await store._shared.Executor.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The connection the store and all its views work on (for tests of its settings).</summary>
    internal SqliteConnection Connection => _shared.Connection;

    /// <summary>The tenant this view sees: "" for the store itself (the default view).</summary>
    internal string Tenant => _tenant;

    /// <summary>
    /// A view of this store's database that sees only <paramref name="tenantId"/>'s streams, in every operation
    /// (appends, reads, ReadAll, deletes, snapshots and the outbox rows it writes). The view shares this store's
    /// connection, serialization of operations, listeners, the user's transaction (for a
    /// <see cref="SqliteDbContextEventStore"/>, whose views are of that kind too) and lifetime: disposing the view does
    /// nothing, disposing the store ends every view. A view's <see cref="ForTenant"/> gives a view of the other tenant,
    /// not a nested one.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is null, empty, whitespace or malformed (see <see cref="TenantId.Validate"/>).</exception>
    public IEventStore ForTenant(string tenantId) => CreateView(TenantId.Validate(tenantId));

    /// <summary>
    /// Listeners that run inside every append through any view of this store, after the events are written and before
    /// the commit. An exception from one rolls the whole append back (events, stream version, outbox entries) and
    /// reaches the caller unchanged. A listener must not call this store: the append holds its connection and the
    /// database's write lock.
    /// </summary>
    public EventListeners Listeners => _shared.Listeners;

    /// <summary>The context the store and its views work in (the user's, for a <see cref="SqliteDbContextEventStore"/>).</summary>
    private protected DbContext Context => _shared.Context;

    /// <summary>Runs <paramref name="work"/> alone on the connection, set up, with the user's transaction if any (see <see cref="SqliteExecutor.RunAsync{T}"/>).</summary>
    private protected Task<T> RunAsync<T>(Func<SqliteTransaction?, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
        => _shared.Executor.RunAsync(work, cancellationToken);

    /// <summary>Runs <paramref name="work"/> alone on the connection without the set-up checks: for ending a transaction begun through the store.</summary>
    private protected Task ExclusiveAsync(Func<Task> work) => _shared.Executor.ExclusiveAsync(work);

    /// <summary>Runs a write in one transaction: the user's when the context has one, otherwise the store's own (see <see cref="SqliteExecutor.RunWriteAsync{T}"/>).</summary>
    private Task<T> RunWriteAsync<T>(Func<SqliteTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
        => _shared.Executor.RunWriteAsync(work, cancellationToken);

    /// <summary>A view of this store's database for <paramref name="tenant"/> (already validated), of this store's kind.</summary>
    private protected virtual SqliteEventStore CreateView(string tenant) => new(this, tenant);

    /// <inheritdoc />
    public async ValueTask<long> LoadCheckpointAsync(string projection, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projection);
        cancellationToken.ThrowIfCancellationRequested();
        var commands = _shared.Commands;
        var tenant = _tenant;
        return await RunAsync((transaction, ct) => SqliteStorage.LoadCheckpointAsync(commands, transaction, tenant, projection, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>Inside a transaction on the user's context (see <see cref="SqliteDbContextEventStore"/>) the checkpoint commits or rolls back with it.</remarks>
    public async ValueTask SaveCheckpointAsync(string projection, long position, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projection);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        cancellationToken.ThrowIfCancellationRequested();
        var commands = _shared.Commands;
        var tenant = _tenant;
        var updatedAt = _shared.Time.GetUtcNow();
        await RunWriteAsync(
            async (transaction, ct) =>
            {
                await SqliteStorage.SaveCheckpointAsync(commands, transaction, tenant, projection, position, updatedAt, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>Inside a transaction on the user's context (see <see cref="SqliteDbContextEventStore"/>) the comparison and the write are part of it.</remarks>
    public async ValueTask<bool> TrySaveCheckpointAsync(string projection, long expected, long position, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projection);
        ArgumentOutOfRangeException.ThrowIfNegative(expected);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        cancellationToken.ThrowIfCancellationRequested();
        var commands = _shared.Commands;
        var tenant = _tenant;
        var updatedAt = _shared.Time.GetUtcNow();
        return await RunWriteAsync(
            (transaction, ct) => SqliteStorage.TrySaveCheckpointAsync(commands, transaction, tenant, projection, expected, position, updatedAt, ct),
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>Works across store instances and processes on one file: the lease is a row of <c>es_projection_leases</c>, written under SQLite's write lock.</remarks>
    public async ValueTask<bool> TryAcquireProjectionLeaseAsync(string projection, string owner, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projection);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        var commands = _shared.Commands;
        var tenant = _tenant;
        var nowTicks = StoredValues.ToUtcTicks(now);
        var untilTicks = StoredValues.ToUtcTicks(now + duration);
        return await RunWriteAsync(
            (transaction, ct) => SqliteStorage.TryAcquireProjectionLeaseAsync(commands, transaction, tenant, projection, owner, nowTicks, untilTicks, ct),
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask ReleaseProjectionLeaseAsync(string projection, string owner, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projection);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        var commands = _shared.Commands;
        var tenant = _tenant;
        await RunWriteAsync(
            async (transaction, ct) =>
            {
                await SqliteStorage.ReleaseProjectionLeaseAsync(commands, transaction, tenant, projection, owner, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DeleteCheckpointAsync(string projection, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projection);
        cancellationToken.ThrowIfCancellationRequested();
        var commands = _shared.Commands;
        var tenant = _tenant;
        await RunWriteAsync(
            async (transaction, ct) =>
            {
                await SqliteStorage.DeleteCheckpointAsync(commands, transaction, tenant, projection, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>The last event that is still stored: a deleted stream's events no longer count. Index-backed; no scan of the events.</remarks>
    public async ValueTask<long> ReadHeadPositionAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var commands = _shared.Commands;
        var tenant = _tenant;
        return await RunAsync((transaction, ct) => SqliteStorage.ReadHeadPositionAsync(commands, transaction, tenant, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Completes on the next append this store instance (through any view) commits by itself, or at once when one it
    /// committed earlier is still stored after <paramref name="afterPosition"/> in this view. Appends inside a user's
    /// transaction, and writers on other connections or in other processes, are found by the subscription's polling.
    /// </remarks>
    async Task IAppendSignal.WaitForAppendAsync(long afterPosition, CancellationToken cancellationToken)
    {
        var (next, lastAppended) = _shared.Signal.Observe(_tenant);
        if (lastAppended > afterPosition)
        {
            // Something this instance appended lies after that position, unless its stream was deleted since (by
            // anyone): look, so that a subscriber never spins on events that are gone.
            var head = await ReadHeadPositionAsync(cancellationToken).ConfigureAwait(false);
            if (head > afterPosition)
            {
                return;
            }

            _shared.Signal.Lower(_tenant, lastAppended, head);
        }

        await next.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<AppendResult> AppendAsync(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, CancellationToken cancellationToken = default)
        => AppendCoreAsync(streamId, events, expectedVersion, toOutbox: false, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AppendResult> PublishAsync(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, CancellationToken cancellationToken = default)
        => AppendCoreAsync(streamId, events, expectedVersion, toOutbox: true, cancellationToken);

    /// <inheritdoc />
    public async IAsyncEnumerable<RecordedEvent> ReadStreamAsync(StreamId streamId, long fromVersion = 1, long toVersion = long.MaxValue, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        AppendGuard.ThrowIfDefault(streamId, nameof(streamId));
        ArgumentOutOfRangeException.ThrowIfLessThan(fromVersion, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fromVersion, toVersion);
        var stream = StreamKey.From(streamId, _tenant);
        var commands = _shared.Commands;
        var pageBytes = _shared.Options.PageBytes;
        StreamId? stored = null;
        var next = fromVersion;
        while (true)
        {
            // One page at a time under the gate; the gate is never held while the caller consumes events.
            var from = next;
            var (page, full) = await RunAsync((transaction, ct) => SqliteStorage.ReadStreamPageAsync(commands, transaction, stream, from, toVersion, pageBytes, ct), cancellationToken).ConfigureAwait(false);
            foreach (var row in page)
            {
                cancellationToken.ThrowIfCancellationRequested();
                stored ??= RowMaterializer.WithStoredName(streamId, row.StreamName);
                yield return _rows.Materialize(row, stored);
            }

            if (!full || page[^1].Version >= toVersion)
            {
                yield break;
            }

            next = page[^1].Version + 1;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<VersionedEvent> ReadStreamEventsAsync(StreamId streamId, long fromVersion = 1, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        AppendGuard.ThrowIfDefault(streamId, nameof(streamId));
        ArgumentOutOfRangeException.ThrowIfLessThan(fromVersion, 1);
        var stream = StreamKey.From(streamId, _tenant);
        var commands = _shared.Commands;
        var pageBytes = _shared.Options.PageBytes;
        var next = fromVersion;
        while (true)
        {
            var from = next;
            var (page, full) = await RunAsync((transaction, ct) => SqliteStorage.ReadStreamEventsPageAsync(commands, transaction, stream, from, pageBytes, ct), cancellationToken).ConfigureAwait(false);
            foreach (var row in page)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Event @event;
                try
                {
                    @event = _rows.ReadEvent(streamId, row.Version, row.Position, row.EventName, row.Payload, row.EventId, row.CreatedAt, row.Metadata);
                }
                catch (Exception ex) when (ex is not EventReadException and not OperationCanceledException)
                {
                    throw new EventReadException(streamId, row.Version, row.Position, row.EventName, $"the stored row is corrupt: {ex.Message}", ex);
                }

                yield return new VersionedEvent(row.Version, @event);
            }

            if (!full)
            {
                yield break;
            }

            next = page[^1].Version + 1;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RecordedEvent> ReadAllAsync(long afterPosition = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterPosition);
        var after = afterPosition;
        var pageBytes = _shared.Options.PageBytes;
        var streamIds = new RowMaterializer.StreamIdMemo();
        while (true)
        {
            var from = after;
            var (page, full) = await RunAsync((transaction, ct) => SqliteStorage.ReadAllPageAsync(_shared.Commands, transaction, _tenant, from, pageBytes, ct), cancellationToken).ConfigureAwait(false);
            streamIds.Clear();
            foreach (var row in page)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return _rows.Materialize(row, streamId: null, streamIds: streamIds);
            }

            if (!full)
            {
                yield break;
            }

            after = page[^1].Position;
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> DeleteStreamAsync(StreamId streamId, ExpectedVersion expectedVersion = default, CancellationToken cancellationToken = default)
    {
        AppendGuard.ThrowIfDefault(streamId, nameof(streamId));
        cancellationToken.ThrowIfCancellationRequested();
        var stream = StreamKey.From(streamId, _tenant);
        var commands = _shared.Commands;
        return await RunWriteAsync(
            streamId,
            expectedVersion,
            stream,
            async (transaction, ct) =>
            {
                var current = await SqliteStorage.FindStreamAsync(commands, transaction, stream, ct).ConfigureAwait(false);
                if (!expectedVersion.IsSatisfiedBy(current?.Version))
                {
                    throw new ConcurrencyException(streamId, expectedVersion, current?.Version);
                }

                if (current is not { } found)
                {
                    return false;
                }

                await SqliteStorage.DeleteStreamAsync(commands, transaction, found.Key, ct).ConfigureAwait(false);
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
        var commands = _shared.Commands;
        var takenAt = _shared.Time.GetUtcNow();
        var saved = await RunWriteAsync(
            streamId,
            ExpectedVersion.Any,
            stream,
            (transaction, ct) => SqliteStorage.UpsertSnapshotAsync(commands, transaction, stream, snapshot, takenAt, ct),
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
        var commands = _shared.Commands;
        var row = await RunAsync((transaction, ct) => SqliteStorage.FindSnapshotAsync(commands, transaction, stream, ct), cancellationToken).ConfigureAwait(false);
        return row is { Type: { } type, Fingerprint: { } fingerprint, Payload: { } payload } && Guid.TryParse(row.EventId, out var eventId)
            ? new StoredSnapshot(row.Version, eventId, type, fingerprint, payload)
            : null;
    }

    /// <inheritdoc />
    string? IOutboxStore.OutboxTenantId => _recordedTenant;

    /// <inheritdoc />
    /// <remarks>
    /// One <c>BEGIN IMMEDIATE</c> transaction picks and marks the entries, so runners on other connections or in other
    /// processes wait for it and then see the claim. An entry whose event cannot be read is claimed too, and returned
    /// with <see cref="OutboxEntry.ReadError"/> set (the <see cref="Outbox"/> dead-letters it).
    /// </remarks>
    async ValueTask<IReadOnlyList<OutboxEntry>> IOutboxStore.ClaimOutboxAsync(OutboxClaim claim, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(claim.RunnerId, nameof(claim));
        ArgumentOutOfRangeException.ThrowIfNegative(claim.MaxCount, nameof(claim));
        ArgumentOutOfRangeException.ThrowIfLessThan(claim.Lease, TimeSpan.Zero, nameof(claim));
        cancellationToken.ThrowIfCancellationRequested();
        if (claim.MaxCount == 0)
        {
            return [];
        }

        var now = StoredValues.ToUtcTicks(claim.Now);
        var leaseUntil = claim.Lease.Ticks > DateTimeOffset.MaxValue.UtcTicks - now ? DateTimeOffset.MaxValue.UtcTicks : now + claim.Lease.Ticks;
        var commands = _shared.Commands;
        var tenant = _tenant;
        return await RunWriteAsync<IReadOnlyList<OutboxEntry>>(
            async (transaction, ct) =>
            {
                var rows = await SqliteStorage.ClaimOutboxAsync(commands, transaction, tenant, claim.RunnerId, claim.MaxCount, _shared.Options.PageBytes, now, leaseUntil, ct).ConfigureAwait(false);
                return rows.ConvertAll(_rows.MaterializeEntry);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    async ValueTask IOutboxStore.CompleteOutboxAsync(string runnerId, long entryId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var commands = _shared.Commands;
        var tenant = _tenant;
        await RunWriteAsync(
            async (transaction, ct) =>
            {
                await SqliteStorage.CompleteOutboxAsync(commands, transaction, tenant, runnerId, entryId, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    async ValueTask IOutboxStore.CompleteOutboxAsync(string runnerId, IReadOnlyCollection<long> entryIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entryIds);
        cancellationToken.ThrowIfCancellationRequested();
        if (entryIds.Count == 0)
        {
            return;
        }

        if (entryIds.Count == 1)
        {
            // The usual case (CompletionBatchSize 1): the statement by primary key, no JSON list to build and parse.
            await ((IOutboxStore)this).CompleteOutboxAsync(runnerId, entryIds.First(), cancellationToken).ConfigureAwait(false);
            return;
        }

        var commands = _shared.Commands;
        var tenant = _tenant;
        await RunWriteAsync(
            async (transaction, ct) =>
            {
                await SqliteStorage.CompleteOutboxAsync(commands, transaction, tenant, runnerId, entryIds, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    async ValueTask IOutboxStore.FailOutboxAsync(string runnerId, long entryId, string error, DateTimeOffset? retryAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(error);
        cancellationToken.ThrowIfCancellationRequested();
        var commands = _shared.Commands;
        var tenant = _tenant;
        long? retryAtTicks = retryAt is { } at ? StoredValues.ToUtcTicks(at) : null;
        DateTimeOffset? deadLetteredAt = retryAt is null ? now : null;
        await RunWriteAsync(
            async (transaction, ct) =>
            {
                await SqliteStorage.FailOutboxAsync(commands, transaction, tenant, runnerId, entryId, error, retryAtTicks, deadLetteredAt, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    async ValueTask IOutboxStore.ReleaseOutboxAsync(string runnerId, IReadOnlyCollection<long> entryIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entryIds);
        cancellationToken.ThrowIfCancellationRequested();
        if (entryIds.Count == 0)
        {
            return;
        }

        var commands = _shared.Commands;
        var tenant = _tenant;
        await RunWriteAsync(
            async (transaction, ct) =>
            {
                await SqliteStorage.ReleaseOutboxAsync(commands, transaction, tenant, runnerId, entryIds, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    async ValueTask<IReadOnlyList<OutboxEntry>> IOutboxStore.ReadDeadLettersAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var commands = _shared.Commands;
        var tenant = _tenant;
        var rows = await RunAsync((transaction, ct) => SqliteStorage.ReadDeadLettersAsync(commands, transaction, tenant, ct), cancellationToken).ConfigureAwait(false);
        return rows.ConvertAll(_rows.MaterializeEntry);
    }

    /// <inheritdoc />
    async ValueTask<int> IOutboxStore.RetryDeadLettersAsync(IReadOnlyCollection<long>? entryIds, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (entryIds is { Count: 0 })
        {
            return 0;
        }

        var commands = _shared.Commands;
        var tenant = _tenant;
        return await RunWriteAsync((transaction, ct) => SqliteStorage.RetryDeadLettersAsync(commands, transaction, tenant, entryIds, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    async ValueTask<long> IOutboxStore.CountOutboxAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var commands = _shared.Commands;
        var tenant = _tenant;
        return await RunAsync((transaction, ct) => SqliteStorage.CountOutboxAsync(commands, transaction, tenant, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// On the store itself: waits for running operations, then closes the connection if the store opened it; every
    /// view made by <see cref="ForTenant"/> is disposed with it. On a view: does nothing.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        if (!_isView)
        {
            await _shared.Executor.DisposeAsync().ConfigureAwait(false);
        }
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
        var commands = _shared.Commands;
        var time = _shared.Time;
        var listeners = _shared.Listeners;
        var signal = _shared.Signal;
        var tenant = _tenant;
        try
        {
            return await RunWriteAsync(
                streamId,
                expectedVersion,
                stream,
                async (transaction, ct) =>
                {
                    var current = await SqliteStorage.FindStreamAsync(commands, transaction, stream, ct).ConfigureAwait(false);
                    if (!expectedVersion.IsSatisfiedBy(current?.Version))
                    {
                        // A retry of an append that committed finds its events where it would put them: its result.
                        var storedIds = await SqliteStorage.FindEventIdsAsync(commands, transaction, stream, events, ct).ConfigureAwait(false);
                        return AppendRetry.Resolve(streamId, expectedVersion, events, storedIds)
                            ?? throw new ConcurrencyException(streamId, expectedVersion, current?.Version);
                    }

                    var firstVersion = (current?.Version ?? 0) + 1;
                    var lastVersion = firstVersion + events.Count - 1;
                    var written = stream;
                    var recordedAt = time.GetUtcNow();
                    var positions = listeners.IsEmpty ? null : new long[events.Count];
                    long lastPosition;
                    try
                    {
                        long streamKey;
                        if (current is { } found)
                        {
                            if (!await SqliteStorage.UpdateStreamVersionAsync(commands, transaction, found.Key, found.Version, lastVersion, ct).ConfigureAwait(false))
                            {
                                throw new LostRaceException(null);
                            }

                            streamKey = found.Key;
                            written = stream with { Name = found.Name }; // outbox rows carry the name the stream was created with
                        }
                        else
                        {
                            streamKey = await SqliteStorage.InsertStreamAsync(commands, transaction, stream, lastVersion, ct).ConfigureAwait(false);
                        }

                        lastPosition = await SqliteStorage.InsertEventsAsync(commands, transaction, written, streamKey, firstVersion, events, serialized, recordedAt, outboxed, positions, ct).ConfigureAwait(false);
                    }
                    catch (SqliteException ex) when (SqliteStorage.IsEventIdViolation(ex))
                    {
                        throw new EventIdTakenException(ex);
                    }
                    catch (SqliteException ex) when (SqliteStorage.IsUniqueViolation(ex))
                    {
                        throw new LostRaceException(ex);
                    }

                    if (positions is not null)
                    {
                        await InvokeListenersAsync(listeners, RowMaterializer.WithStoredName(streamId, written.Name), firstVersion, positions, events, serialized, recordedAt, ct).ConfigureAwait(false);
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
                async (transaction, ct) =>
                {
                    var storedIds = await SqliteStorage.FindEventIdsAsync(commands, transaction, stream, events, ct).ConfigureAwait(false);
                    if (AppendRetry.Resolve(streamId, expectedVersion, events, storedIds) is { } original)
                    {
                        return original;
                    }

                    // The event that held the id was deleted since: as with any other lost race.
                    var actual = await SqliteStorage.FindStreamAsync(commands, transaction, stream, ct).ConfigureAwait(false);
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
            await listeners.InvokeAsync(recorded, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            throw new ListenerFailedException(ExceptionDispatchInfo.Capture(ex));
        }
    }

    /// <summary>
    /// Runs a write to one stream (see <see cref="RunWriteAsync{T}(Func{SqliteTransaction, CancellationToken, Task{T}}, CancellationToken)"/>);
    /// a lost race becomes <see cref="ConcurrencyException"/> with the stream's version read afresh.
    /// </summary>
    private Task<T> RunWriteAsync<T>(StreamId streamId, ExpectedVersion expected, StreamKey stream, Func<SqliteTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
        => RunWriteAsync(streamId, expected, stream, work, committed: null, cancellationToken);

    /// <summary>
    /// Runs a write to one stream like the overload without <paramref name="committed"/>. When the write commits a
    /// transaction of the store's own (not the user's), <paramref name="committed"/> runs, still alone on the
    /// connection, so that its effects follow commit order.
    /// </summary>
    private Task<T> RunWriteAsync<T>(StreamId streamId, ExpectedVersion expected, StreamKey stream, Func<SqliteTransaction, CancellationToken, Task<T>> work, Action<T>? committed, CancellationToken cancellationToken)
        => RunAsync(
            async (userTransaction, ct) =>
            {
                try
                {
                    return await _shared.Executor.InWriteTransactionAsync(userTransaction, work, committed, ct).ConfigureAwait(false);
                }
                catch (LostRaceException lost)
                {
                    // Rolled back already (to the savepoint in the user's transaction), so this reads what the winner wrote.
                    var actual = await SqliteStorage.FindStreamAsync(_shared.Commands, userTransaction, stream, ct).ConfigureAwait(false);
                    throw new ConcurrencyException(streamId, expected, actual?.Version, lost.InnerException);
                }
            },
            cancellationToken);

    /// <summary>
    /// What the store and every tenant view made from it share: the executor (one connection, one gate, the schema
    /// state), the options, the serializer, the listeners and the append signal.
    /// </summary>
    private sealed class SharedState(SqliteExecutor executor, SqliteEventStoreOptions options)
    {
        public SqliteExecutor Executor { get; } = executor;

        public DbContext Context => Executor.Context;

        public SqliteConnection Connection => Executor.Connection;

        /// <summary>The store's compiled statements. Used under the executor's gate.</summary>
        public CommandCache Commands => Executor.Commands;

        public SqliteEventStoreOptions Options { get; } = options;

        public EventSerializer Serializer { get; } = new(options.Registry, options.MaxEventBytes);

        public TimeProvider Time => Options.TimeProvider;

        /// <summary>The listeners every view's appends run.</summary>
        public EventListeners Listeners { get; } = new();

        /// <summary>Wakes the subscribers of every view when this instance commits an append.</summary>
        public AppendNotifier Signal { get; } = new();
    }

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
