using System.Data.Common;
using System.Globalization;
using EventSourcery.Relational.Schema;
using EventSourcery.Relational.Storage;
using Microsoft.Data.Sqlite;

namespace EventSourcery.Sqlite.Storage;

/// <summary>
/// Every piece of SQLite-specific SQL the store runs, and the mapping of SQLite errors to what they mean for it.
/// All values are bound as parameters. The logic around the statements is <see cref="RelationalEventStore"/>'s, the
/// same for every provider.
/// </summary>
internal sealed partial class SqliteStorage : RelationalStorage
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
    internal const string EventIdIndex = Tables.EventIdIndex;

    /// <summary>The index of a view's events in position order: what <see cref="ReadAllPageSql"/> and <see cref="ReadHeadPositionSql"/> walk.</summary>
    internal const string EventsByTenantIndex = Tables.EventsByTenantIndex;

    private const string InsertOutboxSql = """
        INSERT INTO es_outbox (position, tenant_id, category, stream_id, stream_name, version, event_id, event_name, schema_version, payload, metadata, created_at, recorded_at, attempts)
        VALUES ($position, $tenant, $category, $stream_id, $name, $version, $event_id, $event_name, $schema_version, $payload, $metadata, $created_at, $recorded_at, 0);
        """;

    /// <summary>
    /// The query of <see cref="ReadStreamEventsPageAsync"/> (internal so that tests can check its plan): the stream by
    /// its identity, then the columns of its events that rebuilding an aggregate needs, by version.
    /// </summary>
    internal static readonly string ReadStreamEventsPageSql = string.Create(CultureInfo.InvariantCulture, $"""
        SELECT e.position, e.version, e.event_id, e.event_name, e.schema_version, e.payload, e.metadata, e.created_at
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
    internal const string OutboxHeldFilter = Tables.OutboxHeldFilter;

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

    /// <inheritdoc />
    public override string DbSystem => "sqlite";

    /// <inheritdoc />
    public override bool IsUniqueViolation(DbException exception) => exception is SqliteException ex && IsUniqueViolation(ex);

    /// <inheritdoc />
    public override bool IsEventIdViolation(DbException exception) => exception is SqliteException ex && IsEventIdViolation(ex);

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
