using EventSourcery.Relational.Storage;
using Npgsql;

namespace EventSourcery.PostgreSql.Storage;

/// <summary>A PostgreSQL store's session: a connection (rented from the pool, or the user's context's) and the transaction its statements run in.</summary>
internal sealed class NpgsqlSession(NpgsqlConnection connection, NpgsqlTransaction? transaction) : RelationalSession
{
    public NpgsqlConnection Connection { get; } = connection;

    /// <inheritdoc />
    public override NpgsqlTransaction? Transaction { get; } = transaction;

    /// <summary>A command with <paramref name="sql"/> on the session's connection, in its transaction.</summary>
    public NpgsqlCommand Command(string sql)
    {
        var command = Connection.CreateCommand();
        command.Transaction = Transaction;
#pragma warning disable CA2100 // The SQL is PostgreSqlStorage's constant text (with the schema quoted as an identifier) or DDL EF Core generated; values are parameters.
        command.CommandText = sql;
#pragma warning restore CA2100
        return command;
    }

    /// <summary>The session of a PostgreSQL store.</summary>
    public static NpgsqlSession Of(RelationalSession session) => (NpgsqlSession)session;
}
