using EventSourcery.Serialization;
using EventSourcery.Relational.Schema;
using EventSourcery.Relational.Storage;
using EventSourcery.Storage;
using Microsoft.Data.Sqlite;

namespace EventSourcery.Sqlite.Storage;

// Streams and events: where ids are stored, stream rows, inserting events, deleting streams, paged reads.
internal sealed partial class SqliteStorage
{
    /// <summary>
    /// Where each of <paramref name="events"/>' ids is stored, in any tenant (null for an id that is not): for telling a
    /// retried append from a reused id. One index probe per event; only failed appends ask.
    /// </summary>
    public override async Task<StoredEventId?[]> FindEventIdsAsync(RelationalSession session, StreamKey stream, IReadOnlyList<Event> events, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
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

    /// <summary>The stream's row, or null when the stream does not exist.</summary>
    public override async Task<StreamState?> FindStreamAsync(RelationalSession session, StreamKey stream, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
        var command = commands.Get(transaction, "SELECT stream_key, version, name FROM es_streams WHERE tenant_id = $tenant AND category = $category AND stream_id = $stream_id;", DeclareStreamKey);
        SetStreamKey(command.Parameters, stream);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new StreamState(reader.GetInt64(0), reader.GetInt64(1), TextOrNull(reader, 2))
            : null;
    }

    /// <summary>
    /// Deletes the stream's snapshot, its events and its row (children first, so the foreign keys hold at every
    /// step). Outbox rows stay: their publication was promised at commit.
    /// </summary>
    public override async Task DeleteStreamAsync(RelationalSession session, long streamKey, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
        var command = commands.Get(transaction, "DELETE FROM es_snapshots WHERE stream_key = $key; DELETE FROM es_events WHERE stream_key = $key; DELETE FROM es_streams WHERE stream_key = $key;");
        command.Parameters.AddWithValue("$key", streamKey);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Up to <see cref="PageSize"/> events (and about <paramref name="pageBytes"/> bytes) of one stream with versions in [<paramref name="fromVersion"/>, <paramref name="toVersion"/>], in version order (without their stream's columns but its name).</summary>
    public override async Task<RowPage<StoredEventRow>> ReadStreamPageAsync(RelationalSession session, StreamKey stream, long fromVersion, long toVersion, int pageBytes, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
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
    public override async Task<RowPage<VersionedEvent>> ReadStreamEventsPageAsync(RelationalSession session, StreamKey stream, long fromVersion, int pageBytes, ReadStreamRow read, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
        var command = commands.Get(transaction, ReadStreamEventsPageSql, static p =>
        {
            DeclareStreamKey(p);
            p.Add("$from", SqliteType.Integer);
        });
        SetStreamKey(command.Parameters, stream);
        command.Parameters[3].Value = fromVersion;
        var rows = new List<VersionedEvent>();
        long bytes = 0;
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (bytes < pageBytes && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            StoredStreamEventRow row;
            try
            {
                // NOT NULL columns read without asking first, as in ReadEventRow; a row breaking that is read again carefully.
                row = new(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4), reader.GetFieldValue<byte[]>(5), reader.IsDBNull(6) ? null : reader.GetFieldValue<byte[]>(6), reader.GetString(7));
            }
            catch (Exception ex) when (ex is InvalidOperationException or InvalidCastException or FormatException)
            {
                row = new(
                    reader.GetInt64(0),
                    reader.GetInt64(1),
                    TextOrNull(reader, 2),
                    TextOrNull(reader, 3),
                    reader.IsDBNull(4) ? 0 : reader.GetInt32(4),
                    reader.IsDBNull(5) ? null : reader.GetFieldValue<byte[]>(5),
                    reader.IsDBNull(6) ? null : reader.GetFieldValue<byte[]>(6),
                    TextOrNull(reader, 7));
            }

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

        return new(rows, rows.Count == PageSize || bytes >= pageBytes);
    }

    /// <summary>Up to <see cref="PageSize"/> events (and about <paramref name="pageBytes"/> bytes) of the tenant's streams after <paramref name="afterPosition"/>, in position order.</summary>
    /// <remarks>SQLite's writers take turns until they commit, so positions commit in order and no bound is needed (<paramref name="bound"/> is ignored).</remarks>
    public override async Task<RowPage<StoredEventRow>> ReadAllPageAsync(RelationalSession session, string tenantId, long afterPosition, long bound, int pageBytes, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
        var command = commands.Get(transaction, ReadAllPageSql, static p =>
        {
            p.Add("$after", SqliteType.Integer);
            p.Add("$tenant", SqliteType.Text);
        });
        command.Parameters[0].Value = afterPosition;
        command.Parameters[1].Value = tenantId;
        return await ReadRowsAsync(command, streamColumns: true, pageBytes, cancellationToken).ConfigureAwait(false);
    }
}
