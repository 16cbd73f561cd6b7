#:project ../EventSourcery.Benchmarks.csproj
#:property Optimize=true
#:property PublishAot=false

// A cross-check of the store benchmarks for a busy machine, where the disk's fsync time swings with other processes'
// I/O. BenchmarkDotNet measures each variant in its own process, one after the other, so load that comes and goes
// between them lands in the ratios. This program runs the compared variants in one process and alternates them
// operation by operation in rotating order (A B C, B C A, C A B, ...), so every variant sees the same load; it
// reports the 10th percentile and the median of each. It uses the benchmarks' own code (the raw baselines, the EF
// peer, the fixture builder).
//
//     dotnet run -c Release benchmarks/EventSourcery.Benchmarks/CrossCheck/store-crosscheck.cs -- append|outbox|scale
//
// Two more modes are the experiments behind the findings in docs/benchmarks.md:
//
//     append-compile   the raw baseline, the same with new commands (compiled again) for every append as the store
//                      does it, and the store, all with synchronous=NORMAL so that no fsync hides the CPU cost
//     load-columns     loads of a 10- and a 10,000-event stream: the raw baseline (6 columns, one query); the store's
//                      paged query (500 events a page) and 13 columns read the store's way (IsDBNull + Get), compiled
//                      for every page as the store does; then prepared once; then with a literal LIMIT; then without
//                      the stream's columns; then without IsDBNull before NOT NULL columns; and Repository.LoadAsync
using System.Diagnostics;
using EventSourcery;
using EventSourcery.Benchmarks.Store;
using EventSourcery.Serialization;
using Microsoft.Data.Sqlite;

var what = args.Length > 0 ? args[0] : "append";
using var directory = new TempDirectory("crosscheck");
switch (what)
{
    case "append":
        await Append(directory);
        break;
    case "outbox":
        await OutboxDelivery(directory);
        break;
    case "scale":
        await Scale(directory);
        break;
    case "append-compile":
        await AppendCompile(directory);
        break;
    case "load-columns":
        await LoadColumns(directory);
        break;
    default:
        Console.Error.WriteLine("usage: store-crosscheck.cs append|outbox|scale|append-compile|load-columns");
        return 1;
}

return 0;

// Store, raw baseline and EF peer: one append each per round, in rotating order, to their own files.
static async Task Append(TempDirectory directory)
{
    Console.WriteLine("append: microseconds per append (p10 / median), and the store's events/s as a fraction of the raw baseline's (from p10 / median)");
    foreach (var batch in new[] { 1, 10, 100 })
    {
        foreach (var existing in new[] { false, true })
        {
            var tag = $"{batch}-{existing}";
            await using var store = await SqliteEventStore.OpenAsync(SqliteFiles.ConnectionString(directory.File($"store-{tag}.db")));
            await SqliteFiles.CreateSchemaAsync(directory.File($"raw-{tag}.db"));
            using var raw = new RawSqliteAppender(directory.File($"raw-{tag}.db"));
            using var ef = new NaiveEfCoreStore(directory.File($"ef-{tag}.db"));
            var events = CartEvents.Create(batch, seed: 7);
            var id = StreamId.FromName("existing", "cart");
            long storeVersion = 0, rawVersion = 0, efVersion = 0;
            if (existing)
            {
                storeVersion = (await store.AppendAsync(id, FreshIds.Renew(events), ExpectedVersion.NoStream)).StreamVersion;
                rawVersion = raw.Append(id, FreshIds.Renew(events), ExpectedVersion.NoStream);
                efVersion = await ef.AppendAsync(id, FreshIds.Renew(events), ExpectedVersion.NoStream);
            }

            Func<Task>[] variants =
            [
                () => { FreshIds.Renew(events); rawVersion = existing ? raw.Append(id, events, ExpectedVersion.Exactly(rawVersion)) : raw.Append(StreamId.New("cart"), events, ExpectedVersion.NoStream); return Task.CompletedTask; },
                async () => storeVersion = existing ? (await store.AppendAsync(id, FreshIds.Renew(events), ExpectedVersion.Exactly(storeVersion))).StreamVersion : (await store.AppendAsync(StreamId.New("cart"), FreshIds.Renew(events), ExpectedVersion.NoStream)).StreamVersion,
                async () => efVersion = existing ? await ef.AppendAsync(id, FreshIds.Renew(events), ExpectedVersion.Exactly(efVersion)) : await ef.AppendAsync(StreamId.New("cart"), FreshIds.Renew(events), ExpectedVersion.NoStream),
            ];
            var times = await Alternate(variants, rounds: batch == 100 ? 300 : 1_000);
            var (raw10, rawMedian) = Summary(times[0]);
            var (store10, storeMedian) = Summary(times[1]);
            var (ef10, efMedian) = Summary(times[2]);
            Console.WriteLine(
                $"  batch {batch,3}, {(existing ? "existing" : "new"),-8} raw {raw10,6:F0} / {rawMedian,6:F0}  store {store10,6:F0} / {storeMedian,6:F0}  EF {ef10,6:F0} / {efMedian,6:F0}"
                + $"  | store vs raw {raw10 / store10:F2} / {rawMedian / storeMedian:F2}  store vs EF {ef10 / store10:F1}× / {efMedian / storeMedian:F1}×");
        }
    }
}

// Rounds of: publish 100 events (one per append, or ten per append), then deliver them with one RunOnceAsync.
static async Task OutboxDelivery(TempDirectory directory)
{
    const int N = 100;
    await using var store = await SqliteEventStore.OpenAsync(SqliteFiles.ConnectionString(directory.File("outbox.db")));
    var events = CartEvents.Create(N, seed: 19);
    var streams = Enumerable.Range(0, 10).Select(i => StreamId.FromName($"outbox-{i}", "cart")).ToArray();
    var outbox = new Outbox(store, (_, _) => ValueTask.CompletedTask);
    var publish1 = new List<double>();
    var publish10 = new List<double>();
    var deliver = new List<double>();
    for (var round = 0; round < 60; round++)
    {
        var one = round % 2 == 0;
        FreshIds.Renew(events); // ids are unique per store
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < N; i += one ? 1 : 10)
        {
            await store.PublishAsync(streams[i % 10], one ? [events[i]] : events[i..(i + 10)], ExpectedVersion.Any);
        }

        (one ? publish1 : publish10).Add(clock.Elapsed.TotalMicroseconds / N);
        clock.Restart();
        var delivered = await outbox.RunOnceAsync();
        deliver.Add(clock.Elapsed.TotalMicroseconds / N);
        if (delivered != N)
        {
            throw new InvalidOperationException($"Delivered {delivered} of {N}.");
        }
    }

    var (p1, m1) = Summary(publish1);
    var (p10, m10) = Summary(publish10);
    var (d, md) = Summary(deliver);
    Console.WriteLine($"outbox: microseconds per event (p10 / median): publish 1 per append {p1:F0} / {m1:F0}, publish 10 per append {p10:F0} / {m10:F0}, deliver {d:F0} / {md:F0}");
    Console.WriteLine($"  delivery rate vs publish rate: 1 per append {p1 / d:F2} / {m1 / md:F2}; 10 per append {p10 / d:F2} / {m10 / md:F2}");
}

// The scale fixtures side by side: an append and a read of a sampled stream per store and round, in rotating order.
static async Task Scale(TempDirectory directory)
{
    int[] sizes = [1_000, 10_000, 100_000, 1_000_000];
    var stores = new List<(SqliteEventStore Store, StreamId[] Streams)>();
    foreach (var size in sizes)
    {
        var file = directory.File($"scale-{size}.db");
        var streams = await StoreFixture.BuildAsync(file, size);
        stores.Add((await SqliteEventStore.OpenAsync(SqliteFiles.ConnectionString(file)), streams));
    }

    var batch = CartEvents.Create(StoreFixture.StreamLength, seed: 5);
    var next = 0;
    var appends = await Alternate(stores.Select(s => (Func<Task>)(async () => await s.Store.AppendAsync(StreamId.New("cart"), FreshIds.Renew(batch), ExpectedVersion.NoStream))).ToArray(), rounds: 2_000);
    var reads = await Alternate(stores.Select(s => (Func<Task>)(async () =>
    {
        await foreach (var recorded in s.Store.ReadStreamAsync(s.Streams[next++ % s.Streams.Length]))
        {
        }
    })).ToArray(), rounds: 2_000);
    Console.WriteLine("scale: microseconds (p10 / median) per append of 10 events and per read of a 10-event stream; in brackets relative to 1,000 events");
    var (a0, am0) = Summary(appends[0]);
    var (r0, rm0) = Summary(reads[0]);
    for (var k = 0; k < sizes.Length; k++)
    {
        var (a, am) = Summary(appends[k]);
        var (r, rm) = Summary(reads[k]);
        Console.WriteLine($"  {sizes[k],9:N0} events: append {a,5:F0} / {am,5:F0} ({a / a0:F2} / {am / am0:F2})   read {r,5:F0} / {rm,5:F0} ({r / r0:F2} / {rm / rm0:F2})");
    }

    foreach (var (store, _) in stores)
    {
        await store.DisposeAsync();
    }
}

// How much of the store's extra time per append is compiling its statements again for every append.
static async Task AppendCompile(TempDirectory directory)
{
    Console.WriteLine("append-compile (synchronous=NORMAL): microseconds per append to a new stream (p10 / median)");
    foreach (var batch in new[] { 1, 10, 100 })
    {
        await using var store = await SqliteEventStore.OpenAsync(SqliteFiles.ConnectionString(directory.File($"c-store-{batch}.db")), new SqliteEventStoreOptions { Synchronous = SqliteSynchronousMode.Normal });
        await SqliteFiles.CreateSchemaAsync(directory.File($"c-raw-{batch}.db"));
        await SqliteFiles.CreateSchemaAsync(directory.File($"c-fresh-{batch}.db"));
        using var raw = new RawSqliteAppender(directory.File($"c-raw-{batch}.db"), "NORMAL");
        using var fresh = new FreshCommandsAppender(directory.File($"c-fresh-{batch}.db"));
        var events = CartEvents.Create(batch, seed: 7);
        Func<Task>[] variants =
        [
            () => { raw.Append(StreamId.New("cart"), FreshIds.Renew(events), ExpectedVersion.NoStream); return Task.CompletedTask; },
            () => { fresh.Append(StreamId.New("cart"), FreshIds.Renew(events)); return Task.CompletedTask; },
            async () => await store.AppendAsync(StreamId.New("cart"), FreshIds.Renew(events), ExpectedVersion.NoStream),
        ];
        var times = await Alternate(variants, rounds: batch == 100 ? 500 : 2_000);
        var (r, rm) = Summary(times[0]);
        var (f, fm) = Summary(times[1]);
        var (st, sm) = Summary(times[2]);
        Console.WriteLine($"  batch {batch,3}: raw (prepared once) {r,5:F0} / {rm,5:F0}   raw, new commands per append {f,5:F0} / {fm,5:F0}   store {st,5:F0} / {sm,5:F0}");
    }
}

// How much of the store's extra load time is the columns it reads, and how much compiling its query for every read.
static async Task LoadColumns(TempDirectory directory)
{
    foreach (var count in new[] { 10, 10_000 })
    {
        var file = directory.File($"load-columns-{count}.db");
        var id = StreamId.FromName("cart-to-load", "cart");
        await using var store = await SqliteEventStore.OpenAsync(SqliteFiles.ConnectionString(file));
        var events = CartEvents.Create(count, seed: 11);
        for (var written = 0; written < events.Length; written += 1_000)
        {
            var chunk = events[written..Math.Min(events.Length, written + 1_000)];
            await store.AppendAsync(id, chunk, written == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(written));
        }

        var repository = new Repository<Cart>(store);
        using var raw = new RawSqliteLoader(file);
        // Each loader changes one thing from the one before, starting from what the store does.
        using var compiled = new ColumnsLoader(file, ColumnsLoader.Shape.StoreColumns, compileEveryLoad: true, literalLimit: false);
        using var prepared = new ColumnsLoader(file, ColumnsLoader.Shape.StoreColumns, compileEveryLoad: false, literalLimit: false);
        using var literalLimit = new ColumnsLoader(file, ColumnsLoader.Shape.StoreColumns, compileEveryLoad: false, literalLimit: true);
        using var event9 = new ColumnsLoader(file, ColumnsLoader.Shape.EventColumns, compileEveryLoad: false, literalLimit: true);
        using var event9NoNullChecks = new ColumnsLoader(file, ColumnsLoader.Shape.EventColumnsNoNullChecks, compileEveryLoad: false, literalLimit: true);
        string[] names =
        [
            "raw, 6 columns (the baseline)",
            "store's query and 13 columns, compiled per page",
            "  prepared once",
            "  and LIMIT 500 instead of LIMIT $limit (= 500)",
            "  and 9 columns (no stream columns)",
            "  and no IsDBNull before NOT NULL columns",
            "Repository.LoadAsync",
        ];
        Func<Task>[] variants =
        [
            () => { raw.LoadCart(id); return Task.CompletedTask; },
            () => { compiled.LoadCart(id); return Task.CompletedTask; },
            () => { prepared.LoadCart(id); return Task.CompletedTask; },
            () => { literalLimit.LoadCart(id); return Task.CompletedTask; },
            () => { event9.LoadCart(id); return Task.CompletedTask; },
            () => { event9NoNullChecks.LoadCart(id); return Task.CompletedTask; },
            async () => await repository.LoadAsync(id),
        ];
        var times = await Alternate(variants, rounds: count == 10 ? 5_000 : 60);
        Console.WriteLine($"load-columns: microseconds per load of a {count:N0}-event cart (p10 / median)");
        for (var k = 0; k < variants.Length; k++)
        {
            var (p10, median) = Summary(times[k]);
            Console.WriteLine($"  {names[k],-46} {p10,8:F1} / {median,8:F1}");
        }
    }
}

// Runs the variants in rotating order (round r starts with variant r mod n); the first fifth of the rounds warms up.
static async Task<List<double>[]> Alternate(Func<Task>[] variants, int rounds)
{
    var times = variants.Select(_ => new List<double>()).ToArray();
    for (var round = 0; round < rounds; round++)
    {
        for (var k = 0; k < variants.Length; k++)
        {
            var v = (round + k) % variants.Length;
            var clock = Stopwatch.StartNew();
            await variants[v]();
            if (round >= rounds / 5)
            {
                times[v].Add(clock.Elapsed.TotalMicroseconds);
            }
        }
    }

    return times;
}

static (double P10, double Median) Summary(List<double> values)
{
    var sorted = values.Order().ToList();
    return (sorted[sorted.Count / 10], sorted[sorted.Count / 2]);
}

/// <summary>The raw baseline's statements, but with new commands for every append (compiled again each time), as the store does.</summary>
internal sealed class FreshCommandsAppender(string path) : IDisposable
{
    private readonly SqliteConnection _connection = SqliteFiles.Open(path, "NORMAL");
    private readonly EventSerializer _serializer = new(EventRegistry.Default);

    public void Append(StreamId id, IReadOnlyList<Event> events)
    {
        var serialized = events.Select(_serializer.Serialize).ToArray();
        using var transaction = _connection.BeginTransaction(deferred: false);
        using (var find = Command(transaction, "SELECT stream_key, version, name FROM es_streams WHERE tenant_id = $tenant AND category = $category AND stream_id = $stream_id;"))
        {
            find.Parameters.AddWithValue("$tenant", "");
            find.Parameters.AddWithValue("$category", id.Category ?? "");
            find.Parameters.AddWithValue("$stream_id", SqliteFiles.Text(id.Value));
            using var reader = find.ExecuteReader();
            if (reader.Read())
            {
                throw new InvalidOperationException("Only new streams here.");
            }
        }

        long key;
        using (var insertStream = Command(transaction, "INSERT INTO es_streams (tenant_id, category, stream_id, name, version) VALUES ($tenant, $category, $stream_id, $name, $version) RETURNING stream_key;"))
        {
            insertStream.Parameters.AddWithValue("$tenant", "");
            insertStream.Parameters.AddWithValue("$category", id.Category ?? "");
            insertStream.Parameters.AddWithValue("$stream_id", SqliteFiles.Text(id.Value));
            insertStream.Parameters.AddWithValue("$name", DBNull.Value);
            insertStream.Parameters.AddWithValue("$version", (long)events.Count);
            key = (long)insertStream.ExecuteScalar()!;
        }

        using var insert = Command(transaction, """
            INSERT INTO es_events (stream_key, version, event_id, event_name, schema_version, payload, metadata, created_at, recorded_at)
            VALUES ($stream_key, $version, $event_id, $event_name, $schema_version, $payload, $metadata, $created_at, $recorded_at)
            RETURNING position;
            """);
        var p = insert.Parameters;
        p.Add("$stream_key", SqliteType.Integer).Value = key;
        var version = p.Add("$version", SqliteType.Integer);
        var eventId = p.Add("$event_id", SqliteType.Text);
        var name = p.Add("$event_name", SqliteType.Text);
        var schema = p.Add("$schema_version", SqliteType.Integer);
        var payload = p.Add("$payload", SqliteType.Text);
        var metadata = p.Add("$metadata", SqliteType.Text);
        var createdAt = p.Add("$created_at", SqliteType.Text);
        p.AddWithValue("$recorded_at", SqliteFiles.Text(DateTimeOffset.UtcNow));
        insert.Prepare();
        for (var i = 0; i < events.Count; i++)
        {
            version.Value = i + 1L;
            eventId.Value = SqliteFiles.Text(events[i].Id);
            name.Value = serialized[i].Type.Name;
            schema.Value = serialized[i].Type.SchemaVersion;
            payload.Value = serialized[i].Payload;
            metadata.Value = (object?)serialized[i].Metadata ?? DBNull.Value;
            createdAt.Value = SqliteFiles.Text(events[i].CreatedAt);
            insert.ExecuteScalar();
        }

        transaction.Commit();
    }

    public void Dispose() => _connection.Dispose();

    private SqliteCommand Command(SqliteTransaction transaction, string sql)
    {
        var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }
}

/// <summary>A raw loader that reads the store's columns in the store's way (or fewer), to price each column.</summary>
internal sealed class ColumnsLoader : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly EventSerializer _serializer = new(EventRegistry.Default);
    private readonly Shape _shape;
    private readonly bool _compileEveryLoad;
    private readonly string _sql;
    private SqliteCommand _query;

    public ColumnsLoader(string path, Shape shape, bool compileEveryLoad, bool literalLimit)
    {
        _shape = shape;
        _compileEveryLoad = compileEveryLoad;
        _connection = SqliteFiles.Open(path);
        // The store's ReadStreamPageSql, or the same without the stream's columns.
        var streamColumns = shape == Shape.StoreColumns ? ", s.tenant_id, s.category, s.stream_id, s.name" : "";
        _sql = $"""
            SELECT e.position, e.version, e.event_id, e.event_name, e.schema_version, e.payload, e.metadata, e.created_at, e.recorded_at{streamColumns}
            FROM es_events e JOIN es_streams s ON s.stream_key = e.stream_key
            WHERE s.tenant_id = $tenant AND s.category = $category AND s.stream_id = $stream_id
              AND e.version >= $from AND e.version <= $to
            ORDER BY e.version
            LIMIT {(literalLimit ? "500" : "$limit")};
            """;
        _query = NewQuery();
        _query.Prepare();
    }

    public enum Shape
    {
        StoreColumns,
        EventColumns,
        EventColumnsNoNullChecks,
    }

    /// <summary>Loads the cart page by page (500 events), as <c>SqliteEventStore.ReadStreamAsync</c> does.</summary>
    public Cart LoadCart(StreamId id)
    {
        var cart = new Cart();
        var from = 1L;
        while (true)
        {
            if (_compileEveryLoad)
            {
                _query.Dispose();
                _query = NewQuery();
            }

            _query.Parameters["$category"].Value = id.Category ?? "";
            _query.Parameters["$stream_id"].Value = SqliteFiles.Text(id.Value);
            _query.Parameters["$from"].Value = from;
            var rows = 0;
            using (var reader = _query.ExecuteReader())
            {
                while (reader.Read())
                {
                    rows++;
                    from = reader.GetInt64(1) + 1;
                    cart.ApplyDirectly(Read(reader, id));
                }
            }

            if (rows < 500)
            {
                return cart;
            }
        }
    }

    private Event Read(SqliteDataReader reader, StreamId id)
    {
        if (_shape == Shape.EventColumnsNoNullChecks)
        {
            var e = _serializer.Deserialize(id, reader.GetInt64(1), reader.GetInt64(0), reader.GetString(3), reader.GetFieldValue<byte[]>(5), Guid.Parse(reader.GetString(2)), SqliteFiles.ParseTime(reader.GetString(7)), reader.IsDBNull(6) ? [] : reader.GetFieldValue<byte[]>(6));
            _ = reader.GetInt64(4);
            _ = SqliteFiles.ParseTime(reader.GetString(8));
            return e;
        }

        // As SqliteStorage.ReadEventRow does: IsDBNull before every nullable read, every column kept.
        var position = reader.GetInt64(0);
        var version = reader.GetInt64(1);
        var eventId = Text(reader, 2);
        var name = Text(reader, 3);
        _ = reader.IsDBNull(4) ? 0 : reader.GetInt64(4);
        var payload = reader.IsDBNull(5) ? null : reader.GetFieldValue<byte[]>(5);
        var metadata = reader.IsDBNull(6) ? null : reader.GetFieldValue<byte[]>(6);
        var createdAt = Text(reader, 7);
        _ = SqliteFiles.ParseTime(Text(reader, 8)!);
        if (_shape == Shape.StoreColumns)
        {
            _ = (Text(reader, 9), Text(reader, 10), Text(reader, 11), Text(reader, 12));
        }

        return _serializer.Deserialize(id, version, position, name, payload ?? [], Guid.Parse(eventId!), SqliteFiles.ParseTime(createdAt!), metadata ?? []);
    }

    public void Dispose()
    {
        _query.Dispose();
        _connection.Dispose();
    }

    private static string? Text(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private SqliteCommand NewQuery()
    {
        var query = _connection.CreateCommand();
        query.CommandText = _sql;
        query.Parameters.AddWithValue("$tenant", "");
        query.Parameters.AddWithValue("$category", "");
        query.Parameters.AddWithValue("$stream_id", "");
        query.Parameters.AddWithValue("$from", 1L);
        query.Parameters.AddWithValue("$to", long.MaxValue);
        if (_sql.Contains("$limit", StringComparison.Ordinal))
        {
            query.Parameters.AddWithValue("$limit", 500);
        }

        return query;
    }
}
