using EventSourcery.Relational.Storage;
using Microsoft.Data.Sqlite;

namespace EventSourcery.Sqlite.Storage;

/// <summary>A SQLite store's session: its compiled statements on its one connection, and the transaction they run in.</summary>
internal sealed class SqliteSession(CommandCache commands, SqliteTransaction? transaction) : RelationalSession
{
    public CommandCache Commands { get; } = commands;

    /// <inheritdoc />
    public override SqliteTransaction? Transaction { get; } = transaction;

    /// <summary>The statements and transaction of a session that a SQLite store made.</summary>
    public static (CommandCache Commands, SqliteTransaction? Transaction) Of(RelationalSession session)
    {
        var sqlite = (SqliteSession)session;
        return (sqlite.Commands, sqlite.Transaction);
    }
}
