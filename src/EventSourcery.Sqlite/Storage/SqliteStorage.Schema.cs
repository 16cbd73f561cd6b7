using System.Globalization;
using EventSourcery.Relational.Schema;
using EventSourcery.Relational.Storage;
using Microsoft.Data.Sqlite;

namespace EventSourcery.Sqlite.Storage;

// The schema: pragmas, which tables exist, the read-only check, upgrades of older files, DDL.
internal sealed partial class SqliteStorage
{
    /// <summary>Sets the connection-level pragmas of a store that owns its connection.</summary>
    /// <inheritdoc />
    public override Task<HashSet<string>> ExistingTablesAsync(RelationalSession session, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
        return ExistingTablesAsync(commands.Connection, transaction, cancellationToken);
    }

    /// <inheritdoc />
    public override Task<bool> SchemaIsCurrentAsync(RelationalSession session, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
        return SchemaIsCurrentAsync(commands.Connection, transaction, cancellationToken);
    }

    /// <inheritdoc />
    public override Task UpgradeEventsTableAsync(RelationalSession session, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
        return UpgradeEventsTableAsync(commands.Connection, transaction, cancellationToken);
    }

    /// <inheritdoc />
    public override Task ExecuteDdlAsync(RelationalSession session, string sql, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
        return ExecuteDdlAsync(commands.Connection, transaction, sql, cancellationToken);
    }

    public static async Task ApplyPragmasAsync(SqliteConnection connection, SqliteEventStoreOptions options, CancellationToken cancellationToken)
    {
        var synchronous = options.Synchronous == SqliteSynchronousMode.Normal ? "NORMAL" : "FULL";
        var busyMilliseconds = ((long)Math.Ceiling(options.BusyTimeout.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);

        // The busy timeout first, so that switching to WAL waits for a connection that is opening the file too.
        // Pragmas take no parameters; the values come from an enum and a number, never from user text.
        await ExecuteDdlAsync(connection, null, $"PRAGMA busy_timeout={busyMilliseconds};", cancellationToken).ConfigureAwait(false);

        // WAL lets readers run beside the single writer; it is a property of the file, so it persists. (An in-memory
        // database answers "memory" and stays usable.)
        await ExecuteDdlAsync(connection, null, "PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
        await ExecuteDdlAsync(connection, null, $"PRAGMA synchronous={synchronous}; PRAGMA foreign_keys=ON;", cancellationToken).ConfigureAwait(false);
        await ExecuteDdlAsync(connection, null, string.Create(CultureInfo.InvariantCulture, $"PRAGMA mmap_size={options.MemoryMapSize};"), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The store's tables that already exist.</summary>
    public static async Task<HashSet<string>> ExistingTablesAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        using var command = Create(connection, transaction, "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ($streams, $events, $outbox, $snapshots, $checkpoints, $leases, $keys);");
        command.Parameters.AddWithValue("$streams", Tables.Streams);
        command.Parameters.AddWithValue("$events", Tables.Events);
        command.Parameters.AddWithValue("$outbox", Tables.Outbox);
        command.Parameters.AddWithValue("$snapshots", Tables.Snapshots);
        command.Parameters.AddWithValue("$checkpoints", Tables.Checkpoints);
        command.Parameters.AddWithValue("$leases", Tables.ProjectionLeases);
        command.Parameters.AddWithValue("$keys", Tables.SubjectKeys);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    /// <summary>
    /// Whether every table of the store exists in its current shape, asked with one read of the schema: no write lock,
    /// so a new store's first read never waits behind a writer. False sends the caller to the write-locked
    /// <see cref="SqliteConnectionHost.CreateMissingTablesAsync"/>, which looks again under the lock.
    /// </summary>
    public static async Task<bool> SchemaIsCurrentAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        using var command = Create(connection, transaction, """
            SELECT (SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ($streams, $events, $outbox, $snapshots, $checkpoints, $leases, $keys))
                 + (SELECT COUNT(*) FROM pragma_table_info('es_events') WHERE name = 'tenant_id')
                 + (SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = $event_ids);
            """);
        command.Parameters.AddWithValue("$event_ids", EventIdIndex);
        command.Parameters.AddWithValue("$streams", Tables.Streams);
        command.Parameters.AddWithValue("$events", Tables.Events);
        command.Parameters.AddWithValue("$outbox", Tables.Outbox);
        command.Parameters.AddWithValue("$snapshots", Tables.Snapshots);
        command.Parameters.AddWithValue("$checkpoints", Tables.Checkpoints);
        command.Parameters.AddWithValue("$leases", Tables.ProjectionLeases);
        command.Parameters.AddWithValue("$keys", Tables.SubjectKeys);
        var found = (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        return found == Tables.All.Length + 2;
    }

    /// <summary>
    /// Adds to an <c>es_events</c> table made before events carried their tenant the <c>tenant_id</c> column (filled from
    /// each event's stream) and <see cref="EventsByTenantIndex"/>; does nothing to a table that has them. Run it in the
    /// schema's write transaction.
    /// </summary>
    /// <exception cref="InvalidOperationException">The table holds one event id more than once, so its ids cannot be made unique; the message names them.</exception>
    public static async Task UpgradeEventsTableAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        bool hasTenant;
        using (var probe = Create(connection, transaction, "SELECT COUNT(*) FROM pragma_table_info('es_events') WHERE name = 'tenant_id';"))
        {
            hasTenant = (long)(await probe.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! > 0;
        }

        if (!hasTenant)
        {
            await ExecuteDdlAsync(connection, transaction, $"""
                ALTER TABLE es_events ADD COLUMN tenant_id TEXT NOT NULL DEFAULT '';
                UPDATE es_events SET tenant_id = (SELECT s.tenant_id FROM es_streams s WHERE s.stream_key = es_events.stream_key)
                WHERE stream_key IN (SELECT stream_key FROM es_streams WHERE tenant_id <> '');
                CREATE INDEX IF NOT EXISTS "{EventsByTenantIndex}" ON es_events (tenant_id, position);
                """, cancellationToken).ConfigureAwait(false);
        }

        using (var probe = Create(connection, transaction, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = $name;"))
        {
            probe.Parameters.AddWithValue("$name", EventIdIndex);
            if ((long)(await probe.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! > 0)
            {
                return;
            }
        }

        // Made before event ids were unique: a file that stored one id twice cannot get the index. Refuse it, naming the
        // ids, rather than open a store whose consumers would drop one of the two events as a duplicate.
        var duplicates = new List<string>();
        using (var find = Create(connection, transaction, "SELECT event_id, group_concat(position, ', ') FROM es_events GROUP BY event_id HAVING COUNT(*) > 1 ORDER BY MIN(position) LIMIT 5;"))
        using (var reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                duplicates.Add($"{reader.GetString(0)} (positions {reader.GetString(1)})");
            }
        }

        if (duplicates.Count > 0)
        {
            throw new InvalidOperationException(
                $"The database's es_events table holds an event id more than once: {string.Join("; ", duplicates)}. Event ids must be unique (the store now enforces it with the index {EventIdIndex}). Give the later copies new ids (UPDATE es_events SET event_id = ... WHERE position = ...), then open the store again.");
        }

        await ExecuteDdlAsync(connection, transaction, $"""CREATE UNIQUE INDEX "{EventIdIndex}" ON es_events (event_id);""", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a statement without results: DDL generated from the EF model, or a pragma.</summary>
    public static async Task ExecuteDdlAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        using var command = Create(connection, transaction, sql);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
