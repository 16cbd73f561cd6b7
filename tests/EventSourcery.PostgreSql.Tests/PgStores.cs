using System.Runtime.CompilerServices;
using Npgsql;

namespace EventSourcery.PostgreSql.Tests;

/// <summary>
/// The stores of one test class on the collection's server: each store gets a schema of its own (so tests never see
/// each other's events), and every store is disposed when the class's tests are done. Skips the calling test, saying
/// why, when the server is not running locally.
/// </summary>
internal sealed class PgStores(PostgresServer server) : IAsyncDisposable
{
    private readonly List<PostgreSqlEventStore> _all = [];
    private readonly ConditionalWeakTable<IEventStore, string> _schemaOf = [];

    /// <summary>A connection string to the server with pooling on, as an app would have.</summary>
    public string ConnectionString => new NpgsqlConnectionStringBuilder(server.ConnectionString) { Pooling = true, MaxPoolSize = 20 }.ConnectionString;

    /// <summary>A store over a new, empty schema.</summary>
    public async Task<PostgreSqlEventStore> OpenStoreAsync(Func<Event, bool>? outboxFilter = null, TimeProvider? time = null)
    {
        server.SkipIfUnavailable();
        return await OpenAsync(NewSchema(), outboxFilter, time);
    }

    /// <summary>Another store instance (its own pool) over the same schema as <paramref name="store"/>.</summary>
    public Task<PostgreSqlEventStore> OpenAnotherAsync(IEventStore store) => OpenAsync(SchemaOf(store));

    /// <summary>The schema <paramref name="store"/> works in.</summary>
    public string SchemaOf(IEventStore store)
        => _schemaOf.TryGetValue(store, out var schema) ? schema : ((PostgreSqlEventStore)store).Schema;

    /// <summary>The positions of the outbox entries of <paramref name="tenant"/> in publish order.</summary>
    public async Task<IReadOnlyList<long>> OutboxPositionsAsync(IEventStore store, string tenant = "")
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT position FROM \"{SchemaOf(store)}\".es_outbox WHERE tenant_id = @tenant ORDER BY id;", connection);
        command.Parameters.AddWithValue("tenant", tenant);
        var positions = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            positions.Add(reader.GetInt64(0));
        }

        return positions;
    }

    /// <summary>Runs <paramref name="sql"/> against the server (for tests that damage or inspect tables by hand).</summary>
    public async Task<object?> ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    public static string NewSchema() => "es_test_" + Guid.NewGuid().ToString("N")[..12];

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _all)
        {
            await store.DisposeAsync();
        }
    }

    private async Task<PostgreSqlEventStore> OpenAsync(string schema, Func<Event, bool>? outboxFilter = null, TimeProvider? time = null)
    {
        var store = await PostgreSqlEventStore.OpenAsync(ConnectionString, new PostgreSqlEventStoreOptions
        {
            Schema = schema,
            OutboxFilter = outboxFilter,
            TimeProvider = time ?? TimeProvider.System,
        });
        _all.Add(store);
        _schemaOf.AddOrUpdate(store, schema);
        return store;
    }
}
