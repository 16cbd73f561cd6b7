using EventSourcery.Relational.Schema;
using EventSourcery.Relational.Storage;
using EventSourcery.Serialization;
using NpgsqlTypes;

namespace EventSourcery.PostgreSql.Storage;

// Appends: the whole append in one command.
internal sealed partial class PostgreSqlStorage
{
    /// <summary>
    /// A whole append in one command: the append lock, shared (first statement); the stream's row locked (second
    /// statement: an append to the same stream in flight is waited for); then (third statement, whose snapshot sees
    /// what that append committed, and which nobody can change now) the row read, the expectation checked, the row
    /// moved on (only from the version read) or created, the events and their outbox copies inserted. Two appends that
    /// both create the stream meet at its unique index: the second loses the race, and its retry finds the row.
    /// (A <c>FOR UPDATE</c> inside the third statement's CTE is not enough: appends racing on one stream then still
    /// lost races, measured with twelve at once.) The result is one row of the stream's state (kind 0: its
    /// version and name before the append, and whether the expectation held), then the written events' positions and
    /// versions (kind 1). Nothing is written when the expectation fails.
    /// </summary>
    private string OneRoundTripAppendSql() => $"""
        SELECT pg_advisory_xact_lock_shared(@lock);
        SELECT 1 FROM {_streams} WHERE tenant_id = @tenant AND category = @category AND stream_id = @stream_id FOR UPDATE;
        WITH cur AS (
            SELECT st.stream_key, st.version, st.name
            FROM (SELECT 1) AS one
            LEFT JOIN {_streams} st ON st.tenant_id = @tenant AND st.category = @category AND st.stream_id = @stream_id
        ), ok AS (
            SELECT cur.*, CASE WHEN @expected = -1 THEN true WHEN @expected = 0 THEN COALESCE(cur.version, 0) = 0 ELSE COALESCE(cur.version = @expected, false) END AS ok
            FROM cur
        ), moved AS (
            UPDATE {_streams} st SET version = ok.version + @count
            FROM ok
            WHERE ok.ok AND ok.stream_key IS NOT NULL AND st.stream_key = ok.stream_key AND st.version = ok.version
            RETURNING st.stream_key, ok.version AS before
        ), created AS (
            INSERT INTO {_streams} (tenant_id, category, stream_id, name, version)
            SELECT @tenant, @category, @stream_id, @name, @count FROM ok WHERE ok.ok AND ok.stream_key IS NULL
            RETURNING stream_key, 0::bigint AS before
        ), s AS (
            SELECT stream_key, before FROM moved UNION ALL SELECT stream_key, before FROM created
        ), inserted AS (
            INSERT INTO {_events} (stream_key, version, event_id, event_name, schema_version, payload, metadata, created_at, created_at_ticks, created_at_offset, recorded_at, tenant_id)
            SELECT s.stream_key, s.before + u.ord, u.event_id, u.event_name, u.schema_version, u.payload, u.metadata, u.created_at, u.created_at_ticks, u.created_at_offset, @recorded_at, @tenant
            FROM s, unnest(@event_ids, @event_names, @schema_versions, @payloads, @metadata, @created_at, @created_at_ticks, @created_at_offsets) WITH ORDINALITY
                 AS u(event_id, event_name, schema_version, payload, metadata, created_at, created_at_ticks, created_at_offset, ord)
            ORDER BY u.ord
            RETURNING position, version, event_id, event_name, schema_version, payload, metadata, created_at, created_at_ticks, created_at_offset, recorded_at
        ), outboxed AS (
            INSERT INTO {_outbox} (position, tenant_id, category, stream_id, stream_name, version, event_id, event_name, schema_version, payload, metadata, created_at, created_at_ticks, created_at_offset, recorded_at, attempts)
            SELECT i.position, @tenant, @category, @stream_id, CASE WHEN ok.stream_key IS NULL THEN @name ELSE ok.name END,
                   i.version, i.event_id, i.event_name, i.schema_version, i.payload, i.metadata, i.created_at, i.created_at_ticks, i.created_at_offset, i.recorded_at, 0
            FROM inserted i, ok, s
            WHERE i.version - s.before = ANY(@outbox_ordinals)
            ORDER BY i.position
        )
        SELECT 0 AS kind, ok.version, ok.name, ok.ok FROM ok
        UNION ALL
        SELECT 1, i.position, i.version::text, NULL FROM inserted i;
        """;

    /// <inheritdoc />
    /// <remarks>True: see <see cref="AppendAsync"/>.</remarks>
    public override bool AppendIsOneCommand => true;

    /// <inheritdoc />
    /// <remarks>
    /// One command (see <see cref="OneRoundTripAppendSql"/>). Without a transaction around it (the executor's
    /// single-statement writes) its statements are one implicit transaction, committed by the same round trip.
    /// </remarks>
    public override async Task<AppendOutcome> AppendAsync(RelationalSession session, StreamKey stream, ExpectedVersion expected, IReadOnlyList<Event> events, SerializedEvent[] serialized, DateTimeOffset recordedAt, bool[]? toOutbox, long[]? positions, CancellationToken cancellationToken)
    {
        var count = events.Count;
        var eventIds = new Guid[count];
        var names = new string[count];
        var schemaVersions = new int[count];
        var payloads = new string[count];
        var metadata = new string?[count];
        var createdAt = new DateTime[count];
        var createdAtTicks = new short[count];
        var createdAtOffsets = new short[count];
        var outboxOrdinals = new List<long>();
        for (var i = 0; i < count; i++)
        {
            eventIds[i] = events[i].Id;
            names[i] = serialized[i].Type.Name;
            schemaVersions[i] = serialized[i].Type.SchemaVersion;
            payloads[i] = serialized[i].Payload;
            metadata[i] = serialized[i].Metadata;
            var created = events[i].CreatedAt;
            createdAt[i] = ColumnLayout.Instant(created);
            createdAtTicks[i] = ColumnLayout.TicksBelowMicrosecond(created);
            createdAtOffsets[i] = ColumnLayout.OffsetMinutes(created);
            if (toOutbox is not null && toOutbox[i])
            {
                outboxOrdinals.Add(i + 1);
            }
        }

        using var command = NpgsqlSession.Of(session).Command(_appendSql);
        var p = command.Parameters;
        p.AddWithValue("lock", AppendLock);
        p.AddWithValue("expected", expected.Value);
        p.AddWithValue("count", (long)count);
        p.AddWithValue("recorded_at", NpgsqlDbType.TimestampTz, ColumnLayout.Instant(recordedAt));
        p.AddWithValue("tenant", stream.TenantId);
        p.AddWithValue("category", stream.Category);
        p.AddWithValue("stream_id", stream.StreamGuid);
        p.AddWithValue("name", NpgsqlDbType.Text, (object?)stream.Name ?? DBNull.Value);
        p.AddWithValue("event_ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid, eventIds);
        p.AddWithValue("event_names", NpgsqlDbType.Array | NpgsqlDbType.Text, names);
        p.AddWithValue("schema_versions", schemaVersions);
        p.AddWithValue("payloads", NpgsqlDbType.Array | NpgsqlDbType.Text, payloads);
        p.AddWithValue("metadata", NpgsqlDbType.Array | NpgsqlDbType.Text, metadata);
        p.AddWithValue("created_at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, createdAt);
        p.AddWithValue("created_at_ticks", NpgsqlDbType.Array | NpgsqlDbType.Smallint, createdAtTicks);
        p.AddWithValue("created_at_offsets", NpgsqlDbType.Array | NpgsqlDbType.Smallint, createdAtOffsets);
        p.AddWithValue("outbox_ordinals", outboxOrdinals.ToArray());

        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false); // past the append lock's result
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false); // past the stream lock's
        long? before = null;
        string? storedName = null;
        var satisfied = false;
        long? last = null;
        var stateRead = false;
        var written = new List<(long Position, long Version)>(count);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (reader.GetInt32(0) == 0)
            {
                before = reader.IsDBNull(1) ? null : reader.GetInt64(1);
                storedName = TextOrNull(reader, 2);
                satisfied = reader.GetBoolean(3);
                stateRead = true;
                continue;
            }

            var position = reader.GetInt64(1);
            written.Add((position, long.Parse(reader.GetString(2), System.Globalization.CultureInfo.InvariantCulture)));
            last = Math.Max(last ?? 0, position);
        }

        // To the end of the command: run as an implicit transaction, its commit's outcome comes last.
        while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
        {
        }

        if (!stateRead)
        {
            throw new InvalidOperationException("The append returned no state row.");
        }

        var firstVersion = (before ?? 0) + 1;
        if (positions is not null)
        {
            foreach (var (position, version) in written)
            {
                positions[version - firstVersion] = position;
            }
        }

        if (!satisfied)
        {
            return AppendOutcome.Refuse(before);
        }

        return new AppendOutcome(Refused: false, before, before is null ? stream.Name : storedName, firstVersion, last);
    }
}
