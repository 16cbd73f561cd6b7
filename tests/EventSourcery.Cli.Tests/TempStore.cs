using Microsoft.Data.Sqlite;

namespace EventSourcery.Cli.Tests;

/// <summary>A store file of its own for one test, made with the library's public API and deleted (with its WAL files) at the end.</summary>
public sealed class TempStore : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"eventsourcery-cli-{Guid.NewGuid():N}.db");

    // No pooling: disposing a store really closes the file, as the tool's own connection must see it.
    public string ConnectionString => $"Data Source={Path};Pooling=False";

    public async Task<SqliteEventStore> OpenAsync()
    {
        var store = await SqliteEventStore.OpenAsync(ConnectionString);
        lock (_owned)
        {
            _owned.Add(store);
        }

        return store;
    }

    /// <summary>Runs SQL on a connection of its own (for test set-up and for looking at what the tool changed).</summary>
    public async Task<List<object?[]>> RowsAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

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

    public async ValueTask DisposeAsync()
    {
        IAsyncDisposable[] owned;
        lock (_owned)
        {
            owned = [.. _owned];
            _owned.Clear();
        }

        foreach (var item in owned)
        {
            await item.DisposeAsync();
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
}
