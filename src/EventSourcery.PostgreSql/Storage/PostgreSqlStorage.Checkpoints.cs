using EventSourcery.Relational.Schema;
using EventSourcery.Relational.Storage;
using Npgsql;
using NpgsqlTypes;

namespace EventSourcery.PostgreSql.Storage;

// Snapshots, projection checkpoints and leases, and the schema.
internal sealed partial class PostgreSqlStorage
{
    /// <inheritdoc />
    public override async Task<bool> UpsertSnapshotAsync(RelationalSession session, StreamKey stream, StoredSnapshot snapshot, DateTimeOffset takenAt, CancellationToken cancellationToken)
    {
        using var command = NpgsqlSession.Of(session).Command($"""
            INSERT INTO {_snapshots} (stream_key, version, event_id, type, fingerprint, payload, taken_at)
            SELECT stream_key, @version, @event_id, @type, @fingerprint, @payload, @taken_at
            FROM {_streams}
            WHERE tenant_id = @tenant AND category = @category AND stream_id = @stream_id
            ON CONFLICT (stream_key) DO UPDATE SET
                version = excluded.version, event_id = excluded.event_id, type = excluded.type,
                fingerprint = excluded.fingerprint, payload = excluded.payload, taken_at = excluded.taken_at;
            """);
        AddStreamKey(command, stream);
        command.Parameters.AddWithValue("version", snapshot.Version);
        command.Parameters.AddWithValue("event_id", snapshot.EventId);
        command.Parameters.AddWithValue("type", snapshot.Type);
        command.Parameters.AddWithValue("fingerprint", snapshot.Fingerprint);
        command.Parameters.AddWithValue("payload", NpgsqlDbType.Bytea, snapshot.Payload);
        command.Parameters.AddWithValue("taken_at", NpgsqlDbType.TimestampTz, ColumnLayout.Instant(takenAt));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    /// <inheritdoc />
    public override async Task<StoredSnapshotRow?> FindSnapshotAsync(RelationalSession session, StreamKey stream, CancellationToken cancellationToken)
    {
        using var command = NpgsqlSession.Of(session).Command($"""
            SELECT sn.version, sn.event_id, sn.type, sn.fingerprint, sn.payload
            FROM {_streams} s JOIN {_snapshots} sn ON sn.stream_key = s.stream_key
            WHERE s.tenant_id = @tenant AND s.category = @category AND s.stream_id = @stream_id;
            """);
        AddStreamKey(command, stream);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new StoredSnapshotRow(reader.IsDBNull(0) ? 0 : reader.GetInt64(0), GuidOrNull(reader, 1), TextOrNull(reader, 2), TextOrNull(reader, 3), BytesOrNull(reader, 4));
    }

    /// <inheritdoc />
    public override async Task<long> LoadCheckpointAsync(RelationalSession session, string tenantId, string name, CancellationToken cancellationToken)
    {
        using var command = NpgsqlSession.Of(session).Command($"SELECT position FROM {_checkpoints} WHERE tenant_id = @tenant AND name = @name;");
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("name", name);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long position ? position : 0;
    }

    /// <inheritdoc />
    public override async Task SaveCheckpointAsync(RelationalSession session, string tenantId, string name, long position, DateTimeOffset updatedAt, CancellationToken cancellationToken)
    {
        using var command = NpgsqlSession.Of(session).Command($"""
            INSERT INTO {_checkpoints} (tenant_id, name, position, updated_at)
            VALUES (@tenant, @name, @position, @updated_at)
            ON CONFLICT (tenant_id, name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at;
            """);
        AddCheckpoint(command, tenantId, name, position, updatedAt);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task<bool> TrySaveCheckpointAsync(RelationalSession session, string tenantId, string name, long expected, long position, DateTimeOffset updatedAt, CancellationToken cancellationToken)
    {
        // From nothing: insert, or move a row that says 0. From a position: move only a row that is still there.
        using var command = NpgsqlSession.Of(session).Command(expected == 0
            ? $"""
              INSERT INTO {_checkpoints} AS c (tenant_id, name, position, updated_at)
              VALUES (@tenant, @name, @position, @updated_at)
              ON CONFLICT (tenant_id, name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at
              WHERE c.position = 0;
              """
            : $"UPDATE {_checkpoints} SET position = @position, updated_at = @updated_at WHERE tenant_id = @tenant AND name = @name AND position = @expected;");
        AddCheckpoint(command, tenantId, name, position, updatedAt);
        if (expected != 0)
        {
            command.Parameters.AddWithValue("expected", expected);
        }

        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public override async Task DeleteCheckpointAsync(RelationalSession session, string tenantId, string name, CancellationToken cancellationToken)
    {
        using var command = NpgsqlSession.Of(session).Command($"DELETE FROM {_checkpoints} WHERE tenant_id = @tenant AND name = @name;");
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("name", name);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task<bool> TryAcquireProjectionLeaseAsync(RelationalSession session, string tenantId, string name, string owner, long nowTicks, long untilTicks, CancellationToken cancellationToken)
    {
        using var command = NpgsqlSession.Of(session).Command($"""
            INSERT INTO {_leases} AS l (tenant_id, name, owner, lease_until)
            VALUES (@tenant, @name, @owner, @until)
            ON CONFLICT (tenant_id, name) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
            WHERE l.owner = excluded.owner OR l.lease_until <= @now;
            """);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("name", name);
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("until", untilTicks);
        command.Parameters.AddWithValue("now", nowTicks);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public override async Task ReleaseProjectionLeaseAsync(RelationalSession session, string tenantId, string name, string owner, CancellationToken cancellationToken)
    {
        using var command = NpgsqlSession.Of(session).Command($"DELETE FROM {_leases} WHERE tenant_id = @tenant AND name = @name AND owner = @owner;");
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("name", name);
        command.Parameters.AddWithValue("owner", owner);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task<HashSet<string>> ExistingTablesAsync(RelationalSession session, CancellationToken cancellationToken)
    {
        using var command = NpgsqlSession.Of(session).Command("SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = @schema AND tablename = ANY(@names);");
        command.Parameters.AddWithValue("schema", Schema);
        command.Parameters.AddWithValue("names", Tables.All.ToArray());
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    /// <inheritdoc />
    public override async Task<bool> SchemaIsCurrentAsync(RelationalSession session, CancellationToken cancellationToken)
    {
        using var command = NpgsqlSession.Of(session).Command("""
            SELECT (SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE schemaname = @schema AND tablename = ANY(@names))
                 + (SELECT COUNT(*) FROM pg_catalog.pg_indexes WHERE schemaname = @schema AND indexname = @event_ids)
                 + (SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = @schema AND table_name = @events AND column_name = @ticks);
            """);
        command.Parameters.AddWithValue("schema", Schema);
        command.Parameters.AddWithValue("names", Tables.All.ToArray());
        command.Parameters.AddWithValue("event_ids", Tables.EventIdIndex);
        command.Parameters.AddWithValue("events", Tables.Events);
        command.Parameters.AddWithValue("ticks", ColumnLayout.CreatedAtTicks);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! == Tables.All.Length + 2;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Released stores have had the current <c>es_events</c> from the start: nothing to upgrade. Tables made by a
    /// pre-release build, which kept ids and times as text, are refused rather than written in a layout the reads
    /// do not expect.
    /// </remarks>
    /// <exception cref="InvalidOperationException"><c>es_events</c> keeps ids and times as text.</exception>
    public override async Task UpgradeEventsTableAsync(RelationalSession session, CancellationToken cancellationToken)
    {
        using var command = NpgsqlSession.Of(session).Command("SELECT data_type FROM information_schema.columns WHERE table_schema = @schema AND table_name = @events AND column_name = 'event_id';");
        command.Parameters.AddWithValue("schema", Schema);
        command.Parameters.AddWithValue("events", Tables.Events);
        if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string type && type != "uuid")
        {
            throw new InvalidOperationException($"The event store's tables in schema '{Schema}' were made by a pre-release build of EventSourcery.PostgreSql, which kept ids and times as text ({Tables.Events}.event_id is {type}). Drop the schema (or give the store another one) and let the store create its tables again.");
        }
    }

    /// <inheritdoc />
    public override async Task ExecuteDdlAsync(RelationalSession session, string sql, CancellationToken cancellationToken)
    {
        using var command = NpgsqlSession.Of(session).Command(sql);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Takes the schema lock for the rest of the session's transaction.</summary>
    public async Task LockSchemaAsync(RelationalSession session, CancellationToken cancellationToken)
    {
        using var command = NpgsqlSession.Of(session).Command("SELECT pg_advisory_xact_lock(@lock);");
        command.Parameters.AddWithValue("lock", SchemaLock);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void AddCheckpoint(NpgsqlCommand command, string tenantId, string name, long position, DateTimeOffset updatedAt)
    {
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("name", name);
        command.Parameters.AddWithValue("position", position);
        command.Parameters.AddWithValue("updated_at", NpgsqlDbType.TimestampTz, ColumnLayout.Instant(updatedAt));
    }
}
