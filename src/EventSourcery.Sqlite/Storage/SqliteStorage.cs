using System.Globalization;
using EventSourcery.Serialization;
using EventSourcery.Sqlite.Schema;
using EventSourcery.Storage;
using Microsoft.Data.Sqlite;

namespace EventSourcery.Sqlite.Storage;

/// <summary>Identifies a stream row: the tenant ('' for the default view), category ('' for none), guid and optional name.</summary>
internal readonly record struct StreamKey(string TenantId, string Category, Guid StreamGuid, string? Name)
{
    public static StreamKey From(StreamId id, string tenantId) => new(tenantId, id.Category ?? "", id.Value, id.Name);
}

/// <summary>A stream row found by <see cref="SqliteStorage.FindStreamAsync"/>, with the name it was created with.</summary>
internal readonly record struct StreamState(long Key, long Version, string? Name);

/// <summary>
/// An event row as read, before it is turned into a <see cref="RecordedEvent"/>: values that can be corrupt are kept
/// raw so that the failure surfaces at that row, naming it, and not for the whole page.
/// </summary>
internal sealed record StoredEventRow(
    long Position,
    long Version,
    string? EventId,
    string? EventName,
    long SchemaVersion,
    byte[]? Payload,
    byte[]? Metadata,
    string? CreatedAt,
    string? RecordedAt,
    string? TenantId,
    string? Category,
    string? StreamGuid,
    string? StreamName);

/// <summary>
/// An event row read to rebuild an aggregate (<see cref="SqliteStorage.ReadStreamEventsPageAsync"/>): only what that
/// needs, and the position to name the row by if it cannot be read.
/// </summary>
internal readonly record struct StoredStreamEventRow(long Position, long Version, string? EventId, string? EventName, byte[]? Payload, byte[]? Metadata, string? CreatedAt);

/// <summary>
/// An outbox row as read: the event's copy (as in <see cref="StoredEventRow"/>, with the stream columns of the row
/// itself) and its delivery state, kept raw like the event's values.
/// </summary>
internal sealed record StoredOutboxRow(long Id, StoredEventRow Event, long Attempts, string? LastError, long? RetryAtTicks, string? DeadLetteredAt);

/// <summary>
/// One page of a read: its rows, and whether more may follow (the page reached its row limit, or its byte budget, see
/// <see cref="SqliteEventStoreOptions.PageBytes"/>). A page that is not full was the last one.
/// </summary>
internal readonly record struct RowPage<T>(List<T> Rows, bool Full);

/// <summary>A snapshot row as read; values that can be corrupt are kept raw, as in <see cref="StoredEventRow"/>.</summary>
internal sealed record StoredSnapshotRow(long Version, string? EventId, string? Type, string? Fingerprint, byte[]? Payload);

/// <summary>
/// Every piece of SQLite-specific SQL the store runs, and the mapping of SQLite errors to what they mean for it.
/// All values are bound as parameters. A relational store for another provider replaces this class and keeps
/// <see cref="SqliteEventStore"/>'s logic.
/// </summary>
internal static class SqliteStorage
{
    private const int SqliteError = 1;
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteReadOnly = 8;
    private const int SqliteConstraint = 19;
    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteConstraintUnique = 2067;

    /// <summary>
    /// Events per page of <see cref="ReadStreamPageAsync"/> and <see cref="ReadAllPageAsync"/>. A literal in their SQL:
    /// SQLite compiles a statement whose <c>LIMIT</c> is a bound parameter again on every run (the value may change the
    /// plan), a literal one once.
    /// </summary>
    internal const int PageSize = 500;

    // An event's columns, in the order ReadEventRow reads them (ordinals 0 to 8)...
    private const string EventColumns =
        "e.position, e.version, e.event_id, e.event_name, e.schema_version, e.payload, e.metadata, e.created_at, e.recorded_at";

    // ...then its stream's (ordinals 9 to 12), where the reader does not know the stream.
    private const string StreamColumns = "s.tenant_id, s.category, s.stream_id, s.name";

    /// <summary>The query of <see cref="ReadStreamPageAsync"/> (internal so that tests can check its plan): the stream by its identity, then its events by version.</summary>
    /// <remarks>The caller knows the stream: of its columns only the name is read (ordinal 9).</remarks>
    internal static readonly string ReadStreamPageSql = string.Create(CultureInfo.InvariantCulture, $"""
        SELECT {EventColumns}, s.name
        FROM es_events e JOIN es_streams s ON s.stream_key = e.stream_key
        WHERE s.tenant_id = $tenant AND s.category = $category AND s.stream_id = $stream_id
          AND e.version >= $from AND e.version <= $to
        ORDER BY e.version
        LIMIT {PageSize};
        """);

    private const string InsertEventSql = """
        INSERT INTO es_events (stream_key, version, event_id, event_name, schema_version, payload, metadata, created_at, recorded_at, tenant_id)
        VALUES ($stream_key, $version, $event_id, $event_name, $schema_version, $payload, $metadata, $created_at, $recorded_at, $tenant)
        RETURNING position;
        """;

    /// <summary>The unique index of event ids: an id is stored once per database, across tenants.</summary>
    internal const string EventIdIndex = "ux_es_events_event_id";

    /// <summary>The index of a view's events in position order: what <see cref="ReadAllPageSql"/> and <see cref="ReadHeadPositionSql"/> walk.</summary>
    internal const string EventsByTenantIndex = "ix_es_events_tenant_position";

    private const string InsertOutboxSql = """
        INSERT INTO es_outbox (position, tenant_id, category, stream_id, stream_name, version, event_id, event_name, schema_version, payload, metadata, created_at, recorded_at, attempts)
        VALUES ($position, $tenant, $category, $stream_id, $name, $version, $event_id, $event_name, $schema_version, $payload, $metadata, $created_at, $recorded_at, 0);
        """;

    /// <summary>
    /// The query of <see cref="ReadStreamEventsPageAsync"/> (internal so that tests can check its plan): the stream by
    /// its identity, then the columns of its events that rebuilding an aggregate needs, by version.
    /// </summary>
    internal static readonly string ReadStreamEventsPageSql = string.Create(CultureInfo.InvariantCulture, $"""
        SELECT e.position, e.version, e.event_id, e.event_name, e.payload, e.metadata, e.created_at
        FROM es_events e JOIN es_streams s ON s.stream_key = e.stream_key
        WHERE s.tenant_id = $tenant AND s.category = $category AND s.stream_id = $stream_id AND e.version >= $from
        ORDER BY e.version
        LIMIT {PageSize};
        """);

    /// <summary>The query of <see cref="ReadAllPageAsync"/> (internal so that tests can check its plan).</summary>
    /// <remarks>
    /// The view's events are walked in position order along <see cref="EventsByTenantIndex"/> from <c>$after</c> (so it
    /// stops at the limit and never touches another tenant's events), each one's stream looked up by its primary key.
    /// <c>CROSS JOIN</c> keeps SQLite from starting at the streams' side.
    /// </remarks>
    internal static readonly string ReadAllPageSql = string.Create(CultureInfo.InvariantCulture, $"""
        SELECT {EventColumns}, {StreamColumns}
        FROM es_events e CROSS JOIN es_streams s ON s.stream_key = e.stream_key
        WHERE e.tenant_id = $tenant AND e.position > $after
        ORDER BY e.position
        LIMIT {PageSize};
        """);

    /// <summary>
    /// Which outbox rows can block their stream: failed (a retry time), dead-lettered or claimed. The filter of the
    /// partial index <c>ix_es_outbox_held</c>; the claim repeats it word for word (on its alias) so that SQLite sees the
    /// index applies.
    /// </summary>
    internal const string OutboxHeldFilter = "dead_lettered_at IS NOT NULL OR retry_at IS NOT NULL OR claimed_by IS NOT NULL";

    // An outbox row's event columns in the order of EventColumns (so ReadEventRow reads both), then its delivery state.
    private const string OutboxColumns =
        "position, version, event_id, event_name, schema_version, payload, metadata, created_at, recorded_at, tenant_id, category, stream_id, stream_name, id, attempts, last_error, retry_at, dead_lettered_at";

    /// <summary>
    /// The statement of <see cref="ClaimOutboxAsync"/> (internal so that tests can check its plan). It walks the view's
    /// entries in id order (<c>ix_es_outbox_tenant</c>) and keeps those whose stream has no entry that is
    /// dead-lettered, waiting for a retry, or claimed by a runner (any, the claiming one too) with a lease still running: each candidate's
    /// stream is looked up in <c>ix_es_outbox_held</c>, which holds only such entries (its filter is the first
    /// parenthesis). Of the first <c>$limit</c> it keeps those that start within <c>$max_bytes</c> of payload and
    /// metadata (<c>length</c> of a blob reads no content), so a claim holds about that many bytes however large the
    /// events; it marks them as claimed and returns them, in no particular order.
    /// </summary>
    internal const string ClaimOutboxSql = $"""
        UPDATE es_outbox
        SET claimed_by = $runner, lease_until = $lease_until
        WHERE tenant_id = $tenant AND id IN (
            SELECT id
            FROM (
                SELECT c.id, SUM(c.size) OVER (ORDER BY c.id ROWS UNBOUNDED PRECEDING) - c.size AS before
                FROM (
                    SELECT o.id, length(o.payload) + ifnull(length(o.metadata), 0) AS size
                    FROM es_outbox o
                    WHERE o.tenant_id = $tenant
                      AND NOT EXISTS (
                          SELECT 1
                          FROM es_outbox b
                          WHERE b.tenant_id = o.tenant_id AND b.category = o.category AND b.stream_id = o.stream_id
                            AND (b.dead_lettered_at IS NOT NULL OR b.retry_at IS NOT NULL OR b.claimed_by IS NOT NULL)
                            AND (b.dead_lettered_at IS NOT NULL OR b.retry_at > $now OR b.lease_until > $now))
                    ORDER BY o.id
                    LIMIT $limit) c)
            WHERE before < $max_bytes)
        RETURNING {OutboxColumns};
        """;

    /// <summary>The query of <see cref="ReadDeadLettersAsync"/> (internal so that tests can check its plan).</summary>
    internal const string ReadDeadLettersSql = $"""
        SELECT {OutboxColumns}
        FROM es_outbox
        WHERE tenant_id = $tenant AND dead_lettered_at IS NOT NULL
        ORDER BY id;
        """;

    /// <summary>The query of <see cref="CountOutboxAsync"/> (internal so that tests can check its plan).</summary>
    internal const string CountOutboxSql = "SELECT COUNT(*) FROM es_outbox WHERE tenant_id = $tenant;";

    /// <summary>
    /// The query of <see cref="ReadHeadPositionAsync"/> (internal so that tests can check its plan): the position of the
    /// view's last still-stored event, or 0, from the end of <see cref="EventsByTenantIndex"/> (one index probe). A
    /// deleted stream's events are deleted with it, so they do not count.
    /// </summary>
    internal const string ReadHeadPositionSql = "SELECT COALESCE(MAX(position), 0) FROM es_events WHERE tenant_id = $tenant;";

    /// <summary>The query of <see cref="LoadCheckpointAsync"/> (internal so that tests can check its plan).</summary>
    internal const string LoadCheckpointSql = "SELECT position FROM es_checkpoints WHERE tenant_id = $tenant AND name = $name;";

    /// <summary>The database is locked by another connection (or a conflicting snapshot); retrying later may succeed.</summary>
    public static bool IsBusy(SqliteException ex) => (ex.SqliteErrorCode & 0xFF) is SqliteBusy or SqliteLocked;

    /// <summary>The database cannot be written: opened read-only, or a read-only file, directory or medium.</summary>
    public static bool IsReadOnly(SqliteException ex) => (ex.SqliteErrorCode & 0xFF) == SqliteReadOnly;

    /// <summary>
    /// A unique or primary-key constraint failed: in the store's writes that means another writer created the same
    /// stream or the same (stream, version) first, i.e. a lost race.
    /// </summary>
    public static bool IsUniqueViolation(SqliteException ex)
        => (ex.SqliteErrorCode & 0xFF) == SqliteConstraint
           && ex.SqliteExtendedErrorCode is SqliteConstraintUnique or SqliteConstraintPrimaryKey;

    /// <summary>Sets the connection-level pragmas of a store that owns its connection.</summary>
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
        using var command = Create(connection, transaction, "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ($streams, $events, $outbox, $snapshots, $checkpoints, $leases);");
        command.Parameters.AddWithValue("$streams", Tables.Streams);
        command.Parameters.AddWithValue("$events", Tables.Events);
        command.Parameters.AddWithValue("$outbox", Tables.Outbox);
        command.Parameters.AddWithValue("$snapshots", Tables.Snapshots);
        command.Parameters.AddWithValue("$checkpoints", Tables.Checkpoints);
        command.Parameters.AddWithValue("$leases", Tables.ProjectionLeases);
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
    /// <see cref="Schema.SchemaCreator.EnsureCreatedAsync"/>, which looks again under the lock.
    /// </summary>
    public static async Task<bool> SchemaIsCurrentAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        using var command = Create(connection, transaction, """
            SELECT (SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ($streams, $events, $outbox, $snapshots, $checkpoints, $leases))
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
        var found = (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        return found == Tables.All.Length + 2;
    }

    /// <summary>
    /// The unique index of event ids in <c>es_events</c> that the message of its violation names.
    /// </summary>
    public static bool IsEventIdViolation(SqliteException ex)
        => IsUniqueViolation(ex) && ex.Message.Contains("es_events.event_id", StringComparison.Ordinal);

    /// <summary>
    /// A statement named a table or column of the store that the database does not have: the file was replaced or its
    /// tables dropped since the schema was last found in place.
    /// </summary>
    public static bool IsMissingSchema(SqliteException ex)
        => (ex.SqliteErrorCode & 0xFF) == SqliteError
           && (ex.Message.Contains("no such table: es_", StringComparison.Ordinal) || ex.Message.Contains("no such column", StringComparison.Ordinal));

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

    /// <summary>
    /// Where each of <paramref name="events"/>' ids is stored, in any tenant (null for an id that is not): for telling a
    /// retried append from a reused id. One index probe per event; only failed appends ask.
    /// </summary>
    public static async Task<StoredEventId?[]> FindEventIdsAsync(CommandCache commands, SqliteTransaction? transaction, StreamKey stream, IReadOnlyList<Event> events, CancellationToken cancellationToken)
    {
        var command = commands.Get(transaction, """
            SELECT e.version, e.position, s.tenant_id, s.category, s.stream_id
            FROM es_events e JOIN es_streams s ON s.stream_key = e.stream_key
            WHERE e.event_id = $event_id;
            """, static p => p.Add("$event_id", SqliteType.Text));
        var found = new StoredEventId?[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            command.Parameters[0].Value = StoredValues.FormatGuid(events[i].Id);
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            var tenant = reader.GetString(2);
            var category = reader.GetString(3);
            var guid = StoredValues.ParseGuid(reader.GetString(4));
            var id = new StreamId(guid, category.Length == 0 ? null : category);
            var same = tenant == stream.TenantId && category == stream.Category && guid == stream.StreamGuid;
            found[i] = new StoredEventId(id, same, reader.GetInt64(0), reader.GetInt64(1));
        }

        return found;
    }

    /// <summary>Runs a statement without results: DDL generated from the EF model, or a pragma.</summary>
    public static async Task ExecuteDdlAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        using var command = Create(connection, transaction, sql);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The stream's row, or null when the stream does not exist.</summary>
    public static async Task<StreamState?> FindStreamAsync(CommandCache commands, SqliteTransaction? transaction, StreamKey stream, CancellationToken cancellationToken)
    {
        var command = commands.Get(transaction, "SELECT stream_key, version, name FROM es_streams WHERE tenant_id = $tenant AND category = $category AND stream_id = $stream_id;", DeclareStreamKey);
        SetStreamKey(command.Parameters, stream);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new StreamState(reader.GetInt64(0), reader.GetInt64(1), TextOrNull(reader, 2))
            : null;
    }

    /// <summary>Creates the stream's row at <paramref name="version"/> and returns its key.</summary>
    /// <exception cref="SqliteException">A unique violation when another writer created the stream first.</exception>
    public static async Task<long> InsertStreamAsync(CommandCache commands, SqliteTransaction? transaction, StreamKey stream, long version, CancellationToken cancellationToken)
    {
        var command = commands.Get(transaction, "INSERT INTO es_streams (tenant_id, category, stream_id, name, version) VALUES ($tenant, $category, $stream_id, $name, $version) RETURNING stream_key;");
        AddStreamKey(command, stream);
        command.Parameters.AddWithValue("$name", (object?)stream.Name ?? DBNull.Value);
        command.Parameters.AddWithValue("$version", version);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>Moves the stream from <paramref name="expected"/> to <paramref name="version"/>; false when it was not at <paramref name="expected"/>.</summary>
    public static async Task<bool> UpdateStreamVersionAsync(CommandCache commands, SqliteTransaction? transaction, long streamKey, long expected, long version, CancellationToken cancellationToken)
    {
        var command = commands.Get(transaction, "UPDATE es_streams SET version = $version WHERE stream_key = $key AND version = $expected;");
        command.Parameters.AddWithValue("$version", version);
        command.Parameters.AddWithValue("$key", streamKey);
        command.Parameters.AddWithValue("$expected", expected);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>
    /// Inserts the events with versions from <paramref name="firstVersion"/> and an outbox row for each event whose
    /// flag in <paramref name="toOutbox"/> is set (none when it is null). Returns the position of the last event, and
    /// fills <paramref name="positions"/> (when given) with every event's position.
    /// </summary>
    /// <exception cref="SqliteException">A unique violation when another writer took one of the versions first.</exception>
    public static async Task<long> InsertEventsAsync(
        CommandCache commands,
        SqliteTransaction? transaction,
        StreamKey stream,
        long streamKey,
        long firstVersion,
        IReadOnlyList<Event> events,
        SerializedEvent[] serialized,
        DateTimeOffset recordedAt,
        bool[]? toOutbox,
        long[]? positions,
        CancellationToken cancellationToken)
    {
        var recordedAtText = StoredValues.FormatTime(recordedAt);

        // One cached statement per table (compiled once per store), re-bound for every event of the batch. The
        // parameters are declared when the command is made and set by position below.
        var insert = commands.Get(transaction, InsertEventSql, static p =>
        {
            p.Add("$stream_key", SqliteType.Integer);
            p.Add("$version", SqliteType.Integer);
            p.Add("$event_id", SqliteType.Text);
            p.Add("$event_name", SqliteType.Text);
            p.Add("$schema_version", SqliteType.Integer);
            p.Add("$payload", SqliteType.Text);
            p.Add("$metadata", SqliteType.Text);
            p.Add("$created_at", SqliteType.Text);
            p.Add("$recorded_at", SqliteType.Text);
            p.Add("$tenant", SqliteType.Text);
        });
        var e = insert.Parameters;
        e[0].Value = streamKey;
        e[8].Value = recordedAtText;
        e[9].Value = stream.TenantId;

        SqliteParameterCollection? o = null;
        SqliteCommand? outbox = null;
        if (toOutbox is not null && Array.IndexOf(toOutbox, true) >= 0)
        {
            outbox = commands.Get(transaction, InsertOutboxSql, static p =>
            {
                p.Add("$position", SqliteType.Integer);
                p.Add("$tenant", SqliteType.Text);
                p.Add("$category", SqliteType.Text);
                p.Add("$stream_id", SqliteType.Text);
                p.Add("$name", SqliteType.Text);
                p.Add("$version", SqliteType.Integer);
                p.Add("$event_id", SqliteType.Text);
                p.Add("$event_name", SqliteType.Text);
                p.Add("$schema_version", SqliteType.Integer);
                p.Add("$payload", SqliteType.Text);
                p.Add("$metadata", SqliteType.Text);
                p.Add("$created_at", SqliteType.Text);
                p.Add("$recorded_at", SqliteType.Text);
            });
            o = outbox.Parameters;
            o[1].Value = stream.TenantId;
            o[2].Value = stream.Category;
            o[3].Value = StoredValues.FormatGuid(stream.StreamGuid);
            o[4].Value = (object?)stream.Name ?? DBNull.Value;
            o[12].Value = recordedAtText;
        }

        long position = 0;
        for (var i = 0; i < events.Count; i++)
        {
            var version = firstVersion + i;
            var eventId = StoredValues.FormatGuid(events[i].Id);
            var createdAt = StoredValues.FormatTime(events[i].CreatedAt);
            object metadata = (object?)serialized[i].Metadata ?? DBNull.Value;
            e[1].Value = version;
            e[2].Value = eventId;
            e[3].Value = serialized[i].Type.Name;
            e[4].Value = serialized[i].Type.SchemaVersion;
            e[5].Value = serialized[i].Payload;
            e[6].Value = metadata;
            e[7].Value = createdAt;
            position = (long)(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            if (positions is not null)
            {
                positions[i] = position;
            }

            if (o is not null && toOutbox![i])
            {
                o[0].Value = position;
                o[5].Value = version;
                o[6].Value = eventId;
                o[7].Value = serialized[i].Type.Name;
                o[8].Value = serialized[i].Type.SchemaVersion;
                o[9].Value = serialized[i].Payload;
                o[10].Value = metadata;
                o[11].Value = createdAt;
                await outbox!.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return position;
    }

    /// <summary>
    /// Deletes the stream's snapshot, its events and its row (children first, so the foreign keys hold at every
    /// step). Outbox rows stay: their publication was promised at commit.
    /// </summary>
    public static async Task DeleteStreamAsync(CommandCache commands, SqliteTransaction? transaction, long streamKey, CancellationToken cancellationToken)
    {
        var command = commands.Get(transaction, "DELETE FROM es_snapshots WHERE stream_key = $key; DELETE FROM es_events WHERE stream_key = $key; DELETE FROM es_streams WHERE stream_key = $key;");
        command.Parameters.AddWithValue("$key", streamKey);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Up to <see cref="PageSize"/> events (and about <paramref name="pageBytes"/> bytes) of one stream with versions in [<paramref name="fromVersion"/>, <paramref name="toVersion"/>], in version order (without their stream's columns but its name).</summary>
    public static async Task<RowPage<StoredEventRow>> ReadStreamPageAsync(CommandCache commands, SqliteTransaction? transaction, StreamKey stream, long fromVersion, long toVersion, int pageBytes, CancellationToken cancellationToken)
    {
        var command = commands.Get(transaction, ReadStreamPageSql, static p =>
        {
            DeclareStreamKey(p);
            p.Add("$from", SqliteType.Integer);
            p.Add("$to", SqliteType.Integer);
        });
        SetStreamKey(command.Parameters, stream);
        command.Parameters[3].Value = fromVersion;
        command.Parameters[4].Value = toVersion;
        return await ReadRowsAsync(command, streamColumns: false, pageBytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Up to <see cref="PageSize"/> events (and about <paramref name="pageBytes"/> bytes) of one stream from version <paramref name="fromVersion"/>, with only what rebuilding an aggregate needs.</summary>
    public static async Task<RowPage<StoredStreamEventRow>> ReadStreamEventsPageAsync(CommandCache commands, SqliteTransaction? transaction, StreamKey stream, long fromVersion, int pageBytes, CancellationToken cancellationToken)
    {
        var command = commands.Get(transaction, ReadStreamEventsPageSql, static p =>
        {
            DeclareStreamKey(p);
            p.Add("$from", SqliteType.Integer);
        });
        SetStreamKey(command.Parameters, stream);
        command.Parameters[3].Value = fromVersion;
        var rows = new List<StoredStreamEventRow>();
        long bytes = 0;
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (bytes < pageBytes && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            StoredStreamEventRow row;
            try
            {
                // NOT NULL columns read without asking first, as in ReadEventRow; a row breaking that is read again carefully.
                row = new(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<byte[]>(4), reader.IsDBNull(5) ? null : reader.GetFieldValue<byte[]>(5), reader.GetString(6));
            }
            catch (Exception ex) when (ex is InvalidOperationException or InvalidCastException or FormatException)
            {
                row = new(
                    reader.GetInt64(0),
                    reader.GetInt64(1),
                    TextOrNull(reader, 2),
                    TextOrNull(reader, 3),
                    reader.IsDBNull(4) ? null : reader.GetFieldValue<byte[]>(4),
                    reader.IsDBNull(5) ? null : reader.GetFieldValue<byte[]>(5),
                    TextOrNull(reader, 6));
            }

            rows.Add(row);
            bytes += (row.Payload?.Length ?? 0) + (row.Metadata?.Length ?? 0);
        }

        return new(rows, rows.Count == PageSize || bytes >= pageBytes);
    }

    /// <summary>Up to <see cref="PageSize"/> events (and about <paramref name="pageBytes"/> bytes) of the tenant's streams after <paramref name="afterPosition"/>, in position order.</summary>
    public static async Task<RowPage<StoredEventRow>> ReadAllPageAsync(CommandCache commands, SqliteTransaction? transaction, string tenantId, long afterPosition, int pageBytes, CancellationToken cancellationToken)
    {
        var command = commands.Get(transaction, ReadAllPageSql, static p =>
        {
            p.Add("$after", SqliteType.Integer);
            p.Add("$tenant", SqliteType.Text);
        });
        command.Parameters[0].Value = afterPosition;
        command.Parameters[1].Value = tenantId;
        return await ReadRowsAsync(command, streamColumns: true, pageBytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stores the snapshot as the stream's only one, replacing an older row (an upsert keyed by the stream's row).
    /// Returns false, writing nothing, when the stream does not exist.
    /// </summary>
    public static async Task<bool> UpsertSnapshotAsync(CommandCache commands, SqliteTransaction? transaction, StreamKey stream, StoredSnapshot snapshot, DateTimeOffset takenAt, CancellationToken cancellationToken)
    {
        // The stream's key comes from its row in this tenant: no row, nothing inserted. (The WHERE clause also keeps
        // SQLite's parser from reading ON CONFLICT as a join constraint of the SELECT.)
        var command = commands.Get(transaction, """
            INSERT INTO es_snapshots (stream_key, version, event_id, type, fingerprint, payload, taken_at)
            SELECT stream_key, $version, $event_id, $type, $fingerprint, $payload, $taken_at
            FROM es_streams
            WHERE tenant_id = $tenant AND category = $category AND stream_id = $stream_id
            ON CONFLICT (stream_key) DO UPDATE SET
                version = excluded.version,
                event_id = excluded.event_id,
                type = excluded.type,
                fingerprint = excluded.fingerprint,
                payload = excluded.payload,
                taken_at = excluded.taken_at;
            """);
        AddStreamKey(command, stream);
        command.Parameters.AddWithValue("$version", snapshot.Version);
        command.Parameters.AddWithValue("$event_id", StoredValues.FormatGuid(snapshot.EventId));
        command.Parameters.AddWithValue("$type", snapshot.Type);
        command.Parameters.AddWithValue("$fingerprint", snapshot.Fingerprint);
        command.Parameters.Add("$payload", SqliteType.Blob).Value = WholeArray(snapshot.Payload);
        command.Parameters.AddWithValue("$taken_at", StoredValues.FormatTime(takenAt));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    /// <summary>The stream's snapshot row, or null when the stream does not exist or has none.</summary>
    public static async Task<StoredSnapshotRow?> FindSnapshotAsync(CommandCache commands, SqliteTransaction? transaction, StreamKey stream, CancellationToken cancellationToken)
    {
        var command = commands.Get(transaction, """
            SELECT sn.version, sn.event_id, sn.type, sn.fingerprint, sn.payload
            FROM es_streams s JOIN es_snapshots sn ON sn.stream_key = s.stream_key
            WHERE s.tenant_id = $tenant AND s.category = $category AND s.stream_id = $stream_id;
            """);
        AddStreamKey(command, stream);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new StoredSnapshotRow(
            Version: reader.IsDBNull(0) ? 0 : reader.GetInt64(0),
            EventId: TextOrNull(reader, 1),
            Type: TextOrNull(reader, 2),
            Fingerprint: TextOrNull(reader, 3),
            // A BLOB as written, or TEXT put there by hand: both come back as their bytes.
            Payload: reader.IsDBNull(4) ? null : reader.GetFieldValue<byte[]>(4));
    }

    /// <summary>
    /// Claims up to <paramref name="limit"/> of the tenant's deliverable entries for <paramref name="runnerId"/> until
    /// <paramref name="leaseUntilTicks"/> (see <see cref="ClaimOutboxSql"/>) and returns them in id order. Run it in a
    /// write transaction: the walk and the marking then happen under one lock, so two runners never claim one entry.
    /// </summary>
    public static async Task<List<StoredOutboxRow>> ClaimOutboxAsync(CommandCache commands, SqliteTransaction? transaction, string tenantId, string runnerId, int limit, int maxBytes, long nowTicks, long leaseUntilTicks, CancellationToken cancellationToken)
    {
        var command = commands.Get(transaction, ClaimOutboxSql);
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$runner", runnerId);
        command.Parameters.AddWithValue("$now", nowTicks);
        command.Parameters.AddWithValue("$lease_until", leaseUntilTicks);
        command.Parameters.AddWithValue("$limit", limit);
        command.Parameters.AddWithValue("$max_bytes", maxBytes);
        var rows = await ReadOutboxRowsAsync(command, cancellationToken).ConfigureAwait(false);
        rows.Sort((a, b) => a.Id.CompareTo(b.Id)); // RETURNING promises no order
        return rows;
    }

    /// <summary>Deletes a delivered entry of the tenant that <paramref name="runnerId"/> still holds (nothing otherwise).</summary>
    public static async Task CompleteOutboxAsync(CommandCache commands, SqliteTransaction? transaction, string tenantId, string runnerId, long entryId, CancellationToken cancellationToken)
    {
        var command = commands.Get(transaction, "DELETE FROM es_outbox WHERE id = $id AND tenant_id = $tenant AND claimed_by = $runner;");
        command.Parameters.AddWithValue("$id", entryId);
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$runner", runnerId);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes the delivered entries of the tenant among <paramref name="entryIds"/> that <paramref name="runnerId"/> still holds, in one statement.</summary>
    public static async Task CompleteOutboxAsync(CommandCache commands, SqliteTransaction? transaction, string tenantId, string runnerId, IReadOnlyCollection<long> entryIds, CancellationToken cancellationToken)
    {
        var command = commands.Get(transaction, "DELETE FROM es_outbox WHERE tenant_id = $tenant AND claimed_by = $runner AND id IN (SELECT value FROM json_each($ids));");
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$runner", runnerId);
        command.Parameters.AddWithValue("$ids", IdList(entryIds));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Counts a failed attempt of the tenant's entry and ends its claim: it waits until <paramref name="retryAtTicks"/>,
    /// or is dead-lettered at <paramref name="deadLetteredAt"/> when that is given instead. Only while <paramref name="runnerId"/> holds it.
    /// </summary>
    public static async Task FailOutboxAsync(CommandCache commands, SqliteTransaction? transaction, string tenantId, string runnerId, long entryId, string error, long? retryAtTicks, DateTimeOffset? deadLetteredAt, CancellationToken cancellationToken)
    {
        var command = commands.Get(transaction, """
            UPDATE es_outbox
            SET attempts = attempts + 1, last_error = $error, retry_at = $retry_at, dead_lettered_at = $dead_lettered_at, claimed_by = NULL, lease_until = NULL
            WHERE id = $id AND tenant_id = $tenant AND claimed_by = $runner;
            """);
        command.Parameters.AddWithValue("$id", entryId);
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$runner", runnerId);
        command.Parameters.AddWithValue("$error", error);
        command.Parameters.AddWithValue("$retry_at", (object?)retryAtTicks ?? DBNull.Value);
        command.Parameters.AddWithValue("$dead_lettered_at", deadLetteredAt is { } at ? StoredValues.FormatTime(at) : DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends <paramref name="runnerId"/>'s claims on the tenant's entries among <paramref name="entryIds"/>, counting no attempt.</summary>
    public static async Task ReleaseOutboxAsync(CommandCache commands, SqliteTransaction? transaction, string tenantId, string runnerId, IReadOnlyCollection<long> entryIds, CancellationToken cancellationToken)
    {
        var command = commands.Get(transaction, """
            UPDATE es_outbox SET claimed_by = NULL, lease_until = NULL
            WHERE tenant_id = $tenant AND claimed_by = $runner AND id IN (SELECT value FROM json_each($ids));
            """);
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$runner", runnerId);
        command.Parameters.AddWithValue("$ids", IdList(entryIds));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The tenant's dead-lettered entries, in id order.</summary>
    public static async Task<List<StoredOutboxRow>> ReadDeadLettersAsync(CommandCache commands, SqliteTransaction? transaction, string tenantId, CancellationToken cancellationToken)
    {
        var command = commands.Get(transaction, ReadDeadLettersSql);
        command.Parameters.AddWithValue("$tenant", tenantId);
        return await ReadOutboxRowsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Puts the tenant's dead letters among <paramref name="entryIds"/> (all of them when null) back for delivery with
    /// no attempts counted; the last error stays. Returns how many were put back.
    /// </summary>
    public static async Task<int> RetryDeadLettersAsync(CommandCache commands, SqliteTransaction? transaction, string tenantId, IReadOnlyCollection<long>? entryIds, CancellationToken cancellationToken)
    {
        const string Update = "UPDATE es_outbox SET dead_lettered_at = NULL, retry_at = NULL, attempts = 0 WHERE tenant_id = $tenant AND dead_lettered_at IS NOT NULL";
        using var command = Create(commands.Connection, transaction, entryIds is null ? $"{Update};" : $"{Update} AND id IN (SELECT value FROM json_each($ids));");
        command.Parameters.AddWithValue("$tenant", tenantId);
        if (entryIds is not null)
        {
            command.Parameters.AddWithValue("$ids", IdList(entryIds));
        }

        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>How many entries of the tenant are not delivered yet.</summary>
    public static async Task<long> CountOutboxAsync(CommandCache commands, SqliteTransaction? transaction, string tenantId, CancellationToken cancellationToken)
    {
        var command = commands.Get(transaction, CountOutboxSql);
        command.Parameters.AddWithValue("$tenant", tenantId);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>The position of the tenant's last still-stored event, or 0 (see <see cref="ReadHeadPositionSql"/>).</summary>
    public static async Task<long> ReadHeadPositionAsync(CommandCache commands, SqliteTransaction? transaction, string tenantId, CancellationToken cancellationToken)
    {
        var command = commands.Get(transaction, ReadHeadPositionSql);
        command.Parameters.AddWithValue("$tenant", tenantId);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>The position the tenant's projection <paramref name="name"/> has handled up to, or 0 when it has no checkpoint.</summary>
    public static async Task<long> LoadCheckpointAsync(CommandCache commands, SqliteTransaction? transaction, string tenantId, string name, CancellationToken cancellationToken)
    {
        var command = commands.Get(transaction, LoadCheckpointSql);
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$name", name);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long position ? position : 0;
    }

    /// <summary>Stores the tenant's checkpoint of projection <paramref name="name"/> (an upsert keyed by tenant and name).</summary>
    public static async Task SaveCheckpointAsync(CommandCache commands, SqliteTransaction? transaction, string tenantId, string name, long position, DateTimeOffset updatedAt, CancellationToken cancellationToken)
    {
        var command = commands.Get(transaction, """
            INSERT INTO es_checkpoints (tenant_id, name, position, updated_at)
            VALUES ($tenant, $name, $position, $updated_at)
            ON CONFLICT (tenant_id, name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at;
            """);
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$position", position);
        command.Parameters.AddWithValue("$updated_at", StoredValues.FormatTime(updatedAt));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Takes or renews a projection's lease for <paramref name="owner"/> (an upsert that updates only a row the owner
    /// holds or whose lease ended by <paramref name="nowTicks"/>); returns whether the owner holds it now.
    /// </summary>
    public static async Task<bool> TryAcquireProjectionLeaseAsync(CommandCache commands, SqliteTransaction? transaction, string tenantId, string name, string owner, long nowTicks, long untilTicks, CancellationToken cancellationToken)
    {
        var command = commands.Get(transaction, """
            INSERT INTO es_projection_leases (tenant_id, name, owner, lease_until)
            VALUES ($tenant, $name, $owner, $until)
            ON CONFLICT (tenant_id, name) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
            WHERE es_projection_leases.owner = excluded.owner OR es_projection_leases.lease_until <= $now;
            """);
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$owner", owner);
        command.Parameters.AddWithValue("$until", untilTicks);
        command.Parameters.AddWithValue("$now", nowTicks);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Deletes a projection's lease if <paramref name="owner"/> holds it.</summary>
    public static async Task ReleaseProjectionLeaseAsync(CommandCache commands, SqliteTransaction? transaction, string tenantId, string name, string owner, CancellationToken cancellationToken)
    {
        var command = commands.Get(transaction, "DELETE FROM es_projection_leases WHERE tenant_id = $tenant AND name = $name AND owner = $owner;");
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$owner", owner);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Moves the tenant's checkpoint of projection <paramref name="name"/> from <paramref name="expected"/> to
    /// <paramref name="position"/> if it is still there (0 also matches no row); true when it moved.
    /// </summary>
    public static async Task<bool> TrySaveCheckpointAsync(CommandCache commands, SqliteTransaction? transaction, string tenantId, string name, long expected, long position, DateTimeOffset updatedAt, CancellationToken cancellationToken)
    {
        // From nothing: insert, or move a row that says 0. From a position: move only a row that is still there.
        var command = commands.Get(transaction, expected == 0
            ? """
              INSERT INTO es_checkpoints (tenant_id, name, position, updated_at)
              VALUES ($tenant, $name, $position, $updated_at)
              ON CONFLICT (tenant_id, name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at
              WHERE es_checkpoints.position = 0;
              """
            : """
              UPDATE es_checkpoints SET position = $position, updated_at = $updated_at
              WHERE tenant_id = $tenant AND name = $name AND position = $expected;
              """);
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$position", position);
        command.Parameters.AddWithValue("$updated_at", StoredValues.FormatTime(updatedAt));
        if (expected != 0)
        {
            command.Parameters.AddWithValue("$expected", expected);
        }

        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Deletes the tenant's checkpoint of projection <paramref name="name"/>, if it has one.</summary>
    public static async Task DeleteCheckpointAsync(CommandCache commands, SqliteTransaction? transaction, string tenantId, string name, CancellationToken cancellationToken)
    {
        var command = commands.Get(transaction, "DELETE FROM es_checkpoints WHERE tenant_id = $tenant AND name = $name;");
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$name", name);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ids as a JSON array, one parameter however many there are (read back with <c>json_each</c>).</summary>
    private static string IdList(IReadOnlyCollection<long> ids)
        => "[" + string.Join(',', ids.Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]";

    private static async Task<List<StoredOutboxRow>> ReadOutboxRowsAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<StoredOutboxRow>();
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new StoredOutboxRow(
                Id: reader.GetInt64(13),
                Event: ReadEventRow(reader, streamColumns: true),
                Attempts: reader.IsDBNull(14) ? 0 : reader.GetInt64(14),
                LastError: TextOrNull(reader, 15),
                RetryAtTicks: reader.IsDBNull(16) ? null : reader.GetInt64(16),
                DeadLetteredAt: TextOrNull(reader, 17)));
        }

        return rows;
    }

    private static byte[] WholeArray(ReadOnlyMemory<byte> memory)
        => System.Runtime.InteropServices.MemoryMarshal.TryGetArray(memory, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : memory.ToArray();

    /// <summary>
    /// The command's event rows, up to its <c>LIMIT</c> or until they hold <paramref name="pageBytes"/> bytes of payload
    /// and metadata (the row that reaches the budget is the page's last; rows after it are never read).
    /// </summary>
    private static async Task<RowPage<StoredEventRow>> ReadRowsAsync(SqliteCommand command, bool streamColumns, int pageBytes, CancellationToken cancellationToken)
    {
        var rows = new List<StoredEventRow>();
        long bytes = 0;
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (bytes < pageBytes && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var row = ReadEventRow(reader, streamColumns);
            rows.Add(row);
            bytes += (row.Payload?.Length ?? 0) + (row.Metadata?.Length ?? 0);
        }

        return new(rows, rows.Count == PageSize || bytes >= pageBytes);
    }

    /// <summary>
    /// The event of the reader's current row: <see cref="EventColumns"/> (ordinals 0 to 8), then
    /// <see cref="StreamColumns"/> (9 to 12) when <paramref name="streamColumns"/>, or else only the stream's name (9).
    /// </summary>
    /// <remarks>
    /// The columns the schema makes NOT NULL are read without asking first (each question is a call into SQLite); a row
    /// where one is NULL anyway (written by hand, say) makes the read throw, and is then read again column by column,
    /// so that the failure surfaces for that row, naming it, when it is materialized.
    /// </remarks>
    private static StoredEventRow ReadEventRow(SqliteDataReader reader, bool streamColumns)
    {
        try
        {
            return new(
                Position: reader.GetInt64(0),
                Version: reader.GetInt64(1),
                EventId: reader.GetString(2),
                EventName: reader.GetString(3),
                SchemaVersion: reader.GetInt64(4),
                // SQLite hands TEXT back as its UTF-8 bytes: the JSON goes to the deserializer without a string in between.
                Payload: reader.GetFieldValue<byte[]>(5),
                Metadata: reader.IsDBNull(6) ? null : reader.GetFieldValue<byte[]>(6),
                CreatedAt: reader.GetString(7),
                RecordedAt: reader.GetString(8),
                TenantId: streamColumns ? reader.GetString(9) : null,
                Category: streamColumns ? reader.GetString(10) : null,
                StreamGuid: streamColumns ? reader.GetString(11) : null,
                StreamName: TextOrNull(reader, streamColumns ? 12 : 9));
        }
        catch (Exception ex) when (ex is InvalidOperationException or InvalidCastException or FormatException)
        {
            return ReadEventRowCarefully(reader, streamColumns);
        }
    }

    /// <summary><see cref="ReadEventRow"/> for a row with NULLs where the schema allows none: each column read as it is.</summary>
    private static StoredEventRow ReadEventRowCarefully(SqliteDataReader reader, bool streamColumns)
        => new(
            Position: reader.GetInt64(0),
            Version: reader.GetInt64(1),
            EventId: TextOrNull(reader, 2),
            EventName: TextOrNull(reader, 3),
            SchemaVersion: reader.IsDBNull(4) ? 0 : reader.GetInt64(4),
            Payload: reader.IsDBNull(5) ? null : reader.GetFieldValue<byte[]>(5),
            Metadata: reader.IsDBNull(6) ? null : reader.GetFieldValue<byte[]>(6),
            CreatedAt: TextOrNull(reader, 7),
            RecordedAt: TextOrNull(reader, 8),
            TenantId: streamColumns ? TextOrNull(reader, 9) : null,
            Category: streamColumns ? TextOrNull(reader, 10) : null,
            StreamGuid: streamColumns ? TextOrNull(reader, 11) : null,
            StreamName: TextOrNull(reader, streamColumns ? 12 : 9));

    private static string? TextOrNull(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>Declares the parameters of a stream's identity, the first three of a cached command (see <see cref="SetStreamKey"/>).</summary>
    private static void DeclareStreamKey(SqliteParameterCollection parameters)
    {
        parameters.Add("$tenant", SqliteType.Text);
        parameters.Add("$category", SqliteType.Text);
        parameters.Add("$stream_id", SqliteType.Text);
    }

    private static void SetStreamKey(SqliteParameterCollection parameters, StreamKey stream)
    {
        parameters[0].Value = stream.TenantId;
        parameters[1].Value = stream.Category;
        parameters[2].Value = StoredValues.FormatGuid(stream.StreamGuid);
    }

    private static void AddStreamKey(SqliteCommand command, StreamKey stream)
    {
        command.Parameters.AddWithValue("$tenant", stream.TenantId);
        command.Parameters.AddWithValue("$category", stream.Category);
        command.Parameters.AddWithValue("$stream_id", StoredValues.FormatGuid(stream.StreamGuid));
    }

    private static SqliteCommand Create(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
#pragma warning disable CA2100 // The SQL is constant text of this class (or DDL generated by EF Core from the model); values are parameters.
        command.CommandText = sql;
#pragma warning restore CA2100
        return command;
    }
}
