using EventSourcery.Relational.Schema;
using EventSourcery.Sqlite.Storage;
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
/// the loser of a race fail with <see cref="ConcurrencyException"/>. The tenant views made by
/// <see cref="RelationalEventStore.ForTenant"/> share the instance's connection, transaction, serialization, listeners
/// and lifetime. Subscriptions on an instance wake as soon as it commits an append; writes of other instances and
/// processes reach them by polling.
/// </remarks>
public partial class SqliteEventStore : RelationalEventStore
{
    /// <summary>Builds the store over a user's context (see <see cref="SqliteDbContextEventStore"/>).</summary>
    /// <exception cref="ArgumentException">The context does not use SQLite, or its model lacks the store's tables.</exception>
    private protected SqliteEventStore(DbContext context, SqliteEventStoreOptions? options)
        : this(UserContextExecutor(context ?? throw new ArgumentNullException(nameof(context)), options ?? new SqliteEventStoreOptions()))
    {
    }

    /// <summary>
    /// Creates a store over the database in <paramref name="connectionString"/> (e.g. <c>"Data Source=events.db"</c>)
    /// without touching the database, so that a dependency-injection container can construct it. The first operation
    /// does what <see cref="OpenAsync"/> does up front: opens a connection the store owns, switches the file to WAL,
    /// sets synchronous, foreign keys and the busy timeout, and creates the store's missing tables. A failure there
    /// (a bad path, a file locked for too long) surfaces from that operation, and the next operation tries again.
    /// </summary>
    /// <exception cref="ArgumentException">The connection string is null, empty, whitespace or malformed.</exception>
    // RS0022: RelationalEventStore's constructors are internal so that only the provider packages derive from it; it
    // has no protected members that a class derived from this one could reach.
#pragma warning disable RS0022
    public SqliteEventStore(string connectionString, SqliteEventStoreOptions? options = null)
#pragma warning restore RS0022
        : this(OwnedExecutor(connectionString, options ?? new SqliteEventStoreOptions()))
    {
    }

    private SqliteEventStore(SqliteExecutor executor)
        : base(executor, executor.Storage, executor.Options)
    {
    }

    /// <summary>A tenant view over the state of <paramref name="store"/>.</summary>
    private protected SqliteEventStore(SqliteEventStore store, string tenant)
        : base(store, tenant)
    {
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
            await store.Executor.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The connection the store and all its views work on (for tests of its settings).</summary>
    internal SqliteConnection Connection => ((SqliteExecutor)Executor).Connection;

    /// <inheritdoc />
    internal override RelationalEventStore CreateView(string tenant) => CreateSqliteView(tenant);

    /// <summary>A view of this store's database for <paramref name="tenant"/>, of this store's kind.</summary>
    private protected virtual SqliteEventStore CreateSqliteView(string tenant) => new(this, tenant);

    /// <summary>A store's own connection, with no EF Core at run time (so it also runs in a NativeAOT app).</summary>
    private static SqliteExecutor OwnedExecutor(string connectionString, SqliteEventStoreOptions options)
        => new(new OwnedConnection(SqliteExecutor.CreateOwnedConnection(connectionString, options)), options, typeof(SqliteEventStore));

    private static SqliteExecutor UserContextExecutor(DbContext context, SqliteEventStoreOptions options)
    {
        if (context.Database.GetDbConnection() is not SqliteConnection connection)
        {
            throw new ArgumentException("The DbContext does not use the SQLite provider (UseSqlite).", nameof(context));
        }

        ModelCheck.RequireStoreTables(context, nameof(context));

        return new SqliteExecutor(new UserContextConnection(context, connection), options, typeof(SqliteDbContextEventStore));
    }
}
