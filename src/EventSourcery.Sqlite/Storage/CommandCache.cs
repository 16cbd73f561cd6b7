using Microsoft.Data.Sqlite;

namespace EventSourcery.Sqlite.Storage;

/// <summary>
/// The store's commands on its one connection, one per SQL text, kept for the store's lifetime so that each statement
/// is compiled by SQLite once (Microsoft.Data.Sqlite keeps a command's compiled statements until its text or connection
/// changes) instead of once per call. Used only under the store's gate, so one caller at a time; never for SQL whose
/// text varies with values.
/// </summary>
/// <remarks>
/// Compiled statements belong to the native database handle the connection had when they were compiled. A connection
/// that is closed gives its handle back to Microsoft.Data.Sqlite's pool, where another connection may take it, so the
/// cache must not outlive an open: the store disposes it before closing a connection it opened for one operation (a
/// store over your <c>DbContext</c>), and <see cref="Get(SqliteTransaction?, string)"/> starts afresh whenever the
/// connection's handle is not the one the commands were compiled on.
/// </remarks>
internal sealed class CommandCache(SqliteConnection connection) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private SQLitePCL.sqlite3? _handle;

    /// <summary>The connection the commands run on.</summary>
    public SqliteConnection Connection { get; } = connection;

    /// <summary>The command for <paramref name="sql"/>, in <paramref name="transaction"/>, with no parameters.</summary>
    public SqliteCommand Get(SqliteTransaction? transaction, string sql)
    {
        var command = GetOrCreate(sql, transaction, out _);
        command.Parameters.Clear();
        return command;
    }

    /// <summary>
    /// The command for <paramref name="sql"/>, in <paramref name="transaction"/>, with the parameters
    /// <paramref name="declare"/> added when it was created: set their values by position.
    /// </summary>
    public SqliteCommand Get(SqliteTransaction? transaction, string sql, Action<SqliteParameterCollection> declare)
    {
        var command = GetOrCreate(sql, transaction, out var created);
        if (created)
        {
            declare(command.Parameters);
        }

        return command;
    }

    /// <summary>Disposes the commands (and their compiled statements).</summary>
    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
        _handle = null;
    }

    private SqliteCommand GetOrCreate(string sql, SqliteTransaction? transaction, out bool created)
    {
        var handle = Connection.Handle;
        if (!ReferenceEquals(handle, _handle))
        {
            Dispose();
            _handle = handle;
        }

        created = !_commands.TryGetValue(sql, out var command);
        if (created)
        {
            command = Connection.CreateCommand();
#pragma warning disable CA2100 // Constant SQL of SqliteStorage; values are parameters.
            command.CommandText = sql;
#pragma warning restore CA2100
            _commands.Add(sql, command);
        }

        command!.Transaction = transaction;
        return command;
    }
}
