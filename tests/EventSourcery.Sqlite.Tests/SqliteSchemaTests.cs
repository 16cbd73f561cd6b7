using EventSourcery.Relational.Schema;
using EventSourcery.Relational.Storage;
using EventSourcery.Sqlite.Schema;
using EventSourcery.StoreContract;
using Microsoft.EntityFrameworkCore;

namespace EventSourcery.Sqlite.Tests;

public sealed class SqliteSchemaTests
{
    [Fact]
    public async Task The_first_open_creates_the_tables_and_switches_the_file_to_wal()
    {
        await using var db = new TempDatabase();
        Assert.False(File.Exists(db.Path));

        await db.OpenStoreAsync();

        var tables = await db.TablesAsync();
        Assert.Contains("es_streams", tables);
        Assert.Contains("es_events", tables);
        Assert.Contains("es_outbox", tables);
        Assert.Equal("wal", await db.ScalarAsync("PRAGMA journal_mode"));
        var indexes = (await db.RowsAsync("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name LIKE 'es_%'")).ToDictionary(r => (string)r[0]!, r => (string?)r[1]);
        Assert.Contains("UNIQUE", indexes["ux_es_streams_identity"], StringComparison.Ordinal);
        Assert.Contains("UNIQUE", indexes["ux_es_events_stream_version"], StringComparison.Ordinal);
        var events = (string)(await db.ScalarAsync("SELECT sql FROM sqlite_master WHERE name = 'es_events'"))!;
        Assert.Contains("AUTOINCREMENT", events, StringComparison.Ordinal);
    }

    [Fact]
    public void The_owned_stores_statements_are_what_EF_Core_generates_from_the_model_table_by_table()
    {
        using var context = new ShopContext(new DbContextOptionsBuilder<ShopContext>().UseSqlite("Data Source=:memory:").Options);

        foreach (var table in Tables.All)
        {
            var fromModel = SchemaCreator.CreateStatements(context, new HashSet<string> { table }).Select(s => s.Trim());
            Assert.Equal(fromModel, SqliteSchema.For(table).Select(s => s.Trim()));
        }

        var all = new HashSet<string>(Tables.All);
        Assert.Equal(
            SchemaCreator.CreateStatements(context, all).Select(s => s.Trim()).Order(StringComparer.Ordinal),
            SqliteSchema.CreateStatements(all).Select(s => s.Trim()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_owned_stores_tables_match_those_a_user_context_creates_column_for_column()
    {
        await using var owned = new TempDatabase();
        await owned.OpenStoreAsync();
        await using var user = new TempDatabase();
        await using (var context = new ShopContext(new DbContextOptionsBuilder<ShopContext>().UseSqlite($"Data Source={user.Path}").Options))
        {
            await using var store = new SqliteDbContextEventStore(context);
            await store.ReadHeadPositionAsync(); // the first operation creates the tables
        }

        const string Schema = "SELECT type, name, sql FROM sqlite_master WHERE name LIKE '%es_%' ORDER BY name";
        var expected = (await user.RowsAsync(Schema)).Select(r => string.Join('|', r));
        Assert.Equal(expected, (await owned.RowsAsync(Schema)).Select(r => string.Join('|', r)));
    }

    [Fact]
    public async Task The_columns_follow_the_documented_schema()
    {
        await using var db = new TempDatabase();
        await db.OpenStoreAsync();

        async Task<string[]> Columns(string table)
            => (await db.RowsAsync($"SELECT name FROM pragma_table_info('{table}') ORDER BY cid")).Select(r => (string)r[0]!).ToArray();

        Assert.Equal(["stream_key", "tenant_id", "category", "stream_id", "name", "version"], await Columns("es_streams"));
        Assert.Equal(["position", "stream_key", "tenant_id", "version", "event_id", "event_name", "schema_version", "payload", "metadata", "created_at", "recorded_at"], await Columns("es_events"));
        Assert.Superset(
            new HashSet<string> { "id", "position", "tenant_id", "category", "stream_id", "version", "event_id", "event_name", "schema_version", "payload", "metadata", "created_at", "recorded_at", "attempts", "last_error", "retry_at", "dead_lettered_at", "claimed_by", "lease_until" },
            (await Columns("es_outbox")).ToHashSet());
    }

    [Fact]
    public async Task A_second_open_of_the_same_file_sees_the_schema_and_the_data()
    {
        await using var db = new TempDatabase();
        var first = await db.OpenStoreAsync();
        var id = StreamId.New();
        await first.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);

        var second = await db.OpenStoreAsync();
        await second.AppendAsync(id, [new TurnedOff()], ExpectedVersion.Exactly(1));

        Assert.Equal(["TurnedOn", "TurnedOff"], (await Read.StreamAsync(first, id)).Select(e => e.EventName));
        Assert.Equal(["TurnedOn", "TurnedOff"], (await Read.StreamAsync(second, id)).Select(e => e.EventName));
    }

    [Fact]
    public async Task Stores_opened_at_once_on_a_new_file_all_succeed()
    {
        await using var db = new TempDatabase();

        var stores = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => db.OpenStoreAsync())));
        var results = await Task.WhenAll(stores.Select((s, i) => Task.Run(() => s.AppendAsync(StreamId.New(), [new NoteAdded($"{i}", i, DateTimeOffset.UtcNow)], ExpectedVersion.NoStream).AsTask())));

        Assert.Equal(4, results.Select(r => r.LastPosition).Distinct().Count());
        Assert.Equal(4, (await Read.AllAsync(stores[0])).Count);
    }

    [Fact]
    public async Task Other_tables_in_the_file_are_left_alone()
    {
        await using var db = new TempDatabase();
        await db.ExecuteAsync("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL); INSERT INTO customers (name) VALUES ('ada');");

        var store = await db.OpenStoreAsync();
        await store.AppendAsync(StreamId.New(), [new TurnedOn()], ExpectedVersion.NoStream);

        Assert.Equal("ada", await db.ScalarAsync("SELECT name FROM customers"));
        Assert.Contains("es_events", await db.TablesAsync());
    }

    [Fact]
    public async Task A_missing_table_is_created_on_the_next_open_and_the_others_keep_their_data()
    {
        await using var db = new TempDatabase();
        var store = await db.OpenStoreAsync();
        var id = StreamId.New();
        await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);
        await store.DisposeAsync();
        await db.ExecuteAsync("DROP TABLE es_outbox");

        var reopened = await db.OpenStoreAsync();
        await reopened.PublishAsync(id, [new TurnedOff()], ExpectedVersion.Exactly(1));

        Assert.Contains("es_outbox", await db.TablesAsync());
        Assert.Equal(2, (await Read.StreamAsync(reopened, id)).Count);
        Assert.Single(await db.OutboxPositionsAsync());
    }

    [Fact]
    public async Task The_checkpoint_table_is_keyed_by_tenant_and_projection_name()
    {
        await using var db = new TempDatabase();
        var store = await db.OpenStoreAsync();

        var columns = await db.RowsAsync("SELECT name, pk FROM pragma_table_info('es_checkpoints') ORDER BY cid");
        Assert.Equal([("tenant_id", 1L), ("name", 2L), ("position", 0L), ("updated_at", 0L)], columns.Select(r => ((string)r[0]!, (long)r[1]!)));
        var load = await QueryPlan.StepsAsync(store, EventSourcery.Sqlite.Storage.SqliteStorage.LoadCheckpointSql, ("$tenant", ""), ("$name", "log"));
        Assert.StartsWith("SEARCH es_checkpoints USING INDEX sqlite_autoindex_es_checkpoints_1 (tenant_id=? AND name=?)", Assert.Single(load), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_from_before_checkpoints_gets_the_table_on_the_next_open_and_keeps_its_events()
    {
        await using var db = new TempDatabase();
        var store = await db.OpenStoreAsync();
        await store.AppendAsync(StreamId.New(), [new TurnedOn()], ExpectedVersion.NoStream);
        await store.DisposeAsync();
        await db.ExecuteAsync("DROP TABLE es_checkpoints");

        var reopened = await db.OpenStoreAsync();
        var runner = new ProjectionRunner(reopened, new Nothing());

        Assert.Equal(1, await runner.RunOnceAsync());
        Assert.Equal(1L, await db.ScalarAsync("SELECT COUNT(*) FROM es_checkpoints"));
    }

    [Fact]
    public async Task An_events_table_from_before_events_carried_their_tenant_is_upgraded_on_open()
    {
        await using var db = new TempDatabase();
        long acmeLast, defaultLast;
        await using (var store = await SqliteEventStore.OpenAsync(db.ConnectionString))
        {
            await store.AppendAsync(StreamId.New(), [new TurnedOn(), new TurnedOff()], ExpectedVersion.NoStream);
            acmeLast = (await store.ForTenant("acme").AppendAsync(StreamId.New(), [new TurnedOn(), new TurnedOff(), new TurnedOn()], ExpectedVersion.NoStream)).LastPosition;
            defaultLast = (await store.AppendAsync(StreamId.New(), [new TurnedOn()], ExpectedVersion.NoStream)).LastPosition;
        }

        // The table as the first release made it: no tenant column, no index for it.
        await db.ExecuteAsync($"DROP INDEX {Storage.SqliteStorage.EventsByTenantIndex}; ALTER TABLE es_events DROP COLUMN tenant_id;");
        Assert.Equal(0L, await db.ScalarAsync("SELECT COUNT(*) FROM pragma_table_info('es_events') WHERE name = 'tenant_id'"));

        var reopened = await db.OpenStoreAsync();
        var acme = reopened.ForTenant("acme");

        Assert.Equal(3, (await Read.AllAsync(acme)).Count);
        Assert.Equal(3, (await Read.AllAsync(reopened)).Count);
        Assert.Equal(acmeLast, await ((ICheckpointStore)acme).ReadHeadPositionAsync());
        Assert.Equal(defaultLast, await reopened.ReadHeadPositionAsync());
        Assert.Equal(1L, await db.ScalarAsync($"SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = '{Storage.SqliteStorage.EventsByTenantIndex}'"));
        Assert.Equal(3L, await db.ScalarAsync("SELECT COUNT(*) FROM es_events WHERE tenant_id = 'acme'"));

        // New appends carry their tenant too.
        await acme.AppendAsync(StreamId.New(), [new TurnedOff()], ExpectedVersion.NoStream);
        Assert.Equal(4, (await Read.AllAsync(acme)).Count);
    }

    [Fact]
    public async Task A_file_from_before_event_ids_were_unique_gets_the_index_on_open()
    {
        await using var db = new TempDatabase();
        var on = new TurnedOn();
        await using (var store = await SqliteEventStore.OpenAsync(db.ConnectionString))
        {
            await store.AppendAsync(StreamId.New(), [on, new TurnedOff()], ExpectedVersion.NoStream);
        }

        await db.ExecuteAsync($"DROP INDEX {Storage.SqliteStorage.EventIdIndex};");

        var reopened = await db.OpenStoreAsync();

        var sql = (string?)await db.ScalarAsync($"SELECT sql FROM sqlite_master WHERE type = 'index' AND name = '{Storage.SqliteStorage.EventIdIndex}'");
        Assert.Contains("UNIQUE INDEX", sql, StringComparison.Ordinal);
        await Assert.ThrowsAsync<DuplicateEventIdException>(() => reopened.AppendAsync(StreamId.New(), [on], ExpectedVersion.NoStream).AsTask());
    }

    [Fact]
    public async Task A_file_that_stored_an_event_id_twice_is_refused_naming_the_id_and_its_positions()
    {
        await using var db = new TempDatabase();
        var on = new TurnedOn();
        await using (var store = await SqliteEventStore.OpenAsync(db.ConnectionString))
        {
            await store.AppendAsync(StreamId.New(), [on], ExpectedVersion.NoStream);
            await store.AppendAsync(StreamId.New(), [new TurnedOff()], ExpectedVersion.NoStream);
        }

        // What an earlier release let through: the same id stored again.
        await db.ExecuteAsync($"DROP INDEX {Storage.SqliteStorage.EventIdIndex}; UPDATE es_events SET event_id = (SELECT event_id FROM es_events WHERE position = 1) WHERE position = 2;");

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => SqliteEventStore.OpenAsync(db.ConnectionString));

        Assert.Contains(on.Id.ToString().ToUpperInvariant(), ex.Message, StringComparison.Ordinal);
        Assert.Contains("positions 1, 2", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2L, await db.ScalarAsync("SELECT COUNT(*) FROM es_events")); // nothing changed
    }

    [Fact]
    public async Task The_connection_gets_the_configured_pragmas()
    {
        await using var db = new TempDatabase();
        var full = await db.OpenStoreAsync();
        var normal = await db.OpenStoreAsync(new SqliteEventStoreOptions { Synchronous = SqliteSynchronousMode.Normal, BusyTimeout = TimeSpan.FromMilliseconds(1_500), MemoryMapSize = 0 });

        Assert.Equal(2L, Pragma(full, "synchronous"));
        Assert.Equal(5_000L, Pragma(full, "busy_timeout"));
        Assert.Equal(1L, Pragma(full, "foreign_keys"));
        Assert.Equal(256L * 1024 * 1024, Pragma(full, "mmap_size"));
        Assert.Equal(1L, Pragma(normal, "synchronous"));
        Assert.Equal(1_500L, Pragma(normal, "busy_timeout"));
        Assert.Equal(0L, Pragma(normal, "mmap_size"));
    }

    [Fact]
    public async Task Open_rejects_a_missing_connection_string_and_bad_options()
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => SqliteEventStore.OpenAsync(""));
        await Assert.ThrowsAsync<ArgumentNullException>(() => SqliteEventStore.OpenAsync(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SqliteEventStoreOptions { BusyTimeout = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new SqliteEventStoreOptions { MemoryMapSize = -1 });
        Assert.Throws<ArgumentNullException>(() => new SqliteEventStoreOptions { Registry = null! });
    }

    private sealed class Nothing : IProjection
    {
        public string Name => "nothing";

        public ValueTask HandleAsync(RecordedEvent recorded, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private static object? Pragma(SqliteEventStore store, string name)
    {
        using var command = store.Connection.CreateCommand();
        command.CommandText = $"PRAGMA {name}";
        return command.ExecuteScalar();
    }
}
