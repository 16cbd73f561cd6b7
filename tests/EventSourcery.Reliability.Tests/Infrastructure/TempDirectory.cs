using Microsoft.Data.Sqlite;

namespace EventSourcery.Reliability.Tests;

/// <summary>A directory of its own for one test (database files, side logs), deleted when the test ends.</summary>
internal sealed class TempDirectory : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];

    public TempDirectory()
    {
        Directory.CreateDirectory(Path);
    }

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"eventsourcery-reliability-{Guid.NewGuid():N}");

    public string DatabasePath => File("events.db");

    /// <summary>No pooling: disposing a store really closes the file, so reopening it reads what is on disk.</summary>
    public string ConnectionString => ConnectionStringFor(DatabasePath);

    public static string ConnectionStringFor(string path) => $"Data Source={path};Pooling=False";

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public async Task<SqliteEventStore> OpenStoreAsync(SqliteEventStoreOptions? options = null)
        => Own(await SqliteEventStore.OpenAsync(ConnectionString, options));

    public T Own<T>(T disposable)
        where T : IAsyncDisposable
    {
        lock (_owned)
        {
            _owned.Add(disposable);
        }

        return disposable;
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

    /// <summary><c>PRAGMA integrity_check</c> on a raw connection of its own (which also recovers a WAL left by a crash).</summary>
    public async Task<string> IntegrityCheckAsync()
    {
        var rows = await RowsAsync("PRAGMA integrity_check;");
        return string.Join("\n", rows.Select(r => r[0]));
    }

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

        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a leftover temp directory must not fail the test
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
