using System.Runtime.CompilerServices;
using EventSourcery.Serialization;
using EventSourcery.Sqlite.Schema;
using EventSourcery.Sqlite.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace EventSourcery;

/// <summary>
/// An <see cref="IEventStore"/> in a SQLite database, with the same semantics as <see cref="InMemoryEventStore"/>.
/// Open one over a file with <see cref="OpenAsync"/>, or build one over your own <see cref="DbContext"/> to write
/// events in the same transaction as your own entities.
/// </summary>
/// <remarks>
/// One instance uses one connection and serializes its own operations on it; several instances (or processes) can
/// share one database file, where SQLite lets one writer commit at a time and the optimistic-concurrency check makes
/// the loser of a race fail with <see cref="ConcurrencyException"/>.
/// </remarks>
public sealed class SqliteEventStore : IEventStore, IAsyncDisposable
{
    private const string DefaultTenant = "";
    private const int PageSize = 500;
    private const int MaxBusyAttempts = 3;
    private const string Savepoint = "eventsourcery_write";

    private readonly DbContext _context;
    private readonly bool _ownsContext;
    private readonly SqliteConnection _connection;
    private readonly EventSerializer _serializer;
    private readonly TimeProvider _time;
    private readonly TimeSpan _busyTimeout;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _schemaReady;
    private int _disposed;

    /// <summary>
    /// Builds a store over <paramref name="context"/>: events use its SQLite connection and, when one has been begun
    /// with <c>context.Database.BeginTransaction</c>, its transaction, so they commit or roll back with your own
    /// changes. The context's model must include the store's tables: call
    /// <see cref="EventSourceryModelBuilderExtensions.AddEventSourcery"/> in <c>OnModelCreating</c>. Missing tables
    /// are created on first use. The store does not dispose the context; the connection's pragmas stay yours.
    /// </summary>
    /// <exception cref="ArgumentException">The context does not use SQLite, or its model lacks the store's tables.</exception>
    public SqliteEventStore(DbContext context, SqliteEventStoreOptions? options = null)
        : this(context ?? throw new ArgumentNullException(nameof(context)), ownsContext: false, options ?? new SqliteEventStoreOptions())
    {
    }

    private SqliteEventStore(DbContext context, bool ownsContext, SqliteEventStoreOptions options)
    {
        if (context.Database.GetDbConnection() is not SqliteConnection connection)
        {
            throw new ArgumentException("The DbContext does not use the SQLite provider (UseSqlite).", nameof(context));
        }

        if (context.Model.FindEntityType(typeof(EventRow)) is null || context.Model.FindEntityType(typeof(StreamRow)) is null || context.Model.FindEntityType(typeof(OutboxRow)) is null)
        {
            throw new ArgumentException("The DbContext's model does not include the event store's tables. Call modelBuilder.AddEventSourcery() in its OnModelCreating.", nameof(context));
        }

        _context = context;
        _ownsContext = ownsContext;
        _connection = connection;
        _serializer = new EventSerializer(options.Registry);
        _time = options.TimeProvider;
        _busyTimeout = options.BusyTimeout;
    }

    /// <summary>
    /// Opens a store over the database in <paramref name="connectionString"/> (e.g. <c>"Data Source=events.db"</c>):
    /// opens a connection the store owns, switches the file to WAL, sets synchronous, foreign keys and the busy timeout,
    /// and creates the store's tables if they do not exist (other tables in the file are left alone).
    /// </summary>
    /// <exception cref="EventStoreBusyException">Another connection held the write lock for too long while the tables were being created.</exception>
    public static async Task<SqliteEventStore> OpenAsync(string connectionString, SqliteEventStoreOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        options ??= new SqliteEventStoreOptions();

        // Microsoft.Data.Sqlite retries a locked statement until its command timeout; keep that in line with BusyTimeout.
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            DefaultTimeout = (int)Math.Max(1, Math.Ceiling(options.BusyTimeout.TotalSeconds)),
        };
        var connection = new SqliteConnection(builder.ToString());
        EventStoreDbContext? context = null;
        try
        {
            context = new EventStoreDbContext(new DbContextOptionsBuilder<EventStoreDbContext>().UseSqlite(connection).Options);
            await context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await SqliteStorage.ApplyPragmasAsync(connection, options, cancellationToken).ConfigureAwait(false);
            }
            catch (SqliteException ex) when (SqliteStorage.IsBusy(ex))
            {
                throw new EventStoreBusyException(1, options.BusyTimeout, ex);
            }

            var store = new SqliteEventStore(context, ownsContext: true, options);
            await store.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            if (context is not null)
            {
                await context.DisposeAsync().ConfigureAwait(false);
            }

            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The connection the store works on (for tests of its settings).</summary>
    internal SqliteConnection Connection => _connection;

    /// <inheritdoc />
    public ValueTask<AppendResult> AppendAsync(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, CancellationToken cancellationToken = default)
        => AppendCoreAsync(streamId, events, expectedVersion, toOutbox: false, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AppendResult> PublishAsync(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, CancellationToken cancellationToken = default)
        => AppendCoreAsync(streamId, events, expectedVersion, toOutbox: true, cancellationToken);

    /// <inheritdoc />
    public async IAsyncEnumerable<RecordedEvent> ReadStreamAsync(StreamId streamId, long fromVersion = 1, long toVersion = long.MaxValue, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        streamId.ThrowIfDefault(nameof(streamId));
        ArgumentOutOfRangeException.ThrowIfLessThan(fromVersion, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fromVersion, toVersion);
        var stream = StreamKey.From(streamId, DefaultTenant);
        var next = fromVersion;
        while (true)
        {
            // One page at a time under the gate; the gate is never held while the caller consumes events.
            var from = next;
            var page = await RunAsync((transaction, ct) => SqliteStorage.ReadStreamPageAsync(_connection, transaction, stream, from, toVersion, PageSize, ct), cancellationToken).ConfigureAwait(false);
            foreach (var row in page)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return Materialize(row, streamId);
            }

            if (page.Count < PageSize || page[^1].Version >= toVersion)
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
        while (true)
        {
            var from = after;
            var page = await RunAsync((transaction, ct) => SqliteStorage.ReadAllPageAsync(_connection, transaction, DefaultTenant, from, PageSize, ct), cancellationToken).ConfigureAwait(false);
            foreach (var row in page)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return Materialize(row, streamId: null);
            }

            if (page.Count < PageSize)
            {
                yield break;
            }

            after = page[^1].Position;
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> DeleteStreamAsync(StreamId streamId, ExpectedVersion expectedVersion = default, CancellationToken cancellationToken = default)
    {
        streamId.ThrowIfDefault(nameof(streamId));
        cancellationToken.ThrowIfCancellationRequested();
        var stream = StreamKey.From(streamId, DefaultTenant);
        return await RunWriteAsync(
            streamId,
            expectedVersion,
            stream,
            async (transaction, ct) =>
            {
                var current = await SqliteStorage.FindStreamAsync(_connection, transaction, stream, ct).ConfigureAwait(false);
                if (!expectedVersion.IsSatisfiedBy(current?.Version))
                {
                    throw new ConcurrencyException(streamId, expectedVersion, current?.Version);
                }

                if (current is not { } found)
                {
                    return false;
                }

                await SqliteStorage.DeleteStreamAsync(_connection, transaction, found.Key, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits for running operations, then closes the connection if the store opened it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_ownsContext)
            {
                await _context.DisposeAsync().ConfigureAwait(false);
                await _connection.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask<AppendResult> AppendCoreAsync(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, bool toOutbox, CancellationToken cancellationToken)
    {
        streamId.ThrowIfDefault(nameof(streamId));
        AppendValidation.ThrowIfInvalid(events);
        cancellationToken.ThrowIfCancellationRequested();

        // Serialize before touching the database: an unknown type or a failing writer leaves the store untouched
        // and never holds the write lock.
        var serialized = new SerializedEvent[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            serialized[i] = _serializer.Serialize(events[i]);
        }

        var stream = StreamKey.From(streamId, DefaultTenant);
        return await RunWriteAsync(
            streamId,
            expectedVersion,
            stream,
            async (transaction, ct) =>
            {
                var current = await SqliteStorage.FindStreamAsync(_connection, transaction, stream, ct).ConfigureAwait(false);
                if (!expectedVersion.IsSatisfiedBy(current?.Version))
                {
                    throw new ConcurrencyException(streamId, expectedVersion, current?.Version);
                }

                var firstVersion = (current?.Version ?? 0) + 1;
                var lastVersion = firstVersion + events.Count - 1;
                long streamKey;
                try
                {
                    if (current is { } found)
                    {
                        if (!await SqliteStorage.UpdateStreamVersionAsync(_connection, transaction, found.Key, found.Version, lastVersion, ct).ConfigureAwait(false))
                        {
                            throw new LostRaceException(null);
                        }

                        streamKey = found.Key;
                    }
                    else
                    {
                        streamKey = await SqliteStorage.InsertStreamAsync(_connection, transaction, stream, lastVersion, ct).ConfigureAwait(false);
                    }

                    var recordedAt = _time.GetUtcNow();
                    var lastPosition = await SqliteStorage.InsertEventsAsync(_connection, transaction, stream, streamKey, firstVersion, events, serialized, recordedAt, toOutbox, ct).ConfigureAwait(false);
                    return new AppendResult(lastVersion, lastPosition);
                }
                catch (SqliteException ex) when (SqliteStorage.IsUniqueViolation(ex))
                {
                    throw new LostRaceException(ex);
                }
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a write in one transaction: the user's when the context has one (which then decides commit or rollback),
    /// otherwise a <c>BEGIN IMMEDIATE</c> transaction of ours, retried a few times while another connection holds the
    /// write lock. A lost race becomes <see cref="ConcurrencyException"/> with the stream's version read afresh.
    /// </summary>
    private Task<T> RunWriteAsync<T>(StreamId streamId, ExpectedVersion expected, StreamKey stream, Func<SqliteTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
        => RunAsync(
            async (userTransaction, ct) =>
            {
                if (userTransaction is not null)
                {
                    // A savepoint keeps the write all-or-nothing inside the user's transaction without ending it.
                    await userTransaction.SaveAsync(Savepoint, ct).ConfigureAwait(false);
                    try
                    {
                        var result = await work(userTransaction, ct).ConfigureAwait(false);
                        await userTransaction.ReleaseAsync(Savepoint, ct).ConfigureAwait(false);
                        return result;
                    }
                    catch (LostRaceException lost)
                    {
                        await UndoToSavepointAsync(userTransaction).ConfigureAwait(false);
                        var actual = await SqliteStorage.FindStreamAsync(_connection, userTransaction, stream, ct).ConfigureAwait(false);
                        throw new ConcurrencyException(streamId, expected, actual?.Version, lost.InnerException);
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
                    transaction = _connection.BeginTransaction(deferred: false);
                    var result = await work(transaction, ct).ConfigureAwait(false);
                    await transaction.CommitAsync(ct).ConfigureAwait(false);
                    return result;
                }
                catch (LostRaceException lost)
                {
                    await RollBackAsync(transaction).ConfigureAwait(false);
                    transaction = null;
                    var actual = await SqliteStorage.FindStreamAsync(_connection, null, stream, ct).ConfigureAwait(false);
                    throw new ConcurrencyException(streamId, expected, actual?.Version, lost.InnerException);
                }
                finally
                {
                    await RollBackAsync(transaction).ConfigureAwait(false);
                }
            },
            cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> alone on the connection (under the gate), with the schema in place, passing the
    /// user's transaction when there is one. Busy errors are retried with backoff when nothing of the user's is at
    /// stake, then surface as <see cref="EventStoreBusyException"/>.
    /// </summary>
    private async Task<T> RunAsync<T>(Func<SqliteTransaction?, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

            // Counted by EF: opens a closed connection for this operation only, leaves an open one (and the user's) alone.
            await _context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                for (var attempt = 1; ; attempt++)
                {
                    var userTransaction = UserTransaction();
                    try
                    {
                        if (!_schemaReady)
                        {
                            await EnsureSchemaCoreAsync(userTransaction, cancellationToken).ConfigureAwait(false);
                        }

                        return await work(userTransaction, cancellationToken).ConfigureAwait(false);
                    }
                    catch (SqliteException ex) when (SqliteStorage.IsBusy(ex))
                    {
                        if (userTransaction is not null || attempt >= MaxBusyAttempts)
                        {
                            throw new EventStoreBusyException(attempt, _busyTimeout, ex);
                        }
                    }

                    // Backoff with jitter, so two writers that collided do not collide again in lockstep.
                    var delay = TimeSpan.FromMilliseconds((25 << attempt) + Random.Shared.Next(25));
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                await _context.Database.CloseConnectionAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private Task<bool> EnsureSchemaAsync(CancellationToken cancellationToken)
        => RunAsync<bool>((_, _) => Task.FromResult(true), cancellationToken);

    private async Task EnsureSchemaCoreAsync(SqliteTransaction? userTransaction, CancellationToken cancellationToken)
    {
        if (userTransaction is not null)
        {
            // Created inside the user's transaction: a rollback would take the tables away again, so check next time too.
            var existed = await SchemaCreator.EnsureCreatedAsync(_context, _connection, userTransaction, cancellationToken).ConfigureAwait(false);
            _schemaReady = existed;
            return;
        }

        // A write lock from the start: two processes creating the schema at once take turns, the second finds the tables.
        var transaction = _connection.BeginTransaction(deferred: false);
        try
        {
            await SchemaCreator.EnsureCreatedAsync(_context, _connection, transaction, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            transaction = null;
            _schemaReady = true;
        }
        finally
        {
            await RollBackAsync(transaction).ConfigureAwait(false);
        }
    }

    private SqliteTransaction? UserTransaction()
        => _context.Database.CurrentTransaction?.GetDbTransaction() as SqliteTransaction;

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

    private static async ValueTask RollBackAsync(SqliteTransaction? transaction)
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

    private RecordedEvent Materialize(StoredEventRow row, StreamId? streamId)
    {
        var id = streamId ?? default;
        try
        {
            id = streamId ?? ReadStreamId(row);
            var @event = _serializer.Deserialize(
                id,
                row.Version,
                row.Position,
                row.EventName,
                row.Payload ?? [],
                StoredValues.ParseGuid(row.EventId ?? throw new FormatException("no event id is stored.")),
                StoredValues.ParseTime(row.CreatedAt ?? throw new FormatException("no creation time is stored.")),
                row.Metadata ?? []);
            var recordedAt = StoredValues.ParseTime(row.RecordedAt ?? throw new FormatException("no recording time is stored."));
            var tenant = string.IsNullOrEmpty(row.TenantId) ? null : row.TenantId;
            return new RecordedEvent(id, row.Version, row.Position, @event, row.EventName!, checked((int)row.SchemaVersion), recordedAt, tenant);
        }
        catch (Exception ex) when (ex is not EventReadException and not OperationCanceledException)
        {
            throw new EventReadException(id, row.Version, row.Position, row.EventName, $"the stored row is corrupt: {ex.Message}", ex);
        }
    }

    private static StreamId ReadStreamId(StoredEventRow row)
    {
        var guid = StoredValues.ParseGuid(row.StreamGuid ?? throw new FormatException("no stream id is stored."));
        var category = string.IsNullOrEmpty(row.Category) ? null : row.Category;
        if (row.StreamName is { } name)
        {
            // Keep the name the stream was made from; a row whose guid does not match its name keeps the stored guid.
            var named = StreamId.FromName(name, category);
            if (named.Value == guid)
            {
                return named;
            }
        }

        return new StreamId(guid, category);
    }

    /// <summary>Another writer changed the stream between our read of its version and our write.</summary>
    private sealed class LostRaceException(Exception? innerException) : Exception("Lost a race for the stream.", innerException);
}
