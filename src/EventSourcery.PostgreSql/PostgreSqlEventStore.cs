using EventSourcery.PostgreSql.Storage;
using EventSourcery.Relational.Schema;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace EventSourcery;

/// <summary>
/// An <see cref="IEventStore"/> in a PostgreSQL database, with the same semantics as <see cref="InMemoryEventStore"/>
/// and <c>SqliteEventStore</c>, for several app instances on one database. Open one with <see cref="OpenAsync"/> (or
/// construct one, to set up on first use), or build a <see cref="PostgreSqlDbContextEventStore"/> over your own
/// <see cref="DbContext"/> to write events in the same transaction as your own entities. Its tables live in the schema
/// of <see cref="PostgreSqlEventStoreOptions.Schema"/>, created on first use.
/// </summary>
/// <remarks>
/// The store rents a pooled connection per operation from an <see cref="NpgsqlDataSource"/>, so one instance serves
/// concurrent callers. Appends commit in position order (see docs/postgresql.md, "Gap safety"): a subscription or
/// projection never passes an event that commits later. Outbox claims of one schema take turns, so several instances
/// deliver without splitting a stream; each projection runs on one instance at a time (<see cref="IProjectionLeases"/>).
/// </remarks>
public class PostgreSqlEventStore : RelationalEventStore
{
    /// <summary>Builds the store over a user's context (see <see cref="PostgreSqlDbContextEventStore"/>).</summary>
    /// <exception cref="ArgumentException">The context does not use PostgreSQL, or its model lacks the store's tables in the options' schema.</exception>
    private protected PostgreSqlEventStore(DbContext context, PostgreSqlEventStoreOptions? options)
        : this(OverContext(context ?? throw new ArgumentNullException(nameof(context)), options ?? new PostgreSqlEventStoreOptions()))
    {
    }

    /// <summary>
    /// Creates a store over the database in <paramref name="connectionString"/> (e.g.
    /// <c>"Host=localhost;Database=app;Username=app;Password=..."</c>) without touching the database, so that a
    /// dependency-injection container can construct it. The first operation creates the schema's missing tables; a
    /// failure there surfaces from that operation, and the next one tries again.
    /// </summary>
    /// <exception cref="ArgumentException">The connection string is null, empty, whitespace or malformed.</exception>
    // RS0022: RelationalEventStore's constructors are internal so that only the provider packages derive from it; it
    // has no protected members that a class derived from this one could reach.
#pragma warning disable RS0022
    public PostgreSqlEventStore(string connectionString, PostgreSqlEventStoreOptions? options = null)
#pragma warning restore RS0022
        : this(OwnedDataSource(connectionString), ownsDataSource: true, options ?? new PostgreSqlEventStoreOptions())
    {
    }

    /// <summary>
    /// Creates a store that rents its connections from <paramref name="dataSource"/> (yours to configure and dispose:
    /// disposing the store leaves it open), without touching the database.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> is null.</exception>
#pragma warning disable RS0022
    public PostgreSqlEventStore(NpgsqlDataSource dataSource, PostgreSqlEventStoreOptions? options = null)
#pragma warning restore RS0022
        : this(dataSource ?? throw new ArgumentNullException(nameof(dataSource)), ownsDataSource: false, options ?? new PostgreSqlEventStoreOptions())
    {
    }

    private PostgreSqlEventStore(NpgsqlDataSource dataSource, bool ownsDataSource, PostgreSqlEventStoreOptions options)
        : this(new NpgsqlExecutor(dataSource, ownsDataSource, options, typeof(PostgreSqlEventStore)))
    {
    }

    private PostgreSqlEventStore(NpgsqlExecutor executor)
        : base(executor, executor.Storage, executor.Options)
    {
    }

    /// <summary>A tenant view over the state of <paramref name="store"/>.</summary>
    private protected PostgreSqlEventStore(PostgreSqlEventStore store, string tenant)
        : base(store, tenant)
    {
    }

    /// <summary>
    /// Opens a store over the database in <paramref name="connectionString"/>: creates the schema and the store's
    /// tables if they do not exist (other tables are left alone). Unlike the constructor, which defers this to the
    /// first operation, it surfaces a wrong host, password or permission here.
    /// </summary>
    /// <exception cref="ArgumentException">The connection string is null, empty, whitespace or malformed.</exception>
    /// <exception cref="NpgsqlException">The server cannot be reached, or refuses the login.</exception>
    public static async Task<PostgreSqlEventStore> OpenAsync(string connectionString, PostgreSqlEventStoreOptions? options = null, CancellationToken cancellationToken = default)
    {
        var store = new PostgreSqlEventStore(connectionString, options);
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

    /// <summary>The schema that holds the store's tables.</summary>
    public string Schema => ((NpgsqlExecutor)Executor).Options.Schema;

    /// <inheritdoc />
    internal override RelationalEventStore CreateView(string tenant) => CreatePostgreSqlView(tenant);

    /// <summary>A view of this store's database for <paramref name="tenant"/>, of this store's kind.</summary>
    private protected virtual PostgreSqlEventStore CreatePostgreSqlView(string tenant) => new(this, tenant);

    /// <summary>
    /// The store's own data source. Unless the connection string says otherwise:
    /// <list type="bullet">
    /// <item>Npgsql prepares the statements a connection runs repeatedly (<c>Max Auto Prepare</c> 64): the store's
    /// statements are few and constant, and an append's is long, so planning it once per connection instead of once per
    /// append matters.</item>
    /// <item>A connection going back to the pool is not reset (<c>No Reset On Close</c>): only the store's own statements
    /// run on it, and they leave no session state behind (no <c>SET</c>, no temporary table, no <c>LISTEN</c>, and no
    /// session lock outside a user's transaction: the global reads' safe bound takes a transaction lock there). The
    /// reset is a statement of its own that the server runs before the next operation's (35–40 µs measured, about a
    /// tenth of a single-event append).</item>
    /// </list>
    /// </summary>
    private static NpgsqlDataSource OwnedDataSource(string connectionString) => NpgsqlDataSource.Create(OwnedConnectionString(connectionString));

    /// <summary>The connection string of the store's own data source (see <see cref="OwnedDataSource"/>).</summary>
    internal static string OwnedConnectionString(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.MaxAutoPrepare == 0)
        {
            builder.MaxAutoPrepare = 64;
        }

        if (!builder.Keys.Cast<string>().Contains("No Reset On Close", StringComparer.OrdinalIgnoreCase))
        {
            builder.NoResetOnClose = true;
        }

        return builder.ConnectionString;
    }

    private static NpgsqlExecutor OverContext(DbContext context, PostgreSqlEventStoreOptions options)
    {
        if (context.Database.GetDbConnection() is not NpgsqlConnection)
        {
            throw new ArgumentException("The DbContext does not use the PostgreSQL provider (UseNpgsql).", nameof(context));
        }

        var events = ModelCheck.RequireStoreTables(context, nameof(context));
        var mapped = events.GetSchema() ?? context.Model.GetDefaultSchema() ?? "public";
        if (mapped != options.Schema)
        {
            throw new ArgumentException($"The DbContext's model maps the event store's tables to schema '{mapped}', but the store's options name '{options.Schema}'. Give both the same schema (modelBuilder.AddEventSourcery(\"{options.Schema}\") or PostgreSqlEventStoreOptions.Schema = \"{mapped}\").", nameof(context));
        }

        return new NpgsqlExecutor(context, options, typeof(PostgreSqlDbContextEventStore));
    }
}
