using System.Runtime.CompilerServices;
using EventSourcery.StoreContract;
using Microsoft.Data.Sqlite;

namespace EventSourcery.Sqlite.Tests;

public sealed class SqliteEventStoreTests : DurableEventStoreContract, IAsyncLifetime
{
    private readonly TempDatabases _databases = new();

    protected override Task<IEventStore> CreateStoreAsync() => _databases.OpenStoreAsync();

    // Another store instance, so the race runs over two connections to one file.
    protected override Task<IEventStore> CreateSecondWriterAsync(IEventStore store) => _databases.OpenAnotherAsync(store);

    protected override async Task<IEventStore> ReopenAsync(IEventStore store)
    {
        // Close first, so what the reopened store reads comes from the file alone.
        await ((SqliteEventStore)store).DisposeAsync();
        return await _databases.OpenAnotherAsync(store);
    }

    protected override Task<IReadOnlyList<long>> ReadOutboxPositionsAsync(IEventStore store)
        => _databases.DatabaseOf(store).OutboxPositionsAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _databases.DisposeAsync();
}

public sealed class SqliteRepositoryTests : RepositoryContract, IAsyncLifetime
{
    private readonly TempDatabases _databases = new();

    protected override Task<IEventStore> CreateStoreAsync() => _databases.OpenStoreAsync();

    protected override Task<IReadOnlyList<long>> ReadOutboxPositionsAsync(IEventStore store)
        => _databases.DatabaseOf(store).OutboxPositionsAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _databases.DisposeAsync();
}

public sealed class SqliteTenantTests : TenantContract, IAsyncLifetime
{
    private readonly TempDatabases _databases = new();

    protected override Task<IEventStore> CreateStoreAsync() => _databases.OpenStoreAsync();

    protected override Task<IReadOnlyList<long>> ReadOutboxPositionsAsync(IEventStore view)
        => _databases.DatabaseOf(view).OutboxPositionsAsync(((SqliteEventStore)view).Tenant);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _databases.DisposeAsync();
}

public sealed class SqliteSnapshotTests : SnapshotContract, IAsyncLifetime
{
    private readonly TempDatabases _databases = new();

    protected override Task<IEventStore> CreateStoreAsync() => _databases.OpenStoreAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _databases.DisposeAsync();
}

public sealed class SqliteNamedStreamTests : NamedStreamContract, IAsyncLifetime
{
    private readonly TempDatabases _databases = new();

    protected override Task<IEventStore> CreateStoreAsync() => _databases.OpenStoreAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _databases.DisposeAsync();
}

public sealed class SqliteSubscriptionTests : SubscriptionContract, IAsyncLifetime
{
    private readonly TempDatabases _databases = new();

    protected override Task<IEventStore> CreateStoreAsync() => _databases.OpenStoreAsync();

    // Views share their store's listeners, so any view (or the store itself) answers with the same instance.
    protected override EventListeners ListenersOf(IEventStore store) => ((SqliteEventStore)store).Listeners;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _databases.DisposeAsync();
}

public sealed class SqliteProjectionTests : ProjectionContract, IAsyncLifetime
{
    private readonly TempDatabases _databases = new();

    protected override Task<IEventStore> CreateStoreAsync() => _databases.OpenStoreAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _databases.DisposeAsync();
}

public sealed class SqliteEventIdTests : EventIdContract, IAsyncLifetime
{
    private readonly TempDatabases _databases = new();

    protected override Task<IEventStore> CreateStoreAsync() => _databases.OpenStoreAsync();

    protected override Task<IReadOnlyList<long>> ReadOutboxPositionsAsync(IEventStore store)
        => _databases.DatabaseOf(store).OutboxPositionsAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _databases.DisposeAsync();
}

public sealed class SqliteShapeTests : ShapeContract, IAsyncLifetime
{
    private readonly TempDatabases _databases = new();

    protected override Task<IEventStore> CreateStoreAsync() => _databases.OpenStoreAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _databases.DisposeAsync();
}

[Collection(TelemetryContract.Collection)]
public sealed class SqliteTelemetryTests : TelemetryContract, IAsyncLifetime
{
    private readonly TempDatabases _databases = new();

    protected override string DbSystem => "sqlite";

    protected override bool IsServer => false;

    protected override Task<IEventStore> CreateStoreAsync() => _databases.OpenStoreAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _databases.DisposeAsync();
}

/// <summary>The telemetry tests run alone: while they listen, other tests' events would keep a traceparent.</summary>
[CollectionDefinition(TelemetryContract.Collection, DisableParallelization = true)]
public sealed class TelemetryTestsRunAlone;

public sealed class SqlitePersonalDataTests : PersonalDataAtRestContract, IAsyncLifetime
{
    private readonly TempDatabases _databases = new();

    protected override Task<IEventStore> CreateStoreAsync() => _databases.OpenStoreAsync();

    /// <summary>The database file and its write-ahead log, as they are on disk.</summary>
    protected override Task<byte[]> ReadStoredBytesAsync(IEventStore store) => Task.FromResult(SqliteFiles.ReadAll(_databases.DatabaseOf(store).Path));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _databases.DisposeAsync();
}
