using EventSourcery.Serialization;
using Microsoft.Data.Sqlite;

namespace EventSourcery.Benchmarks.Store;

/// <summary>
/// Fills a new store file with many events quickly: the schema comes from the store itself, then one transaction of
/// prepared raw inserts writes exactly the rows <see cref="SqliteEventStore.AppendAsync"/> would (same columns, same
/// text formats, JSON from the same serializer), with the journal and fsyncs off while it builds. A million events take
/// seconds this way, where appends through the store with a durable commit each would take an hour.
/// </summary>
/// <remarks>
/// Layout: streams of <see cref="StreamLength"/> cart events, written in groups of <see cref="Interleave"/> streams whose
/// events alternate (stream 1 v1, stream 2 v1, … stream 100 v1, stream 1 v2, …), as concurrent writers would leave them,
/// so one stream's rows are spread over many pages. Stream ids are UUIDv7 like <see cref="StreamId.New"/>'s.
/// </remarks>
public static class StoreFixture
{
    public const int StreamLength = 10;
    public const int Interleave = 100;
    public const string Category = "cart";

    /// <summary>
    /// Builds the file; returns up to <paramref name="sampleSize"/> of its streams, spread evenly over the store and
    /// shuffled (fixed seed), for reads that do not keep hitting the same pages.
    /// </summary>
    public static async Task<StreamId[]> BuildAsync(string path, int totalEvents, int sampleSize = 1_024)
    {
        const int group = StreamLength * Interleave;
        if (totalEvents % group != 0)
        {
            throw new ArgumentException($"The event count must be a multiple of {group}.", nameof(totalEvents));
        }

        await SqliteFiles.CreateSchemaAsync(path);

        // A pool of serialized events, reused round-robin: the JSON is the store's, its cost is not the point here.
        var serializer = new EventSerializer(EventRegistry.Default);
        var pool = CartEvents.Create(997, seed: 3).Select(serializer.Serialize).ToArray();
        var startTime = new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
        var recordedAt = SqliteFiles.Text(startTime.AddDays(1));
        var streams = totalEvents / StreamLength;
        var every = Math.Max(1, streams / sampleSize);
        var sample = new List<StreamId>();

        using var connection = new SqliteConnection(SqliteFiles.ConnectionString(path));
        connection.Open();
        SqliteFiles.Execute(connection, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144; PRAGMA foreign_keys=ON;");
        using (var transaction = connection.BeginTransaction())
        {
            using var insertStream = connection.CreateCommand();
            insertStream.Transaction = transaction;
            insertStream.CommandText = $"INSERT INTO es_streams (tenant_id, category, stream_id, name, version) VALUES ('', '{Category}', $stream_id, NULL, {StreamLength}) RETURNING stream_key;";
            var streamId = insertStream.Parameters.Add("$stream_id", SqliteType.Text);
            insertStream.Prepare();

            using var insertEvent = connection.CreateCommand();
            insertEvent.Transaction = transaction;
            insertEvent.CommandText = """
                INSERT INTO es_events (stream_key, version, event_id, event_name, schema_version, payload, metadata, created_at, recorded_at)
                VALUES ($stream_key, $version, $event_id, $event_name, $schema_version, $payload, NULL, $created_at, $recorded_at);
                """;
            var pKey = insertEvent.Parameters.Add("$stream_key", SqliteType.Integer);
            var pVersion = insertEvent.Parameters.Add("$version", SqliteType.Integer);
            var pId = insertEvent.Parameters.Add("$event_id", SqliteType.Text);
            var pName = insertEvent.Parameters.Add("$event_name", SqliteType.Text);
            var pSchema = insertEvent.Parameters.Add("$schema_version", SqliteType.Integer);
            var pPayload = insertEvent.Parameters.Add("$payload", SqliteType.Text);
            var pCreated = insertEvent.Parameters.Add("$created_at", SqliteType.Text);
            insertEvent.Parameters.AddWithValue("$recorded_at", recordedAt);
            insertEvent.Prepare();

            var keys = new long[Interleave];
            var n = 0;
            for (var first = 0; first < streams; first += Interleave)
            {
                for (var s = 0; s < Interleave; s++)
                {
                    var id = StreamId.New(Category);
                    if ((first + s) % every == every / 2 && sample.Count < sampleSize)
                    {
                        sample.Add(id);
                    }

                    streamId.Value = SqliteFiles.Text(id.Value);
                    keys[s] = (long)insertStream.ExecuteScalar()!;
                }

                for (var version = 1; version <= StreamLength; version++)
                {
                    for (var s = 0; s < Interleave; s++, n++)
                    {
                        var e = pool[n % pool.Length];
                        pKey.Value = keys[s];
                        pVersion.Value = version;
                        pId.Value = SqliteFiles.Text(Guid.CreateVersion7());
                        pName.Value = e.Type.Name;
                        pSchema.Value = e.Type.SchemaVersion;
                        pPayload.Value = e.Payload;
                        pCreated.Value = SqliteFiles.Text(startTime.AddMilliseconds(n));
                        insertEvent.ExecuteNonQuery();
                    }
                }
            }

            transaction.Commit();
        }

        // Back to the store's durable settings; the store sets them again when it opens the file.
        SqliteFiles.Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");

        // Check the result through the store: the count, and that a sampled stream reads back as its events.
        await using var store = await SqliteEventStore.OpenAsync(SqliteFiles.ConnectionString(path));
        var head = await store.ReadHeadPositionAsync();
        var stream = await store.ReadStreamAsync(sample[sample.Count / 2]).ToListAsync();
        if (head != totalEvents || stream.Count != StreamLength || stream[^1].Version != StreamLength)
        {
            throw new InvalidOperationException($"The fixture is not what was asked: head {head}, a sampled stream of {stream.Count} events.");
        }

        var shuffled = sample.ToArray();
        new Random(17).Shuffle(shuffled);
        return shuffled;
    }
}
