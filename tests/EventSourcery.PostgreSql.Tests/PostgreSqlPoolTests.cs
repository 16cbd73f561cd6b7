using EventSourcery.StoreContract;
using Npgsql;

namespace EventSourcery.PostgreSql.Tests;

/// <summary>
/// The data source a store makes from a connection string: statements prepared, and connections not reset when they
/// go back to the pool (the reset costs the server a statement per operation), unless the connection string says
/// otherwise; and nothing the store runs leaves a lock on a pooled connection for the next operation to inherit.
/// </summary>
[Collection(PostgresTests.Name)]
public sealed class PostgreSqlPoolTests(PostgresServer server) : IAsyncLifetime
{
    private readonly PgStores _stores = new(server);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _stores.DisposeAsync().AsTask();

    [Fact]
    public void The_stores_own_pool_prepares_statements_and_does_not_reset_connections_by_default()
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgreSqlEventStore.OwnedConnectionString("Host=db;Username=app"));

        Assert.Equal((64, true), (builder.MaxAutoPrepare, builder.NoResetOnClose));
        Assert.Equal(("db", "app"), (builder.Host, builder.Username));
    }

    [Theory]
    [InlineData("Host=db;No Reset On Close=false;Max Auto Prepare=5", false, 5)]
    [InlineData("Host=db;noresetonclose=false", false, 64)]
    [InlineData("Host=db;No Reset On Close=true;Max Auto Prepare=200", true, 200)]
    public void What_the_connection_string_says_is_kept(string connectionString, bool noReset, int maxAutoPrepare)
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgreSqlEventStore.OwnedConnectionString(connectionString));

        Assert.Equal((maxAutoPrepare, noReset), (builder.MaxAutoPrepare, builder.NoResetOnClose));
    }

    [SkippableFact]
    public async Task No_advisory_lock_outlives_the_operations_of_a_store_whose_connections_are_not_reset()
    {
        var store = await _stores.OpenStoreAsync();
        await store.AppendAsync(StreamId.New("light"), [new TurnedOn(), new TurnedOff()], ExpectedVersion.NoStream);

        Assert.Equal(2, (await Read.AllAsync(store)).Count); // takes the append lock exclusively to find its safe bound
        await store.AppendAsync(StreamId.New("light"), [new TurnedOn()], ExpectedVersion.NoStream);
        Assert.Equal(3, (await Read.AllAsync(store)).Count);

        Assert.Equal(0L, await _stores.ExecuteAsync($"SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND a.datname = current_database() AND l.pid <> pg_backend_pid()"));
    }
}
