using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace EventSourcery.Cli.Store;

/// <summary>
/// The tool's connection to a store, whichever database holds it: a SQLite file, or a PostgreSQL schema named by a
/// connection string. The commands' SQL is written once for both (named parameters as <c>@name</c>, which both
/// accept, each bound with its type so that a NULL is typed too); what differs is here: the tables' names (qualified
/// by the schema on PostgreSQL), how a table is looked up, and how a transaction starts.
/// </summary>
internal sealed class StoreConnection : IAsyncDisposable
{
    private readonly string? _schema;

    public StoreConnection(DbConnection connection, string description, string? schema)
    {
        Connection = connection;
        Description = description;
        _schema = schema;
        var prefix = schema is null ? "" : Quote(schema) + ".";
        Streams = prefix + StoreFile.Streams;
        Events = prefix + StoreFile.Events;
        Outbox = prefix + StoreFile.Outbox;
        Checkpoints = prefix + StoreFile.Checkpoints;
        ProjectionLeases = prefix + StoreFile.ProjectionLeases;
    }

    public DbConnection Connection { get; }

    /// <summary>The store for messages: the file's path, or the PostgreSQL database and schema (never a password).</summary>
    public string Description { get; }

    /// <summary>Whether the store is a PostgreSQL schema (rather than a SQLite file).</summary>
    public bool IsPostgreSql => _schema is not null;

    /// <summary>The PostgreSQL schema; null for a SQLite file.</summary>
    public string? Schema => _schema;

    public string Streams { get; }

    public string Events { get; }

    public string Outbox { get; }

    public string Checkpoints { get; }

    public string ProjectionLeases { get; }

    /// <summary>A command over the connection, in <paramref name="transaction"/> when given.</summary>
    public DbCommand Command(string sql, DbTransaction? transaction = null)
    {
        var command = Connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    /// <summary>Binds <c>@name</c> with its type, so that a NULL is typed on PostgreSQL too.</summary>
    public static void Add(DbCommand command, string name, object? value, DbType type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    /// <summary>
    /// A transaction: on SQLite deferred for reads and <c>BEGIN IMMEDIATE</c> for a change (its checks and the change
    /// under the write lock); on PostgreSQL repeatable read, so that every read of a command sees one moment, and a
    /// change's rows locked by its statements.
    /// </summary>
    public async Task<DbTransaction> BeginAsync(bool write, CancellationToken cancellationToken)
        => Connection is SqliteConnection sqlite
            ? sqlite.BeginTransaction(deferred: !write)
            : await Connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);

    /// <summary>Whether <paramref name="table"/> (unqualified) exists in the store.</summary>
    public async Task<bool> HasTableAsync(string table, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = Command(
            IsPostgreSql
                ? "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = @schema AND table_name = @name;"
                : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = @name;",
            transaction);
        Add(command, "@name", table, DbType.String);
        if (IsPostgreSql)
        {
            Add(command, "@schema", _schema, DbType.String);
        }

        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>A column read as a 64-bit number whatever the database's integer width (PostgreSQL's <c>integer</c> columns).</summary>
    public static long Int64(DbDataReader reader, int ordinal) => Convert.ToInt64(reader.GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture);

    public ValueTask DisposeAsync() => Connection.DisposeAsync();

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
