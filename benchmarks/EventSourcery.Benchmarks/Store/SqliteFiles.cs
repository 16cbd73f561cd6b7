using System.Globalization;
using EventSourcery.Serialization;
using Microsoft.Data.Sqlite;

namespace EventSourcery.Benchmarks.Store;

/// <summary>
/// What a hand-written SQLite event store does, on the store's own schema and with its settings: the baselines the
/// store benchmarks compare <see cref="SqliteEventStore"/> with. The values are written exactly as the store writes
/// them (the text formats of its internal <c>StoredValues</c>), so the rows are interchangeable; the setups check that.
/// </summary>
public static class SqliteFiles
{
    /// <summary>How the store stores a guid: upper-case 'D' format.</summary>
    public static string Text(Guid value) => value.ToString("D").ToUpperInvariant();

    /// <summary>How the store stores a timestamp: round-trip ("O") format.</summary>
    public static string Text(DateTimeOffset value) => value.ToString("O", CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTime(string text) => DateTimeOffset.ParseExact(text, "O", CultureInfo.InvariantCulture, DateTimeStyles.None);

    /// <summary>
    /// Opens a connection with the store's settings: its connection string (command timeout = busy timeout, 5 s) and
    /// the pragmas of <c>SqliteStorage.ApplyPragmasAsync</c> with the default options (WAL, <c>synchronous=FULL</c>).
    /// </summary>
    /// <param name="path">The database file.</param>
    /// <param name="synchronous">FULL (the store's default) or NORMAL (for experiments that take the fsync out).</param>
    public static SqliteConnection Open(string path, string synchronous = "FULL")
    {
        var connection = new SqliteConnection(ConnectionString(path));
        connection.Open();
        Execute(connection, "PRAGMA busy_timeout=5000;");
        Execute(connection, "PRAGMA journal_mode=WAL;");
        Execute(connection, synchronous == "NORMAL" ? "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;" : "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
        return connection;
    }

    /// <summary>The connection string every benchmark uses for a file; pooling off, so that cleanup can delete it.</summary>
    public static string ConnectionString(string path)
        => new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 5 }.ToString();

    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>Creates the store's schema in a new file, through the store itself (so it is exactly the store's).</summary>
    public static async Task CreateSchemaAsync(string path)
    {
        await using var store = await SqliteEventStore.OpenAsync(ConnectionString(path));
    }

    /// <summary>
    /// A stream's event columns as text, in version order, leaving out what differs between two writers of the same
    /// events (position, recorded_at): for checking that two variants wrote the same rows.
    /// </summary>
    public static List<string> DescribeStream(SqliteConnection connection, StreamId id)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT s.version, s.name, e.version, e.event_id, e.event_name, e.schema_version, e.payload, e.metadata, e.created_at
            FROM es_events e JOIN es_streams s ON s.stream_key = e.stream_key
            WHERE s.tenant_id = '' AND s.category = $category AND s.stream_id = $stream_id
            ORDER BY e.version;
            """;
        command.Parameters.AddWithValue("$category", id.Category ?? "");
        command.Parameters.AddWithValue("$stream_id", Text(id.Value));
        var rows = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var values = new object[reader.FieldCount];
            reader.GetValues(values);
            rows.Add(string.Join(" | ", values.Select(v => v is DBNull ? "NULL" : Convert.ToString(v, CultureInfo.InvariantCulture))));
        }

        return rows;
    }
}

/// <summary>
/// The append baseline: the statements <see cref="SqliteEventStore.AppendAsync"/> runs (find the stream, create it or
/// move its version with the same optimistic check, insert each event returning its position) in one
/// <c>BEGIN IMMEDIATE</c> transaction per append, with prepared statements made once and kept, synchronous calls, and
/// the events serialized by the same <see cref="EventSerializer"/>.
/// </summary>
public sealed class RawSqliteAppender : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly EventSerializer _serializer = new(EventRegistry.Default);
    private readonly SqliteCommand _find;
    private readonly SqliteCommand _insertStream;
    private readonly SqliteCommand _updateStream;
    private readonly SqliteCommand _insertEvent;

    public RawSqliteAppender(string path, string synchronous = "FULL")
    {
        _connection = SqliteFiles.Open(path, synchronous);
        _find = Prepare("SELECT stream_key, version FROM es_streams WHERE tenant_id = '' AND category = $category AND stream_id = $stream_id;", "$category", "$stream_id");
        _insertStream = Prepare("INSERT INTO es_streams (tenant_id, category, stream_id, name, version) VALUES ('', $category, $stream_id, $name, $version) RETURNING stream_key;", "$category", "$stream_id", "$name", "$version");
        _updateStream = Prepare("UPDATE es_streams SET version = $version WHERE stream_key = $key AND version = $expected;", "$version", "$key", "$expected");
        _insertEvent = Prepare(
            """
            INSERT INTO es_events (stream_key, version, event_id, event_name, schema_version, payload, metadata, created_at, recorded_at)
            VALUES ($stream_key, $version, $event_id, $event_name, $schema_version, $payload, $metadata, $created_at, $recorded_at)
            RETURNING position;
            """,
            "$stream_key", "$version", "$event_id", "$event_name", "$schema_version", "$payload", "$metadata", "$created_at", "$recorded_at");
    }

    /// <summary>Appends <paramref name="events"/>; returns the stream's new version.</summary>
    public long Append(StreamId id, IReadOnlyList<Event> events, ExpectedVersion expected)
    {
        var serialized = new SerializedEvent[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            serialized[i] = _serializer.Serialize(events[i]);
        }

        var category = id.Category ?? "";
        var streamId = SqliteFiles.Text(id.Value);
        using var transaction = _connection.BeginTransaction(deferred: false);
        _find.Transaction = _insertStream.Transaction = _updateStream.Transaction = _insertEvent.Transaction = transaction;

        _find.Parameters[0].Value = category;
        _find.Parameters[1].Value = streamId;
        long? key = null, current = null;
        using (var reader = _find.ExecuteReader())
        {
            if (reader.Read())
            {
                key = reader.GetInt64(0);
                current = reader.GetInt64(1);
            }
        }

        if (!expected.IsSatisfiedBy(current))
        {
            throw new ConcurrencyException(id, expected, current);
        }

        var first = (current ?? 0) + 1;
        var last = first + events.Count - 1;
        if (key is { } found)
        {
            _updateStream.Parameters[0].Value = last;
            _updateStream.Parameters[1].Value = found;
            _updateStream.Parameters[2].Value = current!.Value;
            if (_updateStream.ExecuteNonQuery() != 1)
            {
                throw new ConcurrencyException(id, expected, null);
            }
        }
        else
        {
            _insertStream.Parameters[0].Value = category;
            _insertStream.Parameters[1].Value = streamId;
            _insertStream.Parameters[2].Value = (object?)id.Name ?? DBNull.Value;
            _insertStream.Parameters[3].Value = last;
            key = (long)_insertStream.ExecuteScalar()!;
        }

        var p = _insertEvent.Parameters;
        p[0].Value = key.Value;
        p[8].Value = SqliteFiles.Text(DateTimeOffset.UtcNow);
        for (var i = 0; i < events.Count; i++)
        {
            p[1].Value = first + i;
            p[2].Value = SqliteFiles.Text(events[i].Id);
            p[3].Value = serialized[i].Type.Name;
            p[4].Value = serialized[i].Type.SchemaVersion;
            p[5].Value = serialized[i].Payload;
            p[6].Value = (object?)serialized[i].Metadata ?? DBNull.Value;
            p[7].Value = SqliteFiles.Text(events[i].CreatedAt);
            _insertEvent.ExecuteScalar();
        }

        transaction.Commit();
        return last;
    }

    public void Dispose()
    {
        _find.Dispose();
        _insertStream.Dispose();
        _updateStream.Dispose();
        _insertEvent.Dispose();
        _connection.Dispose();
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter(name, null));
        }

        command.Prepare();
        return command;
    }
}

/// <summary>
/// The load baseline: one prepared query over the stream's rows (only the columns a load needs, no paging), the same
/// generated deserialization (<see cref="EventSerializer.Deserialize"/>), and the aggregate's Apply methods called
/// directly. Synchronous calls (Microsoft.Data.Sqlite's async methods run synchronously anyway).
/// </summary>
public sealed class RawSqliteLoader : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _query;
    private readonly EventSerializer _serializer = new(EventRegistry.Default);

    public RawSqliteLoader(string path)
    {
        _connection = SqliteFiles.Open(path);
        _query = _connection.CreateCommand();
        _query.CommandText = """
            SELECT e.version, e.event_id, e.event_name, e.payload, e.metadata, e.created_at
            FROM es_events e JOIN es_streams s ON s.stream_key = e.stream_key
            WHERE s.tenant_id = '' AND s.category = $category AND s.stream_id = $stream_id
            ORDER BY e.version;
            """;
        _query.Parameters.Add(new SqliteParameter("$category", null));
        _query.Parameters.Add(new SqliteParameter("$stream_id", null));
        _query.Prepare();
    }

    public Cart? LoadCart(StreamId id)
    {
        _query.Parameters[0].Value = id.Category ?? "";
        _query.Parameters[1].Value = SqliteFiles.Text(id.Value);
        Cart? cart = null;
        using var reader = _query.ExecuteReader();
        while (reader.Read())
        {
            var @event = _serializer.Deserialize(
                id,
                version: reader.GetInt64(0),
                position: 0,
                eventName: reader.GetString(2),
                payload: reader.GetFieldValue<byte[]>(3),
                id: Guid.Parse(reader.GetString(1)),
                createdAt: SqliteFiles.ParseTime(reader.GetString(5)),
                metadata: reader.IsDBNull(4) ? [] : reader.GetFieldValue<byte[]>(4));
            cart ??= new Cart();
            cart.ApplyDirectly(@event);
        }

        return cart;
    }

    public void Dispose()
    {
        _query.Dispose();
        _connection.Dispose();
    }
}
