using System.Runtime.CompilerServices;
using EventSourcery.StoreContract;
using Microsoft.Data.Sqlite;

namespace EventSourcery.Sqlite.Tests;

public sealed class SqliteEventStoreTests : DurableEventStoreContract, IAsyncLifetime
{
    private readonly List<TempDatabase> _databases = [];
    private readonly ConditionalWeakTable<IEventStore, TempDatabase> _databaseOf = [];

    protected override async Task<IEventStore> CreateStoreAsync()
    {
        var database = new TempDatabase();
        _databases.Add(database);
        var store = await database.OpenStoreAsync();
        _databaseOf.Add(store, database);
        return store;
    }

    // Another store instance, so the race runs over two connections to one file.
    protected override async Task<IEventStore> CreateSecondWriterAsync(IEventStore store)
    {
        var database = _databaseOf.TryGetValue(store, out var db) ? db : throw new InvalidOperationException("Unknown store.");
        var second = await database.OpenStoreAsync();
        _databaseOf.Add(second, database);
        return second;
    }

    protected override async Task<IEventStore> ReopenAsync(IEventStore store)
    {
        var database = _databaseOf.TryGetValue(store, out var db) ? db : throw new InvalidOperationException("Unknown store.");
        await ((SqliteEventStore)store).DisposeAsync();
        var reopened = await database.OpenStoreAsync();
        _databaseOf.Add(reopened, database);
        return reopened;
    }

    protected override Task<IReadOnlyList<long>> ReadOutboxPositionsAsync(IEventStore store)
        => (_databaseOf.TryGetValue(store, out var db) ? db : throw new InvalidOperationException("Unknown store.")).OutboxPositionsAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }
    }
}

public sealed class SqliteRepositoryTests : RepositoryContract, IAsyncLifetime
{
    private readonly List<TempDatabase> _databases = [];
    private readonly ConditionalWeakTable<IEventStore, TempDatabase> _databaseOf = [];

    protected override async Task<IEventStore> CreateStoreAsync()
    {
        var database = new TempDatabase();
        _databases.Add(database);
        var store = await database.OpenStoreAsync();
        _databaseOf.Add(store, database);
        return store;
    }

    protected override Task<IReadOnlyList<long>> ReadOutboxPositionsAsync(IEventStore store)
        => (_databaseOf.TryGetValue(store, out var db) ? db : throw new InvalidOperationException("Unknown store.")).OutboxPositionsAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }
    }
}

public sealed class SqliteTenantTests : TenantContract, IAsyncLifetime
{
    private readonly List<TempDatabase> _databases = [];

    // Views share their store's connection, so the connection tells which file a view writes to.
    private readonly ConditionalWeakTable<SqliteConnection, TempDatabase> _databaseOf = [];

    protected override async Task<IEventStore> CreateStoreAsync()
    {
        var database = new TempDatabase();
        _databases.Add(database);
        var store = await database.OpenStoreAsync();
        _databaseOf.Add(store.Connection, database);
        return store;
    }

    protected override Task<IReadOnlyList<long>> ReadOutboxPositionsAsync(IEventStore view)
    {
        var sqlite = (SqliteEventStore)view;
        var database = _databaseOf.TryGetValue(sqlite.Connection, out var db) ? db : throw new InvalidOperationException("Unknown store.");
        return database.OutboxPositionsAsync(sqlite.Tenant);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }
    }
}

public sealed class SqliteSnapshotTests : SnapshotContract, IAsyncLifetime
{
    private readonly List<TempDatabase> _databases = [];

    protected override async Task<IEventStore> CreateStoreAsync()
    {
        var database = new TempDatabase();
        _databases.Add(database);
        return await database.OpenStoreAsync();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }
    }
}

public sealed class SqliteNamedStreamTests : NamedStreamContract, IAsyncLifetime
{
    private readonly List<TempDatabase> _databases = [];

    protected override async Task<IEventStore> CreateStoreAsync()
    {
        var database = new TempDatabase();
        _databases.Add(database);
        return await database.OpenStoreAsync();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }
    }
}

public sealed class SqliteSubscriptionTests : SubscriptionContract, IAsyncLifetime
{
    private readonly List<TempDatabase> _databases = [];

    protected override async Task<IEventStore> CreateStoreAsync()
    {
        var database = new TempDatabase();
        _databases.Add(database);
        return await database.OpenStoreAsync();
    }

    // Views share their store's listeners, so any view (or the store itself) answers with the same instance.
    protected override EventListeners ListenersOf(IEventStore store) => ((SqliteEventStore)store).Listeners;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }
    }
}

public sealed class SqliteProjectionTests : ProjectionContract, IAsyncLifetime
{
    private readonly List<TempDatabase> _databases = [];

    protected override async Task<IEventStore> CreateStoreAsync()
    {
        var database = new TempDatabase();
        _databases.Add(database);
        return await database.OpenStoreAsync();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }
    }
}
