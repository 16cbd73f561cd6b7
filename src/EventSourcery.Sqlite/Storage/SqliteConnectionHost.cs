using EventSourcery.Relational.Schema;
using EventSourcery.Relational.Storage;
using EventSourcery.Sqlite.Schema;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace EventSourcery.Sqlite.Storage;

/// <summary>
/// Where a SQLite store's connection comes from, and what differs with it: a connection the store opened itself
/// (<see cref="OwnedConnection"/>: no EF Core at run time, so the store runs in a trimmed or NativeAOT app) or a user's
/// <see cref="DbContext"/> (<see cref="UserContextConnection"/>: its connection, its transaction, its model for the
/// schema). Only the store over a user's context makes the second, so an app that never does carries none of EF Core's
/// code: the calls below are virtual, and a trimmer keeps the overrides of classes that are constructed.
/// </summary>
internal abstract class SqliteConnectionHost(SqliteConnection connection)
{
    public SqliteConnection Connection { get; } = connection;

    /// <summary>Whether the store opened the connection (and so sets it up, keeps it open once set up, and disposes it).</summary>
    public abstract bool OwnsConnection { get; }

    /// <summary>The user's context; null for a connection the store owns.</summary>
    public abstract DbContext? Context { get; }

    /// <summary>The transaction the user began on their context, if any.</summary>
    public abstract SqliteTransaction? UserTransaction();

    /// <summary>Opens the connection for an operation (EF counts opens over a user's context).</summary>
    public abstract Task OpenAsync(CancellationToken cancellationToken);

    /// <summary>Closes what <see cref="OpenAsync"/> opened.</summary>
    public abstract Task CloseAsync();

    /// <summary>Whether a store of the same model has already found the schema of <paramref name="database"/> current.</summary>
    public abstract bool IsKnownCurrent(string? database);

    /// <summary>Remembers that the schema of <paramref name="database"/> is current (see <see cref="KnownSchemas"/>).</summary>
    public abstract void Remember(string? database);

    /// <summary>Forgets <paramref name="database"/>: the next store checks its schema again.</summary>
    public abstract void Forget(string? database);

    /// <summary>Creates the store's missing tables (and brings an older <c>es_events</c> up to date) in <paramref name="session"/>.</summary>
    public abstract Task CreateMissingTablesAsync(RelationalStorage storage, RelationalSession session, CancellationToken cancellationToken);

    /// <summary>Releases what the store opened.</summary>
    public abstract ValueTask DisposeAsync();
}

/// <summary>
/// A connection the store opened and owns: kept open for the store's lifetime once set up, its tables created from
/// <see cref="SqliteSchema"/>, the statements EF Core generates from the store's model (a test holds them equal).
/// </summary>
internal sealed class OwnedConnection(SqliteConnection connection) : SqliteConnectionHost(connection)
{
    public override bool OwnsConnection => true;

    public override DbContext? Context => null;

    public override SqliteTransaction? UserTransaction() => null;

    public override Task OpenAsync(CancellationToken cancellationToken)
        => Connection.State == System.Data.ConnectionState.Open ? Task.CompletedTask : Connection.OpenAsync(cancellationToken);

    public override Task CloseAsync() => Connection.CloseAsync();

    /// <remarks>A store that owns its connection lives long, and <c>OpenAsync</c> promises to look at the file itself.</remarks>
    public override bool IsKnownCurrent(string? database) => false;

    public override void Remember(string? database)
    {
    }

    public override void Forget(string? database)
    {
    }

    public override Task CreateMissingTablesAsync(RelationalStorage storage, RelationalSession session, CancellationToken cancellationToken)
        => SchemaCreator.EnsureCreatedAsync(SqliteSchema.CreateStatements, storage, session, cancellationToken);

    public override ValueTask DisposeAsync() => Connection.DisposeAsync();
}

/// <summary>The connection of a user's <see cref="DbContext"/>: opened and closed through EF (which counts opens), never disposed by the store.</summary>
internal sealed class UserContextConnection(DbContext context, SqliteConnection connection) : SqliteConnectionHost(connection)
{
    public override bool OwnsConnection => false;

    public override DbContext Context { get; } = context;

    public override SqliteTransaction? UserTransaction()
        => Context.Database.CurrentTransaction?.GetDbTransaction() as SqliteTransaction;

    public override Task OpenAsync(CancellationToken cancellationToken) => Context.Database.OpenConnectionAsync(cancellationToken);

    public override Task CloseAsync() => Context.Database.CloseConnectionAsync();

    public override bool IsKnownCurrent(string? database) => KnownSchemas.IsKnownCurrent(Context, database);

    public override void Remember(string? database) => KnownSchemas.Remember(Context, database);

    public override void Forget(string? database) => KnownSchemas.Forget(Context, database);

    public override Task CreateMissingTablesAsync(RelationalStorage storage, RelationalSession session, CancellationToken cancellationToken)
        => SchemaCreator.EnsureCreatedAsync(Context, storage, session, cancellationToken);

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
