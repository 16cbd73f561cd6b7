using EventSourcery.StoreContract;

namespace EventSourcery.PostgreSql.Tests;

// The shared suites, on a real PostgreSQL server: every behaviour the in-memory and SQLite stores have.

[Collection(PostgresTests.Name)]
public sealed class PostgreSqlEventStoreTests(PostgresServer server) : DurableEventStoreContract, IAsyncLifetime
{
    private readonly PgStores _stores = new(server);

    protected override async Task<IEventStore> CreateStoreAsync() => await _stores.OpenStoreAsync();

    // Another store instance (its own pool), so the race runs over two connections.
    protected override async Task<IEventStore> CreateSecondWriterAsync(IEventStore store) => await _stores.OpenAnotherAsync(store);

    protected override async Task<IEventStore> ReopenAsync(IEventStore store)
    {
        await ((PostgreSqlEventStore)store).DisposeAsync();
        return await _stores.OpenAnotherAsync(store);
    }

    protected override Task<IReadOnlyList<long>> ReadOutboxPositionsAsync(IEventStore store) => _stores.OutboxPositionsAsync(store);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _stores.DisposeAsync().AsTask();
}

[Collection(PostgresTests.Name)]
public sealed class PostgreSqlRepositoryTests(PostgresServer server) : RepositoryContract, IAsyncLifetime
{
    private readonly PgStores _stores = new(server);

    protected override async Task<IEventStore> CreateStoreAsync() => await _stores.OpenStoreAsync();

    protected override Task<IReadOnlyList<long>> ReadOutboxPositionsAsync(IEventStore store) => _stores.OutboxPositionsAsync(store);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _stores.DisposeAsync().AsTask();
}

[Collection(PostgresTests.Name)]
public sealed class PostgreSqlTenantTests(PostgresServer server) : TenantContract, IAsyncLifetime
{
    private readonly PgStores _stores = new(server);

    protected override async Task<IEventStore> CreateStoreAsync() => await _stores.OpenStoreAsync();

    protected override Task<IReadOnlyList<long>> ReadOutboxPositionsAsync(IEventStore view)
        => _stores.OutboxPositionsAsync(view, ((PostgreSqlEventStore)view).Tenant);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _stores.DisposeAsync().AsTask();
}

[Collection(PostgresTests.Name)]
public sealed class PostgreSqlSnapshotTests(PostgresServer server) : SnapshotContract, IAsyncLifetime
{
    private readonly PgStores _stores = new(server);

    protected override async Task<IEventStore> CreateStoreAsync() => await _stores.OpenStoreAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _stores.DisposeAsync().AsTask();
}

[Collection(PostgresTests.Name)]
public sealed class PostgreSqlNamedStreamTests(PostgresServer server) : NamedStreamContract, IAsyncLifetime
{
    private readonly PgStores _stores = new(server);

    protected override async Task<IEventStore> CreateStoreAsync() => await _stores.OpenStoreAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _stores.DisposeAsync().AsTask();
}

[Collection(PostgresTests.Name)]
public sealed class PostgreSqlSubscriptionTests(PostgresServer server) : SubscriptionContract, IAsyncLifetime
{
    private readonly PgStores _stores = new(server);

    protected override async Task<IEventStore> CreateStoreAsync() => await _stores.OpenStoreAsync();

    protected override EventListeners ListenersOf(IEventStore store) => ((PostgreSqlEventStore)store).Listeners;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _stores.DisposeAsync().AsTask();
}

[Collection(PostgresTests.Name)]
public sealed class PostgreSqlProjectionTests(PostgresServer server) : ProjectionContract, IAsyncLifetime
{
    private readonly PgStores _stores = new(server);

    protected override async Task<IEventStore> CreateStoreAsync() => await _stores.OpenStoreAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _stores.DisposeAsync().AsTask();
}

[Collection(PostgresTests.Name)]
public sealed class PostgreSqlEventIdTests(PostgresServer server) : EventIdContract, IAsyncLifetime
{
    private readonly PgStores _stores = new(server);

    protected override async Task<IEventStore> CreateStoreAsync() => await _stores.OpenStoreAsync();

    protected override Task<IReadOnlyList<long>> ReadOutboxPositionsAsync(IEventStore store) => _stores.OutboxPositionsAsync(store);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _stores.DisposeAsync().AsTask();
}

[Collection(PostgresTests.Name)]
public sealed class PostgreSqlShapeTests(PostgresServer server) : ShapeContract, IAsyncLifetime
{
    private readonly PgStores _stores = new(server);

    protected override async Task<IEventStore> CreateStoreAsync() => await _stores.OpenStoreAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _stores.DisposeAsync().AsTask();
}

[Collection(PostgresTests.Name)]
public sealed class PostgreSqlOutboxTests(PostgresServer server) : OutboxContract, IAsyncLifetime
{
    private readonly PgStores _stores = new(server);

    protected override async Task<IEventStore> CreateStoreAsync(Func<Event, bool>? outboxFilter = null) => await _stores.OpenStoreAsync(outboxFilter);

    // Another instance with its own pool over the same schema: claims of the two must not overlap.
    protected override async Task<IEventStore> CreateSecondInstanceAsync(IEventStore store) => await _stores.OpenAnotherAsync(store);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _stores.DisposeAsync().AsTask();
}

[Collection(PostgresTests.Name)]
public sealed class PostgreSqlTelemetryTests(PostgresServer server) : TelemetryContract, IAsyncLifetime
{
    private readonly PgStores _stores = new(server);

    protected override string DbSystem => "postgresql";

    protected override bool IsServer => true;

    protected override async Task<IEventStore> CreateStoreAsync() => await _stores.OpenStoreAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _stores.DisposeAsync().AsTask();
}

[Collection(PostgresTests.Name)]
public sealed class PostgreSqlPersonalDataTests(PostgresServer server) : PersonalDataAtRestContract, IAsyncLifetime
{
    private readonly PgStores _stores = new(server);

    protected override async Task<IEventStore> CreateStoreAsync() => await _stores.OpenStoreAsync();

    /// <summary>Every row of the store's tables, as PostgreSQL prints it (payloads are text; keys, bytea, print as hex).</summary>
    protected override async Task<byte[]> ReadStoredBytesAsync(IEventStore store)
    {
        var schema = _stores.SchemaOf(store);
        await using var connection = new Npgsql.NpgsqlConnection(_stores.ConnectionString);
        await connection.OpenAsync();
        var text = new System.Text.StringBuilder();
        foreach (var table in new[] { "es_streams", "es_events", "es_outbox", "es_snapshots", "es_subject_keys" })
        {
            await using var command = new Npgsql.NpgsqlCommand($"SELECT t::text FROM \"{schema}\".{table} t;", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                text.Append(reader.GetString(0));
            }
        }

        return System.Text.Encoding.UTF8.GetBytes(text.ToString());
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _stores.DisposeAsync().AsTask();
}
