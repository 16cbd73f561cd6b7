using EventSourcery.Relational.Storage;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace EventSourcery.PostgreSql.Storage;

/// <summary>
/// How a PostgreSQL store runs its statements. A store that owns its connections rents one from its
/// <see cref="NpgsqlDataSource"/> per operation, so operations of one instance run side by side; a store over a user's
/// <see cref="DbContext"/> works on the context's one connection, one operation at a time, and joins the user's
/// transaction when there is one. Serialization failures, deadlocks and dropped connections are retried when nothing
/// of the user's is at stake; PostgreSQL's errors become the store's typed exceptions.
/// </summary>
internal sealed class NpgsqlExecutor : RelationalExecutor
{
    private const string Savepoint = "eventsourcery_write";

    private readonly PostgreSqlConnections _connections;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Type _ownerType;
    private volatile bool _schemaReady;
    private int _disposed;

    /// <summary>An executor that rents connections from <paramref name="dataSource"/>, with no EF Core at run time.</summary>
    public NpgsqlExecutor(NpgsqlDataSource dataSource, bool ownsDataSource, PostgreSqlEventStoreOptions options, Type ownerType)
    {
        _connections = new DataSourceConnections(dataSource, ownsDataSource, options.Schema);
        Options = options;
        Storage = new PostgreSqlStorage(options.Schema);
        _ownerType = ownerType;
    }

    /// <summary>An executor over the user's context: its connection and transaction.</summary>
    public NpgsqlExecutor(DbContext context, PostgreSqlEventStoreOptions options, Type ownerType)
    {
        _connections = new UserContextConnections(context, _gate);
        Options = options;
        Storage = new PostgreSqlStorage(options.Schema);
        _ownerType = ownerType;
    }

    /// <inheritdoc />
    public override DbContext? Context => _connections.Context;

    /// <inheritdoc />
    /// <remarks>True for a store over a data source (each operation rents a pooled connection); false over a user's context.</remarks>
    public override bool RunsSideBySide => _connections.Context is null;

    public PostgreSqlEventStoreOptions Options { get; }

    /// <summary>The store's statements, over its schema.</summary>
    public PostgreSqlStorage Storage { get; }

    /// <inheritdoc />
    public override Task<T> RunAsync<T>(Func<RelationalSession, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
        => RetryAsync(
            async ct =>
            {
                await using var lease = await ConnectAsync(ct).ConfigureAwait(false);
                return await work(new NpgsqlSession(lease.Connection, lease.UserTransaction), ct).ConfigureAwait(false);
            },
            cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// With <paramref name="oneCommand"/> and no transaction of the user's, the write runs in no transaction of the
    /// store's: PostgreSQL runs the statements of one command (one <c>Sync</c> of the extended protocol) as one implicit
    /// transaction and commits it before it answers, so the write is one round trip instead of begin, command and commit.
    /// </remarks>
    public override async Task<RelationalWrite> BeginWriteAsync(bool oneCommand, CancellationToken cancellationToken)
    {
        var lease = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (lease.UserTransaction is { } user)
            {
                // A savepoint keeps the write all-or-nothing inside the user's transaction without ending it.
                await user.SaveAsync(Savepoint, cancellationToken).ConfigureAwait(false);
                return new Write(lease, user, own: false);
            }

            var transaction = oneCommand ? null : await lease.Connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            return new Write(lease, transaction, own: true);
        }
        catch
        {
            await lease.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Serialization failures, deadlocks, a server shutting down or restarting and broken connections are retried with
    /// backoff, up to <see cref="PostgreSqlEventStoreOptions.MaxAttempts"/>, when no transaction of the user's is open;
    /// tables dropped since they were found are created again; a read-only server and a lock or statement timeout
    /// become <see cref="EventStoreReadOnlyException"/> and <see cref="EventStoreBusyException"/>.
    /// </remarks>
    public override FailedAttempt Judge(Exception error, int attempt, CancellationToken cancellationToken)
    {
        if (PostgreSqlStorage.IsReadOnly(error))
        {
            return FailedAttempt.Replace(new EventStoreReadOnlyException(error));
        }

        if (error is PostgresException busy && PostgreSqlStorage.IsBusy(busy) && !cancellationToken.IsCancellationRequested)
        {
            var timeout = busy.SqlState == "55P03" ? "lock_timeout" : "statement_timeout";
            return FailedAttempt.Replace(new EventStoreBusyException(attempt, $"PostgreSQL's {timeout} ended the wait ({busy.SqlState}: {busy.MessageText})", busy));
        }

        var retryable = !InUserTransaction && attempt < Options.MaxAttempts && !cancellationToken.IsCancellationRequested;
        if (retryable && PostgreSqlStorage.IsMissingSchema(error) && _schemaReady)
        {
            // The tables were dropped since they were found in place: forget that, and create them again.
            _connections.Forget(DatabaseKey());
            _schemaReady = false;
            return FailedAttempt.Retry(TimeSpan.Zero);
        }

        // Backoff with jitter, so two writers that collided do not collide again in lockstep.
        return retryable && PostgreSqlStorage.IsRetryable(error)
            ? FailedAttempt.Retry(TimeSpan.FromMilliseconds((10 << attempt) + Random.Shared.Next(10)))
            : FailedAttempt.Surface;
    }

    /// <inheritdoc />
    public override async Task ExclusiveAsync(Func<Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await work().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public override Task EnsureSchemaAsync(CancellationToken cancellationToken)
        => RunAsync<bool>((_, _) => Task.FromResult(true), cancellationToken);

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _connections.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Creates the schema's missing tables once per executor (and, over a user's context, once per database for every
    /// context of the model), under an advisory lock so that two processes creating it at once take turns.
    /// </summary>
    private async Task EnsureSchemaCoreAsync(NpgsqlConnection connection, NpgsqlTransaction? userTransaction, CancellationToken cancellationToken)
    {
        var database = DatabaseKey();
        if (_connections.IsKnownCurrent(database)
            || await Storage.SchemaIsCurrentAsync(new NpgsqlSession(connection, userTransaction), cancellationToken).ConfigureAwait(false))
        {
            _connections.Remember(database);
            _schemaReady = true;
            return;
        }

        if (userTransaction is not null)
        {
            // Created inside the user's transaction: a rollback would take the tables away again, so check next time too.
            var nested = new NpgsqlSession(connection, userTransaction);
            await Storage.LockSchemaAsync(nested, cancellationToken).ConfigureAwait(false);
            await _connections.CreateMissingTablesAsync(Storage, nested, cancellationToken).ConfigureAwait(false);
            return;
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var session = new NpgsqlSession(connection, transaction);
        await Storage.LockSchemaAsync(session, cancellationToken).ConfigureAwait(false);
        await _connections.CreateMissingTablesAsync(Storage, session, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        _connections.Remember(database);
        _schemaReady = true;
    }

    /// <summary>The server, database and schema, which name the tables for <see cref="EventSourcery.Relational.Schema.KnownSchemas"/>.</summary>
    private string DatabaseKey()
    {
        var builder = new NpgsqlConnectionStringBuilder(_connections.ConnectionString);
        return $"{builder.Host}:{builder.Port}/{builder.Database}/{Options.Schema}";
    }

    /// <summary>Whether the store works on the user's context and their transaction is open.</summary>
    private bool InUserTransaction => _connections.InUserTransaction;

    /// <summary>
    /// A connection for one operation, with the schema in place: rented from the pool, or the user's context's (opened
    /// by EF for the operation when it is closed), taken in turns with the store's other operations.
    /// </summary>
    private async Task<ConnectionLease> ConnectAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, _ownerType);
        var lease = await _connections.ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await WithSchemaAsync(lease, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ConnectionLease> WithSchemaAsync(ConnectionLease lease, CancellationToken cancellationToken)
    {
        if (_schemaReady)
        {
            return lease;
        }

        try
        {
            await EnsureSchemaCoreAsync(lease.Connection, lease.UserTransaction, cancellationToken).ConfigureAwait(false);
            return lease;
        }
        catch
        {
            await lease.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async ValueTask UndoToSavepointAsync(NpgsqlTransaction transaction)
    {
        try
        {
            await transaction.RollbackAsync(Savepoint).ConfigureAwait(false);
            await transaction.ReleaseAsync(Savepoint).ConfigureAwait(false);
        }
        catch (NpgsqlException)
        {
            // The user's transaction is already gone (the connection broke); the original exception says why.
        }
        catch (InvalidOperationException)
        {
            // The transaction was completed meanwhile; the original exception says why.
        }
    }

    /// <summary>A write on a leased connection: in the store's transaction, a savepoint in the user's, or (one command) none.</summary>
    private sealed class Write(ConnectionLease lease, NpgsqlTransaction? transaction, bool own) : RelationalWrite
    {
        private bool _done;

        public override RelationalSession Session { get; } = new NpgsqlSession(lease.Connection, transaction);

        public override bool CommitIsFinal => own;

        public override async Task CommitAsync(CancellationToken cancellationToken)
        {
            if (transaction is not null)
            {
                if (own)
                {
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await transaction.ReleaseAsync(Savepoint, cancellationToken).ConfigureAwait(false);
                }
            }

            _done = true;
        }

        public override async ValueTask DisposeAsync()
        {
            try
            {
                if (transaction is not null && !own && !_done)
                {
                    await UndoToSavepointAsync(transaction).ConfigureAwait(false);
                }
                else if (transaction is not null && own)
                {
                    await transaction.DisposeAsync().ConfigureAwait(false); // rolls back unless committed
                }
            }
            finally
            {
                await lease.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
