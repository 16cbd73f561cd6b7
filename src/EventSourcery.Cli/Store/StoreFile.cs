using System.Globalization;
using Microsoft.Data.Sqlite;

namespace EventSourcery.Cli.Store;

/// <summary>
/// Opens an EventSourcery SQLite file for the tool: read-only for the commands that look, read-write (never create)
/// for the two that change something, with a busy timeout either way; and checks that the tables a command reads exist.
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

    /// <summary>Opens <paramref name="path"/> read-only (<c>Mode=ReadOnly</c>) and checks that <paramref name="tables"/> exist.</summary>
    /// <exception cref="CliException">The file is missing, not a database, or lacks a table (exit code 2), or is busy (4).</exception>
    public static Task<SqliteConnection> OpenReadOnlyAsync(string path, TimeSpan busyTimeout, IReadOnlyList<string> tables, CancellationToken cancellationToken)
        => OpenAsync(path, SqliteOpenMode.ReadOnly, busyTimeout, tables, cancellationToken);

    /// <summary>Opens <paramref name="path"/> for writing (<c>Mode=ReadWrite</c>: an absent file is an error, never created).</summary>
    /// <exception cref="CliException">As <see cref="OpenReadOnlyAsync"/>.</exception>
    public static Task<SqliteConnection> OpenReadWriteAsync(string path, TimeSpan busyTimeout, IReadOnlyList<string> tables, CancellationToken cancellationToken)
        => OpenAsync(path, SqliteOpenMode.ReadWrite, busyTimeout, tables, cancellationToken);

    /// <summary>Whether <paramref name="table"/> exists in the database.</summary>
    public static async Task<bool> HasTableAsync(SqliteConnection connection, SqliteTransaction? transaction, string table, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $name;";
        command.Parameters.AddWithValue("$name", table);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! > 0;
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

    private static async Task<SqliteConnection> OpenAsync(string path, SqliteOpenMode mode, TimeSpan busyTimeout, IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
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

        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (var pragma = connection.CreateCommand())
            {
                // A pragma takes no parameter; the value is a number the tool computed.
                pragma.CommandText = string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {milliseconds};");
                await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            foreach (var table in tables)
            {
                if (!await HasTableAsync(connection, null, table, cancellationToken).ConfigureAwait(false))
                {
                    throw new CliException(ExitCodes.NotAStore, $"'{path}' is not an EventSourcery database: it has no table {table}.");
                }
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
