using System.Data.Common;
using EventSourcery.Relational.Schema;
using EventSourcery.Relational.Storage;
using EventSourcery.Serialization;
using EventSourcery.Storage;
using Npgsql;
using NpgsqlTypes;

namespace EventSourcery.PostgreSql.Storage;

// Streams and events: where ids are stored, stream rows, inserting events, deleting streams, paged reads.
internal sealed partial class PostgreSqlStorage
{
    // An event's columns, in the order ReadEventRow reads them (ordinals 0 to 8), then its stream's (9 to 12).
    private static readonly string EventColumns = $"e.position, {EventBodyColumns("e")}, e.recorded_at";

    // The repository's lean read: no position (an error names it from a second read, see ReadStreamEventsPageAsync).
    private static readonly string LeanEventColumns = EventBodyColumns("e");

    private const string StreamColumns = "s.tenant_id, s.category, s.stream_id, s.name";

    private string _findStreamSql = "";
    private string _findStreamForWriteSql = "";
    private string _appendSql = "";
    private string _findEventIdsSql = "";
    private string _deleteStreamSql = "";
    private string _findStreamKeySql = "";
    private string _readStreamPageSql = "";
    private string _readStreamEventsPageSql = "";
    private string _readAllPageSql = "";
    private string _readAllBoundInTransactionSql = "";
    private string _readAllBoundOutsideTransactionSql = "";
    private string _readHeadSql = "";

    /// <summary>The statement of <see cref="ReadAllPageAsync"/> (internal so that tests can check its plan).</summary>
    internal string ReadAllPageSql => _readAllPageSql;

    private void InitializeEventStatements()
    {
        _findStreamSql = $"SELECT stream_key, version, name FROM {_streams} WHERE tenant_id = @tenant AND category = @category AND stream_id = @stream_id;";
        _findStreamForWriteSql = $"SELECT pg_advisory_xact_lock_shared(@lock); {_findStreamSql.TrimEnd(';')} FOR UPDATE;";
        _appendSql = OneRoundTripAppendSql();
        _findEventIdsSql = $"""
            SELECT e.event_id, e.version, e.position, s.tenant_id, s.category, s.stream_id
            FROM {_events} e JOIN {_streams} s ON s.stream_key = e.stream_key
            WHERE e.event_id = ANY(@event_ids);
            """;
        _deleteStreamSql = $"DELETE FROM {_snapshots} WHERE stream_key = @key; DELETE FROM {_events} WHERE stream_key = @key; DELETE FROM {_streams} WHERE stream_key = @key;";
        _findStreamKeySql = $"SELECT stream_key FROM {_streams} WHERE tenant_id = @tenant AND category = @category AND stream_id = @stream_id";
        _readStreamPageSql = $"""
            SELECT {EventColumns}, s.name
            FROM {_events} e JOIN {_streams} s ON s.stream_key = e.stream_key
            WHERE s.tenant_id = @tenant AND s.category = @category AND s.stream_id = @stream_id
              AND e.version >= @from AND e.version <= @to
            ORDER BY e.version
            LIMIT {StreamPageSize + 1};
            """;
        _readStreamEventsPageSql = $"""
            SELECT {LeanEventColumns}
            FROM {_events} e
            WHERE e.stream_key = ({_findStreamKeySql}) AND e.version >= @from
            ORDER BY e.version
            LIMIT {StreamPageSize + 1};
            """;
        _readAllPageSql = $"""
            SELECT {EventColumns}, {StreamColumns}
            FROM {_events} e JOIN {_streams} s ON s.stream_key = e.stream_key
            WHERE e.tenant_id = @tenant AND e.position > @after AND e.position <= @bound
            ORDER BY e.position
            LIMIT {PageSize};
            """;

        // The safe upper bound of global reads (see ReadSafeBoundAsync): the highest committed position (this statement's
        // snapshot), and then, only when it is past the reader's, the append lock taken exclusively and let go at once,
        // which waits for every append that held it shared. Outside a transaction, a transaction lock: the statement is
        // its own transaction, so the lock ends with it, whatever happens. Inside a user's transaction, a session lock
        // and its release in one statement, so that it is not held until they commit. OFFSET 0 keeps the lock in the
        // inner query, evaluated before the release in the outer one.
        _readAllBoundOutsideTransactionSql = BoundSql(lockFunction: "pg_advisory_xact_lock", release: "");
        _readAllBoundInTransactionSql = BoundSql(lockFunction: "pg_advisory_lock", release: ", pg_advisory_unlock(@lock)");
        _readHeadSql = $"SELECT COALESCE(MAX(position), 0) FROM {_events} WHERE tenant_id = @tenant;";
    }

    /// <summary>The safe bound's statement, locking with <paramref name="lockFunction"/> and selecting <paramref name="release"/> after the bound.</summary>
    private string BoundSql(string lockFunction, string release) => $"""
        SELECT b.bound{release}
        FROM (
            SELECT head.bound, {lockFunction}(@lock) IS NULL AS waited
            FROM (SELECT COALESCE(MAX(position), 0) AS bound FROM {_events} WHERE tenant_id = @tenant) AS head
            WHERE head.bound > @after
            OFFSET 0) AS b
        WHERE NOT b.waited;
        """;

    /// <inheritdoc />
    public override async Task<StoredEventId?[]> FindEventIdsAsync(RelationalSession session, StreamKey stream, IReadOnlyList<Event> events, CancellationToken cancellationToken)
    {
        var ids = new Guid[events.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = events[i].Id;
        }

        using var command = NpgsqlSession.Of(session).Command(_findEventIdsSql);
        command.Parameters.AddWithValue("event_ids", ids);
        var byId = new Dictionary<Guid, StoredEventId>();
        using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var tenant = reader.GetString(3);
                var category = reader.GetString(4);
                var guid = reader.GetGuid(5);
                var id = new StreamId(guid, category.Length == 0 ? null : category);
                var same = tenant == stream.TenantId && category == stream.Category && guid == stream.StreamGuid;
                byId[reader.GetGuid(0)] = new StoredEventId(id, same, reader.GetInt64(1), reader.GetInt64(2));
            }
        }

        var found = new StoredEventId?[events.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            found[i] = byId.TryGetValue(ids[i], out var stored) ? stored : null;
        }

        return found;
    }

    /// <inheritdoc />
    public override async Task<StreamState?> FindStreamAsync(RelationalSession session, StreamKey stream, CancellationToken cancellationToken)
    {
        using var command = NpgsqlSession.Of(session).Command(_findStreamSql);
        AddStreamKey(command, stream);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new StreamState(reader.GetInt64(0), reader.GetInt64(1), TextOrNull(reader, 2))
            : null;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Takes <see cref="AppendLock"/> shared first, in the same round trip (a reader computing a safe bound waits for
    /// the write, see the class's remarks), and locks the stream's row until the commit, so the version read stays
    /// current: an append to the stream meanwhile waits, then finds the row moved or gone and loses the race.
    /// </remarks>
    public override async Task<StreamState?> FindStreamForWriteAsync(RelationalSession session, StreamKey stream, CancellationToken cancellationToken)
    {
        using var command = NpgsqlSession.Of(session).Command(_findStreamForWriteSql);
        command.Parameters.AddWithValue("lock", AppendLock);
        AddStreamKey(command, stream);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false); // past the lock's result
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new StreamState(reader.GetInt64(0), reader.GetInt64(1), TextOrNull(reader, 2))
            : null;
    }

    /// <inheritdoc />
    public override async Task DeleteStreamAsync(RelationalSession session, long streamKey, CancellationToken cancellationToken)
    {
        using var command = NpgsqlSession.Of(session).Command(_deleteStreamSql);
        command.Parameters.AddWithValue("key", streamKey);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task<RowPage<StoredEventRow>> ReadStreamPageAsync(RelationalSession session, StreamKey stream, long fromVersion, long toVersion, int pageBytes, CancellationToken cancellationToken)
    {
        using var command = NpgsqlSession.Of(session).Command(_readStreamPageSql);
        AddStreamKey(command, stream);
        command.Parameters.AddWithValue("from", fromVersion);
        command.Parameters.AddWithValue("to", toVersion);
        return await ReadRowsAsync(command, streamColumns: false, StreamPageSize, probeNext: true, pageBytes, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task<RowPage<VersionedEvent>> ReadStreamEventsPageAsync(RelationalSession session, StreamKey stream, long fromVersion, int pageBytes, ReadStreamRow read, CancellationToken cancellationToken)
    {
        using var command = NpgsqlSession.Of(session).Command(_readStreamEventsPageSql);
        AddStreamKey(command, stream);
        command.Parameters.AddWithValue("from", fromVersion);
        var rows = new List<VersionedEvent>();
        long bytes = 0;
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (bytes < pageBytes && rows.Count < StreamPageSize && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var row = ReadEventBody(reader, first: 0, position: 0);
            try
            {
                rows.Add(read(row));
            }
            catch (EventReadException ex)
            {
                return new(rows, Full: false, ex);
            }

            bytes += (row.Payload?.Length ?? 0) + (row.Metadata?.Length ?? 0);
        }

        return new(rows, await IsFullAsync(reader, rows.Count, StreamPageSize, bytes, pageBytes, cancellationToken).ConfigureAwait(false));
    }

    /// <inheritdoc />
    /// <remarks>True: appends hold <see cref="AppendLock"/> shared, side by side, and commit out of position order.</remarks>
    public override bool GlobalReadsNeedBound => true;

    /// <inheritdoc />
    /// <remarks>
    /// The highest committed position <c>B</c>, read first; then, only when it is past the reader, the lock taken
    /// exclusively and let go, which waits for every append in flight. Any position below <c>B</c> was taken before
    /// <c>B</c> was, so by an append that held the lock before <c>B</c> committed: committed or rolled back once the
    /// statement returns. Pages are then read up to <c>B</c> in later statements. See docs/decisions/0012. Outside a
    /// transaction the lock is the statement's own (it cannot outlive it, even if the statement fails, so a pooled
    /// connection that is not reset never keeps it); inside a user's transaction it is a session lock let go in the same
    /// statement.
    /// </remarks>
    public override async Task<long?> ReadSafeBoundAsync(RelationalSession session, string tenantId, long afterPosition, CancellationToken cancellationToken)
    {
        using var command = NpgsqlSession.Of(session).Command(session.Transaction is null ? _readAllBoundOutsideTransactionSql : _readAllBoundInTransactionSql);
        command.Parameters.AddWithValue("lock", AppendLock);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("after", afterPosition);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long bound ? bound : null;
    }

    /// <inheritdoc />
    public override async Task<RowPage<StoredEventRow>> ReadAllPageAsync(RelationalSession session, string tenantId, long afterPosition, long bound, int pageBytes, CancellationToken cancellationToken)
    {
        using var command = NpgsqlSession.Of(session).Command(_readAllPageSql);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("after", afterPosition);
        command.Parameters.AddWithValue("bound", bound);
        return await ReadRowsAsync(command, streamColumns: true, PageSize, probeNext: false, pageBytes, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task<long> ReadHeadPositionAsync(RelationalSession session, string tenantId, CancellationToken cancellationToken)
    {
        using var command = NpgsqlSession.Of(session).Command(_readHeadSql);
        command.Parameters.AddWithValue("tenant", tenantId);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>The command's event rows, up to its <c>LIMIT</c> or until they hold <paramref name="pageBytes"/> bytes of payload and metadata.</summary>
    /// <remarks>
    /// With <paramref name="probeNext"/>, the statement's <c>LIMIT</c> is one more than <paramref name="pageRows"/> and
    /// that row tells whether another page follows (stream reads); without, a page of <paramref name="pageRows"/> rows
    /// counts as full (global reads, which end at their safe bound without another statement).
    /// </remarks>
    private static async Task<RowPage<StoredEventRow>> ReadRowsAsync(NpgsqlCommand command, bool streamColumns, int pageRows, bool probeNext, int pageBytes, CancellationToken cancellationToken)
    {
        var rows = new List<StoredEventRow>();
        long bytes = 0;
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (bytes < pageBytes && rows.Count < pageRows && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var row = ReadEventRow(reader, streamColumns);
            rows.Add(row);
            bytes += (row.Payload?.Length ?? 0) + (row.Metadata?.Length ?? 0);
        }

        return new(rows, probeNext ? await IsFullAsync(reader, rows.Count, pageRows, bytes, pageBytes, cancellationToken).ConfigureAwait(false) : rows.Count == pageRows || bytes >= pageBytes);
    }

    /// <summary>
    /// Whether another page may follow: the page is as large as allowed in bytes, or it holds <paramref name="pageRows"/>
    /// rows and the statement (whose <c>LIMIT</c> is one more) has another, so that a stream of exactly a page's worth
    /// of events is read in one round trip rather than two.
    /// </summary>
    private static async Task<bool> IsFullAsync(NpgsqlDataReader reader, int rows, int pageRows, long bytes, int pageBytes, CancellationToken cancellationToken)
        => bytes >= pageBytes || (rows == pageRows && await reader.ReadAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// The columns of an event row that every read of events sends, in the order <see cref="ReadEventBody"/> reads
    /// them: version, id, name, payload, metadata, creation time, and the <see cref="PackedHeader"/>.
    /// </summary>
    private static string EventBodyColumns(string alias)
        => $"{alias}.version, {alias}.event_id, {alias}.event_name, {alias}.payload, {alias}.metadata, {alias}.created_at, {PackedHeader.Sql(alias)}";

    /// <summary>
    /// The <see cref="EventBodyColumns"/> of the reader's current row, from ordinal <paramref name="first"/> (7 columns),
    /// with the <paramref name="position"/> read before them (0 where the statement has none). Text comes back as its
    /// UTF-8 bytes, so the JSON goes to the deserializer without a string in between; a NULL where the schema allows
    /// none is kept as null, and the row is named when it is materialized. Columns are read in order (see
    /// <see cref="CreatedAt"/>).
    /// </summary>
    private static StoredStreamEventRow ReadEventBody(NpgsqlDataReader reader, int first, long position)
    {
        var version = reader.GetInt64(first);
        var eventId = GuidOrNull(reader, first + 1);
        var eventName = TextOrNull(reader, first + 2);
        var payload = BytesOrNull(reader, first + 3);
        var metadata = BytesOrNull(reader, first + 4);
        var createdAt = CreatedAt(reader, first + 5, out var schemaVersion);
        return new(position, version, eventId, eventName, schemaVersion, payload, metadata, createdAt);
    }

    /// <summary>
    /// The event of the reader's current row: its position, its <see cref="EventBodyColumns"/> and its recording time
    /// (ordinals 0 to 8), then the stream's columns (9 to 12) when <paramref name="streamColumns"/>, or else only the
    /// stream's name (9).
    /// </summary>
    private static StoredEventRow ReadEventRow(NpgsqlDataReader reader, bool streamColumns)
    {
        var e = ReadEventBody(reader, first: 1, position: reader.GetInt64(0));
        var recordedAt = TimeOrNull(reader, 8);
        return new(
            Position: e.Position,
            Version: e.Version,
            EventId: e.EventId,
            EventName: e.EventName,
            SchemaVersion: e.SchemaVersion,
            Payload: e.Payload,
            Metadata: e.Metadata,
            CreatedAt: e.CreatedAt,
            RecordedAt: recordedAt,
            TenantId: streamColumns ? TextOrNull(reader, 9) : null,
            Category: streamColumns ? TextOrNull(reader, 10) : null,
            StreamGuid: streamColumns ? GuidOrNull(reader, 11) : default,
            StreamName: TextOrNull(reader, streamColumns ? 12 : 9));
    }
}
