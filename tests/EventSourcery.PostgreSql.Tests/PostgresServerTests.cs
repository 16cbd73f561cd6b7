using Npgsql;

namespace EventSourcery.PostgreSql.Tests;

/// <summary>The fixture the PostgreSQL store's suites will run on: a real, private, durable server, cleaned up after.</summary>
[Collection(PostgresTests.Name)]
public sealed class PostgresServerTests(PostgresServer server)
{
    [SkippableFact]
    public async Task The_fixture_runs_a_real_durable_server_on_a_private_port()
    {
        server.SkipIfUnavailable();
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();

        Assert.Equal(server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), await ScalarAsync(connection, "SHOW port"));
        Assert.Equal("on", await ScalarAsync(connection, "SHOW fsync"));
        Assert.Equal(server.DataDirectory, await ScalarAsync(connection, "SHOW data_directory"));
        Assert.True(int.Parse(await ScalarAsync(connection, "SHOW server_version_num"), System.Globalization.CultureInfo.InvariantCulture) >= 150000);

        await using (var create = new NpgsqlCommand("CREATE TABLE fixture_check (id bigint PRIMARY KEY, note text NOT NULL); INSERT INTO fixture_check VALUES (1, 'written');", connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        Assert.Equal("written", await ScalarAsync(connection, "SELECT note FROM fixture_check WHERE id = 1"));
        await using var drop = new NpgsqlCommand("DROP TABLE fixture_check;", connection);
        await drop.ExecuteNonQueryAsync();
    }

    [SkippableFact]
    public async Task A_server_of_its_own_stops_and_leaves_no_data_behind()
    {
        server.SkipIfUnavailable(); // the machine can run one
        var own = new PostgresServer();
        await own.InitializeAsync();
        Assert.Null(own.Unavailable);
        var connectionString = own.ConnectionString;
        Assert.NotEqual(server.Port, own.Port);

        await own.DisposeAsync();

        Assert.False(Directory.Exists(own.DataDirectory));
        await using var connection = new NpgsqlConnection(connectionString);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => connection.OpenAsync());
    }

    private static async Task<string> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture)!;
    }
}
