using EventSourcery.PersonalData;
using EventSourcery.Relational.Storage;
using EventSourcery.Serialization;
using EventSourcery.Storage;
using Microsoft.EntityFrameworkCore;

namespace EventSourcery;

/// <summary>
/// An <see cref="IEventStore"/> in a relational database, with the same semantics as <see cref="InMemoryEventStore"/>
/// whatever the database: <c>SqliteEventStore</c> and <c>PostgreSqlEventStore</c> are this class over their provider.
/// It keeps the transactional outbox that <see cref="Outbox"/> delivers from, the snapshots, and the checkpoints and
/// ownership leases of the projections <see cref="ProjectionRunner"/> runs, in the same database.
/// </summary>
/// <remarks>
/// Appends check the expected version and write the stream's events, its new version, the outbox rows and run the
/// listeners in one transaction: the loser of a race fails with <see cref="ConcurrencyException"/> and writes nothing.
/// The tenant views made by <see cref="ForTenant"/> share the instance's connections, transaction, listeners and
/// lifetime. Subscriptions on an instance wake as soon as it commits an append; writes of other instances and
/// processes reach them by polling.
/// </remarks>
public abstract partial class RelationalEventStore : IEventStore, IStreamEventReader, ISnapshotStore, IOutboxStore, IAppendSignal, ICheckpointStore, IProjectionLeases, IPersonalDataStore, IAsyncDisposable
{
    private const string DefaultTenant = "";

    private readonly SharedState _shared;
    private readonly string _tenant;
    private readonly string? _recordedTenant;
    private readonly bool _isView;
    private readonly RowMaterializer _rows;

    /// <summary>A store (the default view) over a provider's executor and statements.</summary>
    internal RelationalEventStore(RelationalExecutor executor, RelationalStorage storage, RelationalEventStoreOptions options)
    {
        _shared = new SharedState(executor, storage, options);
        _tenant = DefaultTenant;
        _rows = new RowMaterializer(_shared.Serializer, recordedTenant: null);
    }

    /// <summary>A tenant view over the state of <paramref name="store"/>.</summary>
    internal RelationalEventStore(RelationalEventStore store, string tenant)
    {
        ArgumentNullException.ThrowIfNull(store);
        _shared = store._shared;
        _tenant = tenant;
        _recordedTenant = tenant;
        _isView = true;
        _rows = new RowMaterializer(_shared.Serializer, tenant);
    }

    /// <summary>The tenant this view sees: "" for the store itself (the default view).</summary>
    internal string Tenant => _tenant;

    /// <summary>How the store runs its operations (shared by its views).</summary>
    internal RelationalExecutor Executor => _shared.Executor;

    /// <summary>
    /// A view of this store's database that sees only <paramref name="tenantId"/>'s streams, in every operation
    /// (appends, reads, ReadAll, deletes, snapshots, the outbox rows it writes, checkpoints). The view shares this
    /// store's connections, listeners, the user's transaction (for a store over a user's <see cref="DbContext"/>,
    /// whose views are of that kind too) and lifetime: disposing the view does nothing, disposing the store ends every
    /// view. A view's <see cref="ForTenant"/> gives a view of the other tenant, not a nested one.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is null, empty, whitespace or malformed (see <see cref="TenantId.Validate"/>).</exception>
    public IEventStore ForTenant(string tenantId) => CreateView(TenantId.Validate(tenantId));

    /// <summary>
    /// Listeners that run inside every append through any view of this store, after the events are written and before
    /// the commit. An exception from one rolls the whole append back (events, stream version, outbox entries) and
    /// reaches the caller unchanged. A listener must not call this store: the append holds its transaction.
    /// </summary>
    public EventListeners Listeners => _shared.Listeners;

    /// <summary>The user's context the store and its views work in, for a store over their <see cref="DbContext"/>.</summary>
    /// <exception cref="InvalidOperationException">The store owns its connection, and so has no context.</exception>
    internal DbContext Context => _shared.Executor.Context
        ?? throw new InvalidOperationException("This store owns its connection and has no DbContext; build it over your context to share its transaction.");

    /// <summary>Runs <paramref name="work"/> with a session, in the user's transaction if any (see <see cref="RelationalExecutor.RunAsync{T}"/>).</summary>
    internal Task<T> RunAsync<T>(Func<RelationalSession, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
        => _shared.Executor.RunAsync(work, cancellationToken);

    /// <summary>Runs <paramref name="work"/> alone among the store's operations, without set-up: for ending a transaction begun through the store.</summary>
    internal Task ExclusiveAsync(Func<Task> work) => _shared.Executor.ExclusiveAsync(work);

    /// <summary>Runs a write all-or-nothing (see <see cref="RelationalExecutor.RunWriteAsync{T}"/>).</summary>
    private Task<T> RunWriteAsync<T>(Func<RelationalSession, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
        => _shared.Executor.RunWriteAsync(work, committed: null, cancellationToken);

    /// <summary>A view of this store's database for <paramref name="tenant"/> (already validated), of this store's kind.</summary>
    internal abstract RelationalEventStore CreateView(string tenant);

    /// <summary>
    /// On the store itself: waits for running operations, then closes what the store opened; every view made by
    /// <see cref="ForTenant"/> is disposed with it. On a view: does nothing.
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
    /// What the store and every tenant view made from it share: the executor, the statements, the options, the
    /// serializer, the listeners and the append signal.
    /// </summary>
    private sealed class SharedState(RelationalExecutor executor, RelationalStorage storage, RelationalEventStoreOptions options)
    {
        public RelationalExecutor Executor { get; } = executor;

        public RelationalStorage Storage { get; } = storage;

        public RelationalEventStoreOptions Options { get; } = options;

        public EventSerializer Serializer { get; } = new(
            options.Registry,
            options.MaxEventBytes,
            new PersonalDataProtector(options.PersonalDataKeys ?? new RelationalPersonalDataKeyStore(executor, storage), options.TimeProvider, options.PersonalDataKeyCacheDuration));

        public TimeProvider Time => Options.TimeProvider;

        /// <summary>The listeners every view's appends run.</summary>
        public EventListeners Listeners { get; } = new();

        /// <summary>Wakes the subscribers of every view when this instance commits an append.</summary>
        public AppendNotifier Signal { get; } = new();
    }
}
