using EventSourcery.Relational.Schema;
using EventSourcery.Relational.Storage;
using Microsoft.Data.Sqlite;

namespace EventSourcery.Sqlite.Storage;

// Snapshots, projection checkpoints and leases, and the head position.
internal sealed partial class SqliteStorage
{
    /// <summary>
    /// Stores the snapshot as the stream's only one, replacing an older row (an upsert keyed by the stream's row).
    /// Returns false, writing nothing, when the stream does not exist.
    /// </summary>
    public override async Task<bool> UpsertSnapshotAsync(RelationalSession session, StreamKey stream, StoredSnapshot snapshot, DateTimeOffset takenAt, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
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
    public override async Task<StoredSnapshotRow?> FindSnapshotAsync(RelationalSession session, StreamKey stream, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
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

    /// <summary>The position of the tenant's last still-stored event, or 0 (see <see cref="ReadHeadPositionSql"/>).</summary>
    public override async Task<long> ReadHeadPositionAsync(RelationalSession session, string tenantId, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
        var command = commands.Get(transaction, ReadHeadPositionSql);
        command.Parameters.AddWithValue("$tenant", tenantId);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>The position the tenant's projection <paramref name="name"/> has handled up to, or 0 when it has no checkpoint.</summary>
    public override async Task<long> LoadCheckpointAsync(RelationalSession session, string tenantId, string name, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
        var command = commands.Get(transaction, LoadCheckpointSql);
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$name", name);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long position ? position : 0;
    }

    /// <summary>Stores the tenant's checkpoint of projection <paramref name="name"/> (an upsert keyed by tenant and name).</summary>
    public override async Task SaveCheckpointAsync(RelationalSession session, string tenantId, string name, long position, DateTimeOffset updatedAt, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
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
    public override async Task<bool> TryAcquireProjectionLeaseAsync(RelationalSession session, string tenantId, string name, string owner, long nowTicks, long untilTicks, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
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
    public override async Task ReleaseProjectionLeaseAsync(RelationalSession session, string tenantId, string name, string owner, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
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
    public override async Task<bool> TrySaveCheckpointAsync(RelationalSession session, string tenantId, string name, long expected, long position, DateTimeOffset updatedAt, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
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
    public override async Task DeleteCheckpointAsync(RelationalSession session, string tenantId, string name, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
        var command = commands.Get(transaction, "DELETE FROM es_checkpoints WHERE tenant_id = $tenant AND name = $name;");
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$name", name);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
