using EventSourcery.Relational.Schema;
using EventSourcery.Relational.Storage;
using EventSourcery.Serialization;
using Microsoft.Data.Sqlite;

namespace EventSourcery.Sqlite.Storage;

// Appends: step by step, under SQLite's write lock (the write transaction is BEGIN IMMEDIATE).
internal sealed partial class SqliteStorage
{
    /// <inheritdoc />
    /// <remarks>
    /// Step by step, each step a compiled statement on the store's connection: the stream read, the expectation, the
    /// stream row moved on (from the version read) or created, then the events and their outbox copies. SQLite's
    /// write lock, held from the transaction's start, keeps the read current until the commit.
    /// </remarks>
    public override async Task<AppendOutcome> AppendAsync(RelationalSession session, StreamKey stream, ExpectedVersion expected, IReadOnlyList<Event> events, SerializedEvent[] serialized, DateTimeOffset recordedAt, bool[]? toOutbox, long[]? positions, CancellationToken cancellationToken)
    {
        var current = await FindStreamAsync(session, stream, cancellationToken).ConfigureAwait(false);
        if (!expected.IsSatisfiedBy(current?.Version))
        {
            return AppendOutcome.Refuse(current?.Version);
        }

        // Outbox rows carry the name the stream was created with.
        var written = current is { } found ? stream with { Name = found.Name } : stream;
        var firstVersion = (current?.Version ?? 0) + 1;
        var lastVersion = firstVersion + events.Count - 1;
        long streamKey;
        if (current is { } existing)
        {
            if (!await UpdateStreamVersionAsync(session, existing.Key, existing.Version, lastVersion, cancellationToken).ConfigureAwait(false))
            {
                return new AppendOutcome(Refused: false, existing.Version, written.Name, firstVersion, LastPosition: null);
            }

            streamKey = existing.Key;
        }
        else
        {
            streamKey = await InsertStreamAsync(session, written, lastVersion, cancellationToken).ConfigureAwait(false);
        }

        var last = await InsertEventsAsync(session, written, streamKey, firstVersion, events, serialized, recordedAt, toOutbox, positions, cancellationToken).ConfigureAwait(false);
        return new AppendOutcome(Refused: false, current?.Version, written.Name, firstVersion, last);
    }

    /// <summary>Creates the stream's row at <paramref name="version"/> and returns its key.</summary>
    /// <exception cref="SqliteException">A unique violation when another writer created the stream first.</exception>
    private static async Task<long> InsertStreamAsync(RelationalSession session, StreamKey stream, long version, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
        var command = commands.Get(transaction, "INSERT INTO es_streams (tenant_id, category, stream_id, name, version) VALUES ($tenant, $category, $stream_id, $name, $version) RETURNING stream_key;");
        AddStreamKey(command, stream);
        command.Parameters.AddWithValue("$name", (object?)stream.Name ?? DBNull.Value);
        command.Parameters.AddWithValue("$version", version);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>Moves the stream from <paramref name="expected"/> to <paramref name="version"/>; false when it was not at <paramref name="expected"/>.</summary>
    private static async Task<bool> UpdateStreamVersionAsync(RelationalSession session, long streamKey, long expected, long version, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
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
    private static async Task<long> InsertEventsAsync(
        RelationalSession session,
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
        var (commands, transaction) = SqliteSession.Of(session);
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
}
