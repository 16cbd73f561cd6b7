using EventSourcery.StoreContract;
using Microsoft.Data.Sqlite;

namespace EventSourcery.Sqlite.Tests;

/// <summary>The synchronous constructor: nothing happens until the first operation, which then does what OpenAsync does.</summary>
public sealed class SqliteConstructorTests : IAsyncLifetime
{
    private readonly TempDatabase _db = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _db.DisposeAsync().AsTask();

    [Fact]
    public async Task Constructing_touches_nothing_and_the_first_operation_opens_sets_up_and_creates_the_schema()
    {
        var store = _db.Own(new SqliteEventStore(_db.ConnectionString, new SqliteEventStoreOptions { Synchronous = SqliteSynchronousMode.Normal, BusyTimeout = TimeSpan.FromMilliseconds(2_500) }));

        Assert.False(File.Exists(_db.Path));
        Assert.Equal(System.Data.ConnectionState.Closed, store.Connection.State);

        var id = StreamId.New();
        await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);

        Assert.True(File.Exists(_db.Path));
        Assert.Equal(System.Data.ConnectionState.Open, store.Connection.State); // kept open, so its pragmas last
        Assert.Equal("wal", Pragma(store, "journal_mode"));
        Assert.Equal(1L, Pragma(store, "synchronous"));
        Assert.Equal(2_500L, Pragma(store, "busy_timeout"));
        Assert.Equal(1L, Pragma(store, "foreign_keys"));
        Assert.Superset(new HashSet<string> { "es_streams", "es_events", "es_outbox", "es_snapshots" }, await _db.TablesAsync());

        await store.AppendAsync(id, [new TurnedOff()], ExpectedVersion.Exactly(1));
        Assert.Equal(2, (await Read.StreamAsync(store, id)).Count);
    }

    [Fact]
    public async Task Many_first_operations_at_once_set_the_store_up_once_and_all_succeed()
    {
        var store = _db.Own(new SqliteEventStore(_db.ConnectionString));
        var views = new[] { (IEventStore)store, store.ForTenant("acme") };

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => views[i % 2].PublishAsync(StreamId.New(), [new TurnedOn()], ExpectedVersion.NoStream).AsTask())));

        Assert.Equal(8, results.Select(r => r.LastPosition).Distinct().Count());
        Assert.Equal(4, (await Read.AllAsync(store)).Count);
        Assert.Equal(8, (await _db.OutboxPositionsAsync()).Count);
    }

    [Fact]
    public async Task A_failing_first_use_surfaces_from_that_operation_and_the_next_one_tries_again()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"eventsourcery-missing-{Guid.NewGuid():N}");
        var path = Path.Combine(directory, "events.db");
        var store = new SqliteEventStore($"Data Source={path};Pooling=False");
        try
        {
            await Assert.ThrowsAsync<SqliteException>(() => store.AppendAsync(StreamId.New(), [new TurnedOn()], ExpectedVersion.NoStream).AsTask());
            Assert.False(Directory.Exists(directory));

            Directory.CreateDirectory(directory);
            var id = StreamId.New();
            await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);
            Assert.Single(await Read.StreamAsync(store, id));
            Assert.Equal("wal", Pragma(store, "journal_mode"));
        }
        finally
        {
            await store.DisposeAsync();
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [Fact]
    public async Task A_store_disposed_before_its_first_use_never_creates_the_file()
    {
        var store = new SqliteEventStore(_db.ConnectionString);

        await store.DisposeAsync();

        Assert.False(File.Exists(_db.Path));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.AppendAsync(StreamId.New(), [new TurnedOn()], ExpectedVersion.NoStream).AsTask());
    }

    [Fact]
    public async Task A_constructed_store_and_an_opened_one_share_the_file()
    {
        var constructed = _db.Own(new SqliteEventStore(_db.ConnectionString));
        var opened = await _db.OpenStoreAsync();
        var id = StreamId.New();

        await opened.PublishAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);
        await constructed.PublishAsync(id, [new TurnedOff()], ExpectedVersion.Exactly(1));

        Assert.Equal(["TurnedOn", "TurnedOff"], (await Read.StreamAsync(opened, id)).Select(e => e.EventName));
        var delivered = new List<string>();
        await new Outbox(constructed, (e, _) =>
        {
            delivered.Add(e.EventName);
            return ValueTask.CompletedTask;
        }).RunOnceAsync();
        Assert.Equal(["TurnedOn", "TurnedOff"], delivered);
    }

    [Fact]
    public void The_constructor_rejects_a_missing_or_malformed_connection_string()
    {
        Assert.Throws<ArgumentNullException>(() => new SqliteEventStore((string)null!));
        Assert.Throws<ArgumentException>(() => new SqliteEventStore(" "));
        Assert.ThrowsAny<ArgumentException>(() => new SqliteEventStore("Data Source=x.db;Nonsense=1"));
    }

    private static object? Pragma(SqliteEventStore store, string name)
    {
        using var command = store.Connection.CreateCommand();
        command.CommandText = $"PRAGMA {name}";
        return command.ExecuteScalar();
    }
}
