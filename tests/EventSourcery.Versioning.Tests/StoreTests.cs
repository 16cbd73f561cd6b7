using EventSourcery.PostgreSql;
using EventSourcery.PostgreSql.Tests;
using EventSourcery.Serialization;
using EventSourcery.Sqlite;

namespace EventSourcery.Versioning.Tests;

/// <summary>The upcasting contract on one in-memory store, each build seeing it through a view with its registry.</summary>
public sealed class InMemoryUpcastingTests : UpcastingContract
{
    private readonly InMemoryEventStore _store = new(Shop.Old.OldBuild.Registry);

    protected override Task<IEventStore> OpenAsync(EventRegistry registry) => Task.FromResult<IEventStore>(_store.WithRegistry(registry));
}

/// <summary>The upcasting contract on a SQLite file both builds open.</summary>
public sealed class SqliteUpcastingTests : UpcastingContract, IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("es-versioning-").FullName;
    private readonly List<SqliteEventStore> _stores = [];

    protected override async Task<IEventStore> OpenAsync(EventRegistry registry)
    {
        var store = await SqliteEventStore.OpenAsync($"Data Source={Path.Combine(_folder, "events.db")}", new SqliteEventStoreOptions { Registry = registry });
        _stores.Add(store);
        return store;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>The upcasting contract on one PostgreSQL schema both builds open.</summary>
[Collection(PostgresTests.Name)]
public sealed class PostgreSqlUpcastingTests(PostgresServer server) : UpcastingContract, IAsyncLifetime
{
    private readonly string _schema = "es_versioning_" + Guid.NewGuid().ToString("N")[..12];
    private readonly List<PostgreSqlEventStore> _stores = [];

    protected override async Task<IEventStore> OpenAsync(EventRegistry registry)
    {
        server.SkipIfUnavailable();
        var store = await PostgreSqlEventStore.OpenAsync(server.ConnectionString, new PostgreSqlEventStoreOptions { Schema = _schema, Registry = registry });
        _stores.Add(store);
        return store;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
    }
}
