using EventSourcery.Serialization;
using Npgsql;
using NpgsqlTypes;

namespace EventSourcery.Benchmarks.PostgreSql;

/// <summary>
/// The physical limit: the same rows written and read with raw Npgsql and nothing else. An append is one statement (the
/// stream row and every event, from arrays) and its commit: one round trip; events are serialized with the same
/// generated codecs as the store's. A load reads the stream's rows and deserializes them.
/// </summary>
internal sealed class Raw(NpgsqlDataSource dataSource, EventSerializer serializer)
{
    public const string Schema = "raw_bench";

    public static async Task CreateSchemaAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand($"""
            DROP SCHEMA IF EXISTS {Schema} CASCADE;
            CREATE SCHEMA {Schema};
            CREATE TABLE {Schema}.streams (id uuid PRIMARY KEY, version bigint NOT NULL);
            CREATE TABLE {Schema}.events (
                position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                stream_id uuid NOT NULL REFERENCES {Schema}.streams (id),
                version bigint NOT NULL,
                event_id uuid NOT NULL UNIQUE,
                event_name text NOT NULL,
                payload text NOT NULL,
                created_at timestamptz NOT NULL,
                UNIQUE (stream_id, version));
            """);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Appends to a new stream (<paramref name="expected"/> 0), or to an existing one at exactly <paramref name="expected"/> (or any version, -1).</summary>
    public async Task AppendAsync(Guid stream, long expected, Event[] events)
    {
        var ids = new Guid[events.Length];
        var names = new string[events.Length];
        var payloads = new string[events.Length];
        var created = new DateTime[events.Length];
        for (var i = 0; i < events.Length; i++)
        {
            var serialized = serializer.Serialize(events[i]);
            ids[i] = events[i].Id;
            names[i] = serialized.Type.Name;
            payloads[i] = serialized.Payload;
            created[i] = events[i].CreatedAt.UtcDateTime;
        }

        var streamRow = expected switch
        {
            0 => $"INSERT INTO {Schema}.streams (id, version) VALUES (@id, @n) RETURNING version",
            < 0 => $"UPDATE {Schema}.streams SET version = version + @n WHERE id = @id RETURNING version",
            _ => $"UPDATE {Schema}.streams SET version = version + @n WHERE id = @id AND version = @expected RETURNING version",
        };
        await using var command = dataSource.CreateCommand($"""
            WITH s AS ({streamRow})
            INSERT INTO {Schema}.events (stream_id, version, event_id, event_name, payload, created_at)
            SELECT @id, s.version - @n + u.ord, u.event_id, u.event_name, u.payload, u.created_at
            FROM s, unnest(@ids, @names, @payloads, @created) WITH ORDINALITY AS u(event_id, event_name, payload, created_at, ord);
            """);
        command.Parameters.AddWithValue("id", stream);
        command.Parameters.AddWithValue("n", (long)events.Length);
        command.Parameters.AddWithValue("expected", expected);
        command.Parameters.AddWithValue("ids", ids);
        command.Parameters.AddWithValue("names", NpgsqlDbType.Array | NpgsqlDbType.Text, names);
        command.Parameters.AddWithValue("payloads", NpgsqlDbType.Array | NpgsqlDbType.Text, payloads);
        command.Parameters.AddWithValue("created", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, created);
        if (await command.ExecuteNonQueryAsync() != events.Length)
        {
            throw new InvalidOperationException($"raw append to {stream} at {expected} wrote nothing: a lost race");
        }
    }

    /// <summary>Reads every event in position order, 500 a page (keyset paging, as a catch-up does), and deserializes them.</summary>
    public async Task<int> ReadAllAsync()
    {
        long after = 0;
        var count = 0;
        while (true)
        {
            await using var command = dataSource.CreateCommand($"SELECT position, stream_id, version, event_id, event_name, payload, created_at FROM {Schema}.events WHERE position > @after ORDER BY position LIMIT 500");
            command.Parameters.AddWithValue("after", after);
            await using var reader = await command.ExecuteReaderAsync();
            var page = 0;
            while (await reader.ReadAsync())
            {
                after = reader.GetInt64(0);
                var e = serializer.Deserialize(new StreamId(reader.GetGuid(1), "cart"), reader.GetInt64(2), after, reader.GetString(4), reader.GetFieldValue<byte[]>(5), reader.GetGuid(3), reader.GetFieldValue<DateTimeOffset>(6), default);
                count += e is null ? 0 : 1;
                page++;
            }

            if (page < 500)
            {
                return count;
            }
        }
    }

    /// <summary>Reads a stream's events in version order and deserializes them.</summary>
    public async Task<int> LoadAsync(Guid stream)
    {
        await using var command = dataSource.CreateCommand($"SELECT version, event_id, event_name, payload, created_at FROM {Schema}.events WHERE stream_id = @id ORDER BY version");
        command.Parameters.AddWithValue("id", stream);
        await using var reader = await command.ExecuteReaderAsync();
        var id = new StreamId(stream, "cart");
        var count = 0;
        while (await reader.ReadAsync())
        {
            var e = serializer.Deserialize(id, reader.GetInt64(0), 0, reader.GetString(2), reader.GetFieldValue<byte[]>(3), reader.GetGuid(1), reader.GetFieldValue<DateTimeOffset>(4), default);
            count += e is null ? 0 : 1;
        }

        return count;
    }
}
