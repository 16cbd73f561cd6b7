using Microsoft.Data.Sqlite;

namespace EventSourcery.Sqlite.Tests;

/// <summary>A database file of its own for one test, deleted (with its WAL files) when the test ends.</summary>
internal sealed class TempDatabase : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"eventsourcery-test-{Guid.NewGuid():N}.db");

    // No pooling: disposing a store really closes the file, so reopening it tests durability and the file can be deleted.
    public string ConnectionString => $"Data Source={Path};Pooling=False";

    public async Task<SqliteEventStore> OpenStoreAsync(SqliteEventStoreOptions? options = null)
    {
        var store = await SqliteEventStore.OpenAsync(ConnectionString, options);
        Own(store);
        return store;
    }

    public T Own<T>(T disposable)
        where T : IAsyncDisposable
    {
        lock (_owned)
        {
            _owned.Add(disposable);
        }

        return disposable;
    }

    /// <summary>A raw connection to the file, for looking at and tampering with what the store wrote.</summary>
    public SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        return Own(connection);
    }

    public async Task<int> ExecuteAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync();
    }

    public async Task<object?> ScalarAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = Command(connection, sql, parameters);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull ? null : value;
    }

    public async Task<List<object?[]>> RowsAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = Command(connection, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    public async Task<IReadOnlyList<long>> OutboxPositionsAsync()
        => (await RowsAsync("SELECT position FROM es_outbox ORDER BY id")).Select(r => (long)r[0]!).ToArray();

    /// <summary>The outbox positions of one tenant ("" for the default view).</summary>
    public async Task<IReadOnlyList<long>> OutboxPositionsAsync(string tenantId)
        => (await RowsAsync("SELECT position FROM es_outbox WHERE tenant_id = $tenant ORDER BY id", ("$tenant", tenantId))).Select(r => (long)r[0]!).ToArray();

    public async Task<HashSet<string>> TablesAsync()
        => (await RowsAsync("SELECT name FROM sqlite_master WHERE type = 'table'")).Select(r => (string)r[0]!).ToHashSet();

    public async ValueTask DisposeAsync()
    {
        IAsyncDisposable[] owned;
        lock (_owned)
        {
            owned = [.. _owned];
            _owned.Clear();
        }

        for (var i = owned.Length - 1; i >= 0; i--)
        {
            await owned[i].DisposeAsync();
        }

        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
        {
            try
            {
                File.Delete(Path + suffix);
            }
            catch (IOException)
            {
                // best effort: a leftover temp file must not fail the test
            }
        }
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }
}
