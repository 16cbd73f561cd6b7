using EventSourcery.Relational.Schema;
using EventSourcery.Relational.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace EventSourcery.PostgreSql.Storage;

/// <summary>
/// Where a PostgreSQL store's connections come from, and what differs with them: a data source the store rents from
/// (<see cref="DataSourceConnections"/>: no EF Core at run time, so the store runs in a trimmed or NativeAOT app) or a
/// user's <see cref="DbContext"/> (<see cref="UserContextConnections"/>: its one connection, its transaction, its model
/// for the schema). Only the store over a user's context makes the second; the calls are virtual, so a trimmer keeps
/// none of EF Core's code in an app that never does.
/// </summary>
internal abstract class PostgreSqlConnections
{
    /// <summary>The user's context; null for a store that rents from a data source.</summary>
    public abstract DbContext? Context { get; }

    /// <summary>Whether the store works on the user's context and their transaction is open.</summary>
    public abstract bool InUserTransaction { get; }

    /// <summary>The connection string, which names the server and database (for <see cref="KnownSchemas"/>).</summary>
    public abstract string? ConnectionString { get; }

    /// <summary>A connection for one operation, open, with the user's transaction when there is one.</summary>
    public abstract Task<ConnectionLease> ConnectAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Gives back the connection of a lease: to the pool, or to the user's context (closed through EF, which counts
    /// opens, and the store's turn on it released).
    /// </summary>
    public abstract ValueTask ReleaseAsync(NpgsqlConnection connection);

    /// <summary>Whether a store of the same model has already found the tables in <paramref name="database"/> current.</summary>
    public abstract bool IsKnownCurrent(string database);

    /// <summary>Remembers that the tables in <paramref name="database"/> are current.</summary>
    public abstract void Remember(string database);

    /// <summary>Forgets <paramref name="database"/>: the next store checks its tables again.</summary>
    public abstract void Forget(string database);

    /// <summary>Creates the store's missing tables (and brings an older <c>es_events</c> up to date) in <paramref name="session"/>.</summary>
    public abstract Task CreateMissingTablesAsync(PostgreSqlStorage storage, RelationalSession session, CancellationToken cancellationToken);

    /// <summary>Releases what the store owns.</summary>
    public abstract ValueTask DisposeAsync();
}

/// <summary>
/// A connection held for one operation, given back to where it came from (<see cref="PostgreSqlConnections.ReleaseAsync"/>)
/// when disposed.
/// </summary>
internal readonly struct ConnectionLease(NpgsqlConnection connection, NpgsqlTransaction? userTransaction, PostgreSqlConnections owner) : IAsyncDisposable
{
    public NpgsqlConnection Connection { get; } = connection;

    public NpgsqlTransaction? UserTransaction { get; } = userTransaction;

    public ValueTask DisposeAsync() => owner.ReleaseAsync(Connection);
}

/// <summary>
/// Connections rented per operation from a data source, so operations of one store run side by side; tables created
/// from <see cref="PostgreSqlSchema"/>, the statements EF Core generates from the store's model (a test holds them equal).
/// </summary>
internal sealed class DataSourceConnections(NpgsqlDataSource dataSource, bool ownsDataSource, string schema) : PostgreSqlConnections
{
    public override DbContext? Context => null;

    public override bool InUserTransaction => false;

    public override string? ConnectionString => dataSource.ConnectionString;

    public override async Task<ConnectionLease> ConnectAsync(CancellationToken cancellationToken)
        => new(await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false), null, this);

    /// <summary>Returns the connection to the pool.</summary>
    public override ValueTask ReleaseAsync(NpgsqlConnection connection) => connection.DisposeAsync();

    /// <remarks>A store over a data source lives long, and checks its tables once itself.</remarks>
    public override bool IsKnownCurrent(string database) => false;

    public override void Remember(string database)
    {
    }

    public override void Forget(string database)
    {
    }

    public override Task CreateMissingTablesAsync(PostgreSqlStorage storage, RelationalSession session, CancellationToken cancellationToken)
        => SchemaCreator.EnsureCreatedAsync(tables => PostgreSqlSchema.CreateStatements(schema, tables), storage, session, cancellationToken);

    public override ValueTask DisposeAsync() => ownsDataSource ? dataSource.DisposeAsync() : ValueTask.CompletedTask;
}

/// <summary>
/// The one connection of a user's <see cref="DbContext"/>, taken in turns by the store's operations (<paramref name="gate"/>)
/// and opened through EF for an operation when it is closed; never disposed by the store.
/// </summary>
internal sealed class UserContextConnections(DbContext context, SemaphoreSlim gate) : PostgreSqlConnections
{
    public override DbContext Context { get; } = context;

    public override bool InUserTransaction => Context.Database.CurrentTransaction is not null;

    public override string? ConnectionString => Context.Database.GetConnectionString();

    public override async Task<ConnectionLease> ConnectAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await Context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            gate.Release();
            throw;
        }

        var connection = (NpgsqlConnection)Context.Database.GetDbConnection();
        return new ConnectionLease(connection, Context.Database.CurrentTransaction?.GetDbTransaction() as NpgsqlTransaction, this);
    }

    public override async ValueTask ReleaseAsync(NpgsqlConnection connection)
    {
        try
        {
            await Context.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    public override bool IsKnownCurrent(string database) => KnownSchemas.IsKnownCurrent(Context, database);

    public override void Remember(string database) => KnownSchemas.Remember(Context, database);

    public override void Forget(string database) => KnownSchemas.Forget(Context, database);

    public override Task CreateMissingTablesAsync(PostgreSqlStorage storage, RelationalSession session, CancellationToken cancellationToken)
        => SchemaCreator.EnsureCreatedAsync(Context, storage, session, cancellationToken);

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
