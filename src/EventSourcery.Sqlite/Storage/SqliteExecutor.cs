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
/// <param name="host">The store's own connection, or a user's context and its connection.</param>
/// <param name="options">The store's options.</param>
/// <param name="ownerType">The store's type, for <see cref="ObjectDisposedException"/>.</param>
internal sealed partial class SqliteExecutor(SqliteConnectionHost host, SqliteEventStoreOptions options, Type ownerType) : RelationalExecutor
{
    private const int MaxBusyAttempts = 3;
    private const string Savepoint = "eventsourcery_write";

    /// <summary>Read and written under <see cref="Gate"/>.</summary>
    public bool SchemaReady;

    /// <summary>
    /// False until the first operation of a store that owns its connection has opened it for good and set its
    /// pragmas; true from the start over a user's context. Read and written under <see cref="Gate"/>.
    /// </summary>
    public bool ConnectionReady = !host.OwnsConnection;

    /// <summary>Set when an operation found the tables gone; the next turn forgets they were in place.</summary>
    private bool _schemaLost;

    /// <summary>1 once the store is disposed (Interlocked).</summary>
    public int Disposed;

    /// <inheritdoc />
    public override DbContext? Context => Host.Context;

    public SqliteConnectionHost Host { get; } = host;

    /// <summary>Whether the store opened the connection (see <see cref="SqliteConnectionHost.OwnsConnection"/>).</summary>
    public bool OwnsConnection => Host.OwnsConnection;

    public SqliteConnection Connection => Host.Connection;

    /// <summary>The store's compiled statements on <see cref="Connection"/>. Used under <see cref="Gate"/>.</summary>
    public CommandCache Commands { get; } = new(host.Connection);

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
            await Host.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>
    /// Begins a write in one transaction: the user's when the context has one (a savepoint in it; they decide commit or
    /// rollback), otherwise a <c>BEGIN IMMEDIATE</c> transaction of ours, so whatever the write reads, it reads under the
    /// write lock. The write holds the store's turn on the connection until it is disposed.
    /// </summary>
    public override async Task<RelationalWrite> BeginWriteAsync(bool oneCommand, CancellationToken cancellationToken)
    {
        var turn = await TakeTurnAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (turn.UserTransaction is { } user)
            {
                // A savepoint keeps the write all-or-nothing inside the user's transaction without ending it.
                await user.SaveAsync(Savepoint, cancellationToken).ConfigureAwait(false);
                return new Write(this, turn, user, own: false);
            }

            return new Write(this, turn, Connection.BeginTransaction(deferred: false), own: true);
        }
        catch
        {
            await turn.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> alone on the connection (under the gate), with the connection set up (for a store
    /// that owns it) and the schema in place, passing the user's transaction when there is one; retried as
    /// <see cref="Judge"/> says.
    /// </summary>
    public override Task<T> RunAsync<T>(Func<RelationalSession, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
        => RetryAsync(
            async ct =>
            {
                await using var turn = await TakeTurnAsync(ct).ConfigureAwait(false);
                return await work(new SqliteSession(Commands, turn.UserTransaction), ct).ConfigureAwait(false);
            },
            cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// A busy database is retried with backoff when nothing of the user's is at stake, then surfaces as
    /// <see cref="EventStoreBusyException"/>; a read-only one is <see cref="EventStoreReadOnlyException"/>; tables that
    /// vanished since they were found (the file replaced, or emptied by hand) are created again.
    /// </remarks>
    public override FailedAttempt Judge(Exception error, int attempt, CancellationToken cancellationToken)
    {
        var inUserTransaction = UserTransaction() is not null;
        switch (error)
        {
            case SqliteException ex when SqliteStorage.IsBusy(ex):
                return inUserTransaction || attempt >= MaxBusyAttempts
                    ? FailedAttempt.Replace(new EventStoreBusyException(attempt, Options.BusyTimeout, ex))
                    : FailedAttempt.Retry(TimeSpan.FromMilliseconds((25 << attempt) + Random.Shared.Next(25))); // jitter: no lockstep
            case SqliteException ex when SqliteStorage.IsReadOnly(ex):
                return FailedAttempt.Replace(new EventStoreReadOnlyException(ex));
            case SqliteException ex when SqliteStorage.IsMissingSchema(ex) && Volatile.Read(ref SchemaReady) && !inUserTransaction && attempt < MaxBusyAttempts:
                // Forgotten at the next turn, with the connection open to name the file.
                Volatile.Write(ref _schemaLost, true);
                return FailedAttempt.Retry(TimeSpan.Zero);
            default:
                return FailedAttempt.Surface;
        }
    }

    /// <summary>
    /// The store's turn on the connection (the gate, shared by the store and its views), with the connection open (over
    /// a user's context EF counts opens: a closed one is opened for this operation only), set up for a store that owns
    /// it (and then open for good), and the schema in place.
    /// </summary>
    private async Task<Turn> TakeTurnAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref Disposed) != 0, ownerType);
        await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var openedHere = false;
        var countOpen = false;
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref Disposed) != 0, ownerType);

            // A store that owns its connection keeps it open for good once it is set up: nothing to count then.
            openedHere = Connection.State != System.Data.ConnectionState.Open;
            countOpen = !(OwnsConnection && ConnectionReady);
            if (countOpen)
            {
                await Host.OpenAsync(cancellationToken).ConfigureAwait(false);
            }

            if (!ConnectionReady)
            {
                await SetUpConnectionAsync(cancellationToken).ConfigureAwait(false);
            }

            if (_schemaLost)
            {
                // The file lost its tables since the schema was found in place: forget that, and create them again.
                _schemaLost = false;
                Host.Forget(DatabaseKey());
                SchemaReady = false;
            }

            var userTransaction = UserTransaction();
            if (!SchemaReady)
            {
                await EnsureSchemaCoreAsync(userTransaction, cancellationToken).ConfigureAwait(false);
            }

            return new Turn(this, openedHere, countOpen, userTransaction);
        }
        catch
        {
            await new Turn(this, openedHere, countOpen, null).DisposeAsync().ConfigureAwait(false);
            throw;
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
    /// The first operation of a store that owns its connection: sets the pragmas, after which the connection stays open
    /// for the store's lifetime (see <see cref="Turn"/>). If the pragmas fail, the operation's turn closes it, and the
    /// next operation starts over.
    /// </summary>
    private async Task SetUpConnectionAsync(CancellationToken cancellationToken)
    {
        await SqliteStorage.ApplyPragmasAsync(Connection, Options, cancellationToken).ConfigureAwait(false);
        ConnectionReady = true;
    }

    /// <summary>The connection of a store that owns it; no I/O happens here.</summary>
    public static SqliteConnection CreateOwnedConnection(string connectionString, SqliteEventStoreOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);

        // Microsoft.Data.Sqlite retries a locked statement until its command timeout; keep that in line with BusyTimeout.
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            DefaultTimeout = (int)Math.Max(1, Math.Ceiling(options.BusyTimeout.TotalSeconds)),
        };
        return new SqliteConnection(builder.ToString());
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
        var connection = Connection;
        // Only for stores over a user's context, made per request (see SqliteConnectionHost.IsKnownCurrent).
        if (Host.IsKnownCurrent(DatabaseKey())
            || await SqliteStorage.SchemaIsCurrentAsync(connection, userTransaction, cancellationToken).ConfigureAwait(false))
        {
            Host.Remember(DatabaseKey());
            SchemaReady = true;
            return;
        }

        if (userTransaction is not null)
        {
            // Created inside the user's transaction: a rollback would take the tables away again, so check next time too.
            await Host.CreateMissingTablesAsync(Storage, new SqliteSession(Commands, userTransaction), cancellationToken).ConfigureAwait(false);
            return;
        }

        // A write lock from the start: two processes creating the schema at once take turns, the second finds the tables.
        var transaction = connection.BeginTransaction(deferred: false);
        try
        {
            await Host.CreateMissingTablesAsync(Storage, new SqliteSession(Commands, transaction), cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            transaction = null;
            Host.Remember(DatabaseKey());
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

    public SqliteTransaction? UserTransaction() => Host.UserTransaction();

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
