using System.Globalization;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace EventSourcery.Cli.Store;

/// <summary>
/// Opens an EventSourcery store for the tool, a SQLite file or a PostgreSQL schema (when the command line gives a
/// connection string, <c>Host=…;Database=…</c>): read-only for the commands that look, read-write (never create) for
/// the two that change something, with a busy timeout either way; and checks that the tables a command reads exist.
/// </summary>
internal static class StoreFile
{
    public const string Streams = "es_streams";
    public const string Events = "es_events";
    public const string Outbox = "es_outbox";
    public const string Checkpoints = "es_checkpoints";
    public const string ProjectionLeases = "es_projection_leases";

    // SQLite's primary result codes the tool turns into its own exit codes.
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteCorrupt = 11;
    private const int SqliteCantOpen = 14;
    private const int SqliteNotADatabase = 26;

    /// <summary>Opens the store read-only and checks that <paramref name="tables"/> exist.</summary>
    /// <param name="target">A SQLite file's path, or a PostgreSQL connection string.</param>
    /// <param name="schema">The PostgreSQL schema (<c>public</c> when null); a SQLite file has none.</param>
    /// <param name="busyTimeout">How long to wait for another connection's lock.</param>
    /// <param name="tables">The tables the command reads, which must exist.</param>
    /// <param name="cancellationToken">Cancels the opening.</param>
    /// <exception cref="CliException">The store is missing, not a database, or lacks a table (exit code 2), or is busy (4).</exception>
    public static Task<StoreConnection> OpenReadOnlyAsync(string target, string? schema, TimeSpan busyTimeout, IReadOnlyList<string> tables, CancellationToken cancellationToken)
        => IsPostgreSql(target)
            ? OpenPostgreSqlAsync(target, schema, readOnly: true, busyTimeout, tables, cancellationToken)
            : OpenSqliteAsync(target, schema, SqliteOpenMode.ReadOnly, busyTimeout, tables, cancellationToken);

    /// <summary>Opens the store for writing (a SQLite file with <c>Mode=ReadWrite</c>: an absent file is an error, never created).</summary>
    /// <exception cref="CliException">As <see cref="OpenReadOnlyAsync"/>.</exception>
    public static Task<StoreConnection> OpenReadWriteAsync(string target, string? schema, TimeSpan busyTimeout, IReadOnlyList<string> tables, CancellationToken cancellationToken)
        => IsPostgreSql(target)
            ? OpenPostgreSqlAsync(target, schema, readOnly: false, busyTimeout, tables, cancellationToken)
            : OpenSqliteAsync(target, schema, SqliteOpenMode.ReadWrite, busyTimeout, tables, cancellationToken);

    /// <summary>Whether the command line names a PostgreSQL database (a connection string with a host) rather than a file.</summary>
    public static bool IsPostgreSql(string target)
        => target.Contains('=', StringComparison.Ordinal)
           && target.Split(';').Any(part => part.TrimStart().StartsWith("Host=", StringComparison.OrdinalIgnoreCase) || part.TrimStart().StartsWith("Server=", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The exit code and message for a failure of PostgreSQL: busy (a lock or statement timeout: 4), a server that
    /// cannot be reached or a database that cannot be opened (2), or <c>null</c> for anything else.
    /// </summary>
    public static CliException? Translate(NpgsqlException exception, string target)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var where = IsPostgreSql(target) ? Describe(new NpgsqlConnectionStringBuilder(target), null) : $"'{target}'";
        return exception switch
        {
            PostgresException { SqlState: "55P03" or "57014" } busy => new CliException(ExitCodes.Busy, $"The {where} is busy: {busy.MessageText.TrimEnd('.')}. Try again, or give a longer --busy-timeout."),
            PostgresException { SqlState: "3D000" or "28P01" or "28000" or "42501" } refused => new CliException(ExitCodes.NotAStore, $"The {where} cannot be opened: {refused.MessageText.TrimEnd('.')}."),
            { InnerException: SocketException or TimeoutException } => new CliException(ExitCodes.NotAStore, $"The {where} cannot be reached: {exception.Message.TrimEnd('.')}."),
            _ => null,
        };
    }

    /// <summary>
    /// The exit code and message for a failure of SQLite: busy (4), not a database (2), or <c>null</c> for anything
    /// else (the caller reports it as a failure).
    /// </summary>
    public static CliException? Translate(SqliteException exception, string path)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return (exception.SqliteErrorCode & 0xFF) switch
        {
            SqliteBusy or SqliteLocked => new CliException(ExitCodes.Busy, $"The database '{path}' is busy: another connection held its lock for longer than the busy timeout ({exception.Message.TrimEnd('.')}). Try again, or give a longer --busy-timeout."),
            SqliteNotADatabase or SqliteCorrupt => new CliException(ExitCodes.NotAStore, $"'{path}' is not an EventSourcery database: {exception.Message.TrimEnd('.')}."),
            SqliteCantOpen => new CliException(ExitCodes.NotAStore, $"'{path}' cannot be opened: {exception.Message.TrimEnd('.')}."),
            _ => null,
        };
    }

    private static async Task<StoreConnection> OpenPostgreSqlAsync(string connectionString, string? schema, bool readOnly, TimeSpan busyTimeout, IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            // No pool: the tool's one connection closes with it.
            builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = "eventsourcery" };
        }
        catch (ArgumentException ex)
        {
            throw new CliException(ExitCodes.Usage, $"The connection string is not one PostgreSQL accepts: {ex.Message}");
        }

        schema ??= "public";
        var store = new StoreConnection(new NpgsqlConnection(builder.ConnectionString), Describe(builder, schema), schema);
        try
        {
            await store.Connection.OpenAsync(cancellationToken).ConfigureAwait(false);

            // The busy timeout as PostgreSQL's lock timeout; a command that only looks cannot change anything.
            var milliseconds = (long)Math.Ceiling(busyTimeout.TotalMilliseconds);
            await using (var settings = store.Command(string.Create(CultureInfo.InvariantCulture, $"SET lock_timeout = {milliseconds};{(readOnly ? " SET default_transaction_read_only = on;" : "")}")))
            {
                await settings.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await RequireTablesAsync(store, tables, cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static string Describe(NpgsqlConnectionStringBuilder builder, string? schema)
        => string.Create(CultureInfo.InvariantCulture, $"PostgreSQL database '{builder.Database ?? builder.Username}' on {builder.Host}:{builder.Port}{(schema is null ? "" : $", schema '{schema}'")}");

    private static async Task RequireTablesAsync(StoreConnection store, IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        foreach (var table in tables)
        {
            if (!await store.HasTableAsync(table, null, cancellationToken).ConfigureAwait(false))
            {
                throw new CliException(ExitCodes.NotAStore, store.IsPostgreSql
                    ? $"The {store.Description} is not an EventSourcery store: it has no table {table}."
                    : $"'{store.Description}' is not an EventSourcery database: it has no table {table}.");
            }
        }
    }

    private static async Task<StoreConnection> OpenSqliteAsync(string path, string? schema, SqliteOpenMode mode, TimeSpan busyTimeout, IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        if (schema is not null)
        {
            throw new CliException(ExitCodes.Usage, "--schema is for a PostgreSQL store; a SQLite file has no schemas.");
        }

        if (Directory.Exists(path))
        {
            throw new CliException(ExitCodes.NotAStore, $"'{path}' is a directory, not an EventSourcery database file.");
        }

        if (!File.Exists(path))
        {
            throw new CliException(ExitCodes.NotAStore, $"The file '{path}' does not exist.");
        }

        var milliseconds = (long)Math.Ceiling(busyTimeout.TotalMilliseconds);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = mode,

            // No pool: the tool's one connection closes with it, so it leaves no handle on the file.
            Pooling = false,

            // Microsoft.Data.Sqlite retries a busy statement until its command timeout (in whole seconds; 0 would wait
            // forever), on top of SQLite's busy_timeout below: keep it at least 1 s and no longer than asked otherwise.
            DefaultTimeout = (int)Math.Max(1, Math.Ceiling(busyTimeout.TotalSeconds)),
        }.ToString();

        var store = new StoreConnection(new SqliteConnection(connectionString), path, schema: null);
        try
        {
            await store.Connection.OpenAsync(cancellationToken).ConfigureAwait(false);

            // A pragma takes no parameter; the value is a number the tool computed.
            await using (var pragma = store.Command(string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {milliseconds};")))
            {
                await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await RequireTablesAsync(store, tables, cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
