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
public partial class SqliteEventStore : IEventStore, IStreamEventReader, ISnapshotStore, IOutboxStore, IAppendSignal, ICheckpointStore, IProjectionLeases, IAsyncDisposable
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
}
