using EventSourcery.Relational.Schema;
using EventSourcery.Relational.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
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

    private readonly NpgsqlDataSource? _dataSource;
    private readonly bool _ownsDataSource;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Type _ownerType;
    private volatile bool _schemaReady;
    private int _disposed;

    /// <summary>An executor that rents connections from <paramref name="dataSource"/>; <paramref name="context"/> only supplies the model for creating the schema.</summary>
    public NpgsqlExecutor(NpgsqlDataSource dataSource, bool ownsDataSource, DbContext context, PostgreSqlEventStoreOptions options, Type ownerType)
    {
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        Context = context;
        Options = options;
        Storage = new PostgreSqlStorage(options.Schema);
        _ownerType = ownerType;
    }

    /// <summary>An executor over the user's context: its connection and transaction.</summary>
    public NpgsqlExecutor(DbContext context, PostgreSqlEventStoreOptions options, Type ownerType)
    {
        Context = context;
        Options = options;
        Storage = new PostgreSqlStorage(options.Schema);
        _ownerType = ownerType;
    }

    /// <inheritdoc />
    public override DbContext Context { get; }

    public PostgreSqlEventStoreOptions Options { get; }

    /// <summary>The store's statements, over its schema.</summary>
    public PostgreSqlStorage Storage { get; }

    /// <summary>Whether the store works on the user's context (one connection, their transaction) rather than a pool of its own.</summary>
    private bool OverUserContext => _dataSource is null;

    /// <inheritdoc />
    public override Task<T> RunAsync<T>(Func<RelationalSession, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
        => ExecuteAsync(work, Write.None, committed: null, cancellationToken);

    /// <inheritdoc />
    public override Task<T> RunWriteAsync<T>(Func<RelationalSession, CancellationToken, Task<T>> work, Action<T>? committed, CancellationToken cancellationToken)
        => ExecuteAsync(work, Write.Transaction, committed, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// Without a transaction of the user's, the command runs in none of the store's: PostgreSQL runs the statements of
    /// one command (one <c>Sync</c> of the extended protocol) as one implicit transaction and commits it before it
    /// answers, so the write costs one round trip instead of three messages' worth (begin, command, commit).
    /// </remarks>
    public override Task<T> RunOneCommandWriteAsync<T>(Func<RelationalSession, CancellationToken, Task<T>> work, Action<T>? committed, CancellationToken cancellationToken)
        => ExecuteAsync(work, Write.OneCommand, committed, cancellationToken);

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

        if (_ownsDataSource)
        {
            await Context.DisposeAsync().ConfigureAwait(false);
            await _dataSource!.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<T> ExecuteAsync<T>(Func<RelationalSession, CancellationToken, Task<T>> work, Write write, Action<T>? committed, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, _ownerType);
        if (OverUserContext)
        {
            // One connection: operations take turns on it.
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            for (var attempt = 1; ; attempt++)
            {
                NpgsqlTransaction? userTransaction = null;
                try
                {
                    await using var lease = await ConnectAsync(cancellationToken).ConfigureAwait(false);
                    userTransaction = lease.UserTransaction;
                    if (!_schemaReady)
                    {
                        await EnsureSchemaCoreAsync(lease.Connection, userTransaction, cancellationToken).ConfigureAwait(false);
                    }

                    if (write == Write.None || (write == Write.OneCommand && userTransaction is null))
                    {
                        var result = await work(new NpgsqlSession(lease.Connection, userTransaction), cancellationToken).ConfigureAwait(false);
                        if (write == Write.OneCommand)
                        {
                            committed?.Invoke(result); // the command's implicit transaction committed before it answered
                        }

                        return result;
                    }

                    return await InWriteTransactionAsync(lease.Connection, userTransaction, work, committed, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (PostgreSqlStorage.IsReadOnly(ex))
                {
                    throw new EventStoreReadOnlyException(ex);
                }
                catch (PostgresException ex) when (PostgreSqlStorage.IsBusy(ex) && !cancellationToken.IsCancellationRequested)
                {
                    var timeout = ex.SqlState == "55P03" ? "lock_timeout" : "statement_timeout";
                    throw new EventStoreBusyException(attempt, $"PostgreSQL's {timeout} ended the wait ({ex.SqlState}: {ex.MessageText})", ex);
                }
                catch (Exception ex) when (PostgreSqlStorage.IsMissingSchema(ex) && _schemaReady && userTransaction is null && attempt < Options.MaxAttempts)
                {
                    // The tables were dropped since they were found in place: forget that, and create them again.
                    KnownSchemas.Forget(Context, DatabaseKey());
                    _schemaReady = false;
                    continue;
                }
                catch (Exception ex) when (PostgreSqlStorage.IsRetryable(ex) && userTransaction is null && attempt < Options.MaxAttempts && !cancellationToken.IsCancellationRequested)
                {
                    // Backoff with jitter, so two writers that collided do not collide again in lockstep.
                    await Task.Delay(TimeSpan.FromMilliseconds((10 << attempt) + Random.Shared.Next(10)), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            if (OverUserContext)
            {
                _gate.Release();
            }
        }
    }

    private static async Task<T> InWriteTransactionAsync<T>(NpgsqlConnection connection, NpgsqlTransaction? userTransaction, Func<RelationalSession, CancellationToken, Task<T>> work, Action<T>? committed, CancellationToken cancellationToken)
    {
        if (userTransaction is not null)
        {
            // A savepoint keeps the write all-or-nothing inside the user's transaction without ending it.
            await userTransaction.SaveAsync(Savepoint, cancellationToken).ConfigureAwait(false);
            try
            {
                var result = await work(new NpgsqlSession(connection, userTransaction), cancellationToken).ConfigureAwait(false);
                await userTransaction.ReleaseAsync(Savepoint, cancellationToken).ConfigureAwait(false);
                return result;
            }
            catch
            {
                await UndoToSavepointAsync(userTransaction).ConfigureAwait(false);
                throw;
            }
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var outcome = await work(new NpgsqlSession(connection, transaction), cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        committed?.Invoke(outcome);
        return outcome;
    }

    /// <summary>
    /// Creates the schema's missing tables once per executor (and, over a user's context, once per database for every
    /// context of the model), under an advisory lock so that two processes creating it at once take turns.
    /// </summary>
    private async Task EnsureSchemaCoreAsync(NpgsqlConnection connection, NpgsqlTransaction? userTransaction, CancellationToken cancellationToken)
    {
        var database = DatabaseKey();
        if ((OverUserContext && KnownSchemas.IsKnownCurrent(Context, database))
            || await Storage.SchemaIsCurrentAsync(new NpgsqlSession(connection, userTransaction), cancellationToken).ConfigureAwait(false))
        {
            KnownSchemas.Remember(Context, database);
            _schemaReady = true;
            return;
        }

        if (userTransaction is not null)
        {
            // Created inside the user's transaction: a rollback would take the tables away again, so check next time too.
            var nested = new NpgsqlSession(connection, userTransaction);
            await Storage.LockSchemaAsync(nested, cancellationToken).ConfigureAwait(false);
            await SchemaCreator.EnsureCreatedAsync(Context, Storage, nested, cancellationToken).ConfigureAwait(false);
            return;
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var session = new NpgsqlSession(connection, transaction);
        await Storage.LockSchemaAsync(session, cancellationToken).ConfigureAwait(false);
        await SchemaCreator.EnsureCreatedAsync(Context, Storage, session, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        KnownSchemas.Remember(Context, database);
        _schemaReady = true;
    }

    /// <summary>The server, database and schema, which name the tables for <see cref="KnownSchemas"/>.</summary>
    private string DatabaseKey()
    {
        var builder = new NpgsqlConnectionStringBuilder(_dataSource?.ConnectionString ?? Context.Database.GetConnectionString());
        return $"{builder.Host}:{builder.Port}/{builder.Database}/{Options.Schema}";
    }

    /// <summary>A connection for one operation: rented from the pool, or the user's context's (opened by EF for the operation when it is closed).</summary>
    private async Task<ConnectionLease> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_dataSource is not null)
        {
            return new ConnectionLease(await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false), null, null);
        }

        await Context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var connection = (NpgsqlConnection)Context.Database.GetDbConnection();
        return new ConnectionLease(connection, Context.Database.CurrentTransaction?.GetDbTransaction() as NpgsqlTransaction, Context);
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

    /// <summary>How an operation writes: not at all, in a transaction (the store's own or a savepoint in the user's), or with one atomic command.</summary>
    private enum Write
    {
        None,
        Transaction,
        OneCommand,
    }

    /// <summary>A connection held for one operation: returned to the pool, or closed again through EF (which counts opens).</summary>
    private readonly struct ConnectionLease(NpgsqlConnection connection, NpgsqlTransaction? userTransaction, DbContext? context) : IAsyncDisposable
    {
        public NpgsqlConnection Connection { get; } = connection;

        public NpgsqlTransaction? UserTransaction { get; } = userTransaction;

        public async ValueTask DisposeAsync()
        {
            if (context is not null)
            {
                await context.Database.CloseConnectionAsync().ConfigureAwait(false);
            }
            else
            {
                await Connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
