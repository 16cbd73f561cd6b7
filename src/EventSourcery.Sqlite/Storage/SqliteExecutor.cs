using EventSourcery.Relational.Schema;
using EventSourcery.Relational.Storage;
using EventSourcery.Sqlite.Schema;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace EventSourcery.Sqlite.Storage;

/// <summary>
/// How a store runs its statements: on its one connection, one operation at a time (a gate shared by the store and its
/// tenant views), with the connection set up and the schema in place first, the user's transaction joined when their
/// context has one, busy errors retried with backoff, and SQLite's errors turned into the store's typed exceptions.
/// </summary>
/// <param name="context">The EF Core context whose connection the store uses (its own, or the user's).</param>
/// <param name="ownsContext">Whether the store made the context (and so opens, sets up and disposes its connection).</param>
/// <param name="connection">The context's SQLite connection.</param>
/// <param name="options">The store's options.</param>
/// <param name="ownerType">The store's type, for <see cref="ObjectDisposedException"/>.</param>
internal sealed class SqliteExecutor(DbContext context, bool ownsContext, SqliteConnection connection, SqliteEventStoreOptions options, Type ownerType) : RelationalExecutor
{
    private const int MaxBusyAttempts = 3;
    private const string Savepoint = "eventsourcery_write";

    /// <summary>Read and written under <see cref="Gate"/>.</summary>
    public bool SchemaReady;

    /// <summary>
    /// False until the first operation of a store that owns its connection has opened it for good and set its
    /// pragmas; true from the start over a user's context. Read and written under <see cref="Gate"/>.
    /// </summary>
    public bool ConnectionReady = !ownsContext;

    /// <summary>1 once the store is disposed (Interlocked).</summary>
    public int Disposed;

    /// <inheritdoc />
    public override DbContext Context { get; } = context;

    public bool OwnsContext { get; } = ownsContext;

    public SqliteConnection Connection { get; } = connection;

    /// <summary>The store's compiled statements on <see cref="Connection"/>. Used under <see cref="Gate"/>.</summary>
    public CommandCache Commands { get; } = new(connection);

    public SqliteEventStoreOptions Options { get; } = options;

    /// <summary>The store's statements.</summary>
    public SqliteStorage Storage { get; } = new();

    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>
    /// Waits for running operations, then marks the executor disposed and closes what the store opened (once).
    /// </summary>
    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref Disposed, 1) != 0)
        {
            return;
        }

        await Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            Commands.Dispose();
            if (OwnsContext)
            {
                await Context.DisposeAsync().ConfigureAwait(false);
                await Connection.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>
    /// Runs a write in one transaction: the user's when the context has one (which then decides commit or rollback),
    /// otherwise a <c>BEGIN IMMEDIATE</c> transaction of ours, retried a few times while another connection holds the
    /// write lock. Whatever <paramref name="work"/> reads, it reads under the write lock.
    /// </summary>
    /// <remarks>
    /// <paramref name="committed"/> runs still under the gate, after the commit of a transaction of ours (never the
    /// user's), so that its effects follow commit order.
    /// </remarks>
    public override Task<T> RunWriteAsync<T>(Func<RelationalSession, CancellationToken, Task<T>> work, Action<T>? committed, CancellationToken cancellationToken)
        => RunAsync((session, ct) => InWriteTransactionAsync(SqliteSession.Of(session).Transaction, work, committed, ct), cancellationToken);

    private async Task<T> InWriteTransactionAsync<T>(SqliteTransaction? userTransaction, Func<RelationalSession, CancellationToken, Task<T>> work, Action<T>? committed, CancellationToken cancellationToken)
    {
        if (userTransaction is not null)
        {
            // A savepoint keeps the write all-or-nothing inside the user's transaction without ending it.
            await userTransaction.SaveAsync(Savepoint, cancellationToken).ConfigureAwait(false);
            try
            {
                var result = await work(new SqliteSession(Commands, userTransaction), cancellationToken).ConfigureAwait(false);
                await userTransaction.ReleaseAsync(Savepoint, cancellationToken).ConfigureAwait(false);
                return result;
            }
            catch
            {
                await UndoToSavepointAsync(userTransaction).ConfigureAwait(false);
                throw;
            }
        }

        SqliteTransaction? transaction = null;
        try
        {
            transaction = Connection.BeginTransaction(deferred: false);
            var result = await work(new SqliteSession(Commands, transaction), cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            committed?.Invoke(result);
            return result;
        }
        finally
        {
            await RollBackAsync(transaction).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> alone on the connection (under the gate), with the connection set up (for a store
    /// that owns it) and the schema in place, passing the user's transaction when there is one. Busy errors are retried with backoff when nothing of the user's is at
    /// stake, then surface as <see cref="EventStoreBusyException"/>.
    /// </summary>
    public override async Task<T> RunAsync<T>(Func<RelationalSession, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref Disposed) != 0, ownerType);

        // One gate for the store and all its views: they take turns on the one connection.
        await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref Disposed) != 0, ownerType);

            // Counted by EF: opens a closed connection for this operation only, leaves an open one (and the user's) alone.
            // A store that owns its connection keeps it open for good once it is set up: nothing to count then.
            var openedHere = Connection.State != System.Data.ConnectionState.Open;
            var countOpen = !(OwnsContext && ConnectionReady);
            if (countOpen)
            {
                await Context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            }

            try
            {
                for (var attempt = 1; ; attempt++)
                {
                    var userTransaction = UserTransaction();
                    try
                    {
                        if (!ConnectionReady)
                        {
                            await SetUpConnectionAsync(cancellationToken).ConfigureAwait(false);
                        }

                        if (!SchemaReady)
                        {
                            await EnsureSchemaCoreAsync(userTransaction, cancellationToken).ConfigureAwait(false);
                        }

                        return await work(new SqliteSession(Commands, userTransaction), cancellationToken).ConfigureAwait(false);
                    }
                    catch (SqliteException ex) when (SqliteStorage.IsBusy(ex))
                    {
                        if (userTransaction is not null || attempt >= MaxBusyAttempts)
                        {
                            throw new EventStoreBusyException(attempt, Options.BusyTimeout, ex);
                        }
                    }
                    catch (SqliteException ex) when (SqliteStorage.IsReadOnly(ex))
                    {
                        throw new EventStoreReadOnlyException(ex);
                    }
                    catch (SqliteException ex) when (SqliteStorage.IsMissingSchema(ex) && SchemaReady && userTransaction is null && attempt < MaxBusyAttempts)
                    {
                        // The file lost its tables since the schema was found in place (replaced, or emptied by hand):
                        // forget that, and create them again before the next attempt.
                        KnownSchemas.Forget(Context, DatabaseKey());
                        SchemaReady = false;
                        continue;
                    }

                    // Backoff with jitter, so two writers that collided do not collide again in lockstep.
                    var delay = TimeSpan.FromMilliseconds((25 << attempt) + Random.Shared.Next(25));
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                if (openedHere && !OwnsContext)
                {
                    // EF closes it again now: its compiled statements must not outlive this open (see CommandCache).
                    Commands.Dispose();
                }

                if (countOpen)
                {
                    await Context.Database.CloseConnectionAsync().ConfigureAwait(false);
                }
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> alone on the connection (under the gate), without the set-up and disposal checks of
    /// <see cref="RunAsync{T}"/>: for ending a transaction begun through the store, whatever happened since.
    /// </summary>
    public override async Task ExclusiveAsync(Func<Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        await Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await work().ConfigureAwait(false);
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>
    /// The first operation of a store that owns its connection: sets the pragmas, then keeps the connection open for
    /// the store's lifetime (EF counts opens, so one more than the operation's own keeps it open when that one closes).
    /// If the pragmas fail, the operation's close really closes it, and the next operation starts over.
    /// </summary>
    private async Task SetUpConnectionAsync(CancellationToken cancellationToken)
    {
        await SqliteStorage.ApplyPragmasAsync(Connection, Options, cancellationToken).ConfigureAwait(false);
        await Context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        ConnectionReady = true;
    }

    /// <summary>The context and connection of a store that owns them; no I/O happens here.</summary>
    public static EventStoreDbContext CreateOwnedContext(string connectionString, SqliteEventStoreOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);

        // Microsoft.Data.Sqlite retries a locked statement until its command timeout; keep that in line with BusyTimeout.
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            DefaultTimeout = (int)Math.Max(1, Math.Ceiling(options.BusyTimeout.TotalSeconds)),
        };
        var connection = new SqliteConnection(builder.ToString());
        return new EventStoreDbContext(new DbContextOptionsBuilder<EventStoreDbContext>().UseSqlite(connection).Options);
    }

    /// <inheritdoc />
    public override Task EnsureSchemaAsync(CancellationToken cancellationToken)
        => RunAsync<bool>((_, _) => Task.FromResult(true), cancellationToken);

    /// <summary>
    /// Makes sure the store's tables exist in their current shape. A read of the schema first, with no write lock (so a
    /// new store's first read never waits behind a writer), and nothing at all for a database file another store over a
    /// context of the same model has already found current (<see cref="KnownSchemas"/>): a store per
    /// <see cref="DbContext"/> checks once per database. Only a missing table or an upgrade takes the write lock.
    /// </summary>
    private async Task EnsureSchemaCoreAsync(SqliteTransaction? userTransaction, CancellationToken cancellationToken)
    {
        var context = Context;
        var connection = Connection;
        // Only for stores over a user's context, made per request: a store that owns its connection lives long, and
        // OpenAsync promises to look at the file itself.
        if ((!OwnsContext && KnownSchemas.IsKnownCurrent(context, DatabaseKey()))
            || await SqliteStorage.SchemaIsCurrentAsync(connection, userTransaction, cancellationToken).ConfigureAwait(false))
        {
            KnownSchemas.Remember(context, DatabaseKey());
            SchemaReady = true;
            return;
        }

        if (userTransaction is not null)
        {
            // Created inside the user's transaction: a rollback would take the tables away again, so check next time too.
            await SchemaCreator.EnsureCreatedAsync(context, Storage, new SqliteSession(Commands, userTransaction), cancellationToken).ConfigureAwait(false);
            return;
        }

        // A write lock from the start: two processes creating the schema at once take turns, the second finds the tables.
        var transaction = connection.BeginTransaction(deferred: false);
        try
        {
            await SchemaCreator.EnsureCreatedAsync(context, Storage, new SqliteSession(Commands, transaction), cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            transaction = null;
            KnownSchemas.Remember(context, DatabaseKey());
            SchemaReady = true;
        }
        finally
        {
            await RollBackAsync(transaction).ConfigureAwait(false);
        }
    }

    /// <summary>The full path of the open connection's main database; null for an in-memory or temporary one (never remembered in <see cref="KnownSchemas"/>).</summary>
    private string? DatabaseKey()
    {
        if (Connection.State != System.Data.ConnectionState.Open
            || new SqliteConnectionStringBuilder(Connection.ConnectionString).Mode == SqliteOpenMode.Memory)
        {
            return null;
        }

        var file = Connection.DataSource;
        return string.IsNullOrEmpty(file) || file.Contains(":memory:", StringComparison.Ordinal) ? null : file;
    }

    public SqliteTransaction? UserTransaction()
        => Context.Database.CurrentTransaction?.GetDbTransaction() as SqliteTransaction;

    private static async ValueTask UndoToSavepointAsync(SqliteTransaction transaction)
    {
        try
        {
            await transaction.RollbackAsync(Savepoint).ConfigureAwait(false);
            await transaction.ReleaseAsync(Savepoint).ConfigureAwait(false);
        }
        catch (SqliteException)
        {
            // The user's transaction is already gone (SQLite rolled it back); the original exception says why.
        }
    }

    public static async ValueTask RollBackAsync(SqliteTransaction? transaction)
    {
        if (transaction is null)
        {
            return;
        }

        try
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
        }
        catch (SqliteException)
        {
            // SQLite may already have rolled the transaction back itself (e.g. after an I/O error); the original
            // exception is the one worth reporting.
        }
    }
}
