using System.Data;
using System.Data.Common;
using System.Globalization;
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

    /// <summary>A guid column as upper-case 'D' text: SQLite keeps that text, PostgreSQL a <c>uuid</c>.</summary>
    public static string GuidText(DbDataReader reader, int ordinal)
        => reader.GetValue(ordinal) is Guid guid ? guid.ToString("D").ToUpperInvariant() : reader.GetString(ordinal);

    /// <summary>A guid column as a <see cref="Guid"/>.</summary>
    public static Guid ReadGuid(DbDataReader reader, int ordinal)
        => reader.GetValue(ordinal) is Guid guid ? guid : Guid.Parse(reader.GetString(ordinal));

    /// <summary>A time column as round-trip text: SQLite keeps that text, PostgreSQL a <c>timestamptz</c> (shown in UTC).</summary>
    public static string TimeText(DbDataReader reader, int ordinal)
        => reader.GetValue(ordinal) is DateTime utc ? RoundTrip(new DateTimeOffset(utc.Ticks, TimeSpan.Zero)) : reader.GetString(ordinal);

    /// <summary>
    /// An event's creation time as round-trip text, from <c>created_at</c> at <paramref name="ordinal"/> and the two
    /// columns after it. On PostgreSQL those hold the ticks below the microsecond and the offset in minutes (the
    /// store's <c>ColumnLayout</c>; the tool reads the tables without the store's assembly), so the text is exactly the
    /// time the event was given; on SQLite the text is stored as is.
    /// </summary>
    public static string CreatedAtText(DbDataReader reader, int ordinal)
        => reader.GetValue(ordinal) is DateTime utc
            ? RoundTrip(new DateTimeOffset(utc.Ticks + Convert.ToInt64(reader.GetValue(ordinal + 1), CultureInfo.InvariantCulture), TimeSpan.Zero)
                .ToOffset(TimeSpan.FromMinutes(Convert.ToInt64(reader.GetValue(ordinal + 2), CultureInfo.InvariantCulture))))
            : reader.GetString(ordinal);

    /// <summary>A guid parameter as the store keeps guids (see <see cref="GuidText"/>).</summary>
    public void AddGuid(DbCommand command, string name, Guid? value)
    {
        if (IsPostgreSql)
        {
            Add(command, name, value, DbType.Guid);
        }
        else
        {
            Add(command, name, value?.ToString("D").ToUpperInvariant(), DbType.String);
        }
    }

    /// <summary>A time parameter as the store keeps store-assigned times (see <see cref="TimeText"/>).</summary>
    public void AddTime(DbCommand command, string name, DateTimeOffset value)
    {
        if (IsPostgreSql)
        {
            Add(command, name, value.ToUniversalTime(), DbType.DateTimeOffset);
        }
        else
        {
            Add(command, name, RoundTrip(value), DbType.String);
        }
    }

    /// <summary>A column read as a 64-bit number whatever the database's integer width (PostgreSQL's <c>integer</c> columns).</summary>
    public static long Int64(DbDataReader reader, int ordinal) => Convert.ToInt64(reader.GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture);

    public ValueTask DisposeAsync() => Connection.DisposeAsync();

    private static string RoundTrip(DateTimeOffset value) => value.ToString("O", CultureInfo.InvariantCulture);

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
