using EventSourcery.StoreContract;
using Microsoft.EntityFrameworkCore;

namespace EventSourcery.Sqlite.Tests;

/// <summary>A user's own EF Core context that also holds the event store's tables.</summary>
public sealed class ShopContext(DbContextOptions<ShopContext> options) : DbContext(options)
{
    public DbSet<Order> Orders => Set<Order>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Order>(o =>
        {
            o.ToTable("orders");
            o.HasKey(x => x.Id);
        });
        modelBuilder.AddEventSourcery();
    }
}

/// <summary>A context that forgot <c>AddEventSourcery</c>.</summary>
public sealed class ForgetfulContext(DbContextOptions<ForgetfulContext> options) : DbContext(options)
{
    public DbSet<Order> Orders => Set<Order>();
}

public sealed class Order
{
    public int Id { get; set; }

    public string Customer { get; set; } = "";
}

public sealed class SqliteDbContextTests : IAsyncLifetime
{
    private readonly TempDatabase _db = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _db.DisposeAsync().AsTask();

    [Fact]
    public async Task Committing_the_users_transaction_keeps_the_entity_and_the_events()
    {
        var context = await CreateContextAsync();
        var store = _db.Own(new SqliteDbContextEventStore(context));
        var observer = await _db.OpenStoreAsync();
        var id = StreamId.New("order");

        await using (var transaction = await context.Database.BeginTransactionAsync())
        {
            context.Orders.Add(new Order { Customer = "ada" });
            await context.SaveChangesAsync();
            await store.PublishAsync(id, [new TurnedOn(), new NoteAdded("placed", 1, DateTimeOffset.UtcNow)], ExpectedVersion.NoStream);

            Assert.Empty(await Read.StreamAsync(observer, id)); // not committed yet: another connection sees nothing
            Assert.Equal(2, (await Read.StreamAsync(store, id)).Count); // but the transaction sees its own writes
            await transaction.CommitAsync();
        }

        Assert.Equal(2, (await Read.StreamAsync(observer, id)).Count);
        Assert.Equal("ada", await _db.ScalarAsync("SELECT customer FROM orders"));
        Assert.Equal(2, (await _db.OutboxPositionsAsync()).Count);
    }

    [Fact]
    public async Task Rolling_back_the_users_transaction_leaves_neither_the_entity_nor_the_events()
    {
        var context = await CreateContextAsync();
        var store = _db.Own(new SqliteDbContextEventStore(context));
        var id = StreamId.New("order");

        await using (var transaction = await context.Database.BeginTransactionAsync())
        {
            context.Orders.Add(new Order { Customer = "bob" });
            await context.SaveChangesAsync();
            await store.PublishAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);
            await transaction.RollbackAsync();
        }

        Assert.Equal(0L, await _db.ScalarAsync("SELECT COUNT(*) FROM orders"));
        Assert.Equal(0L, await _db.ScalarAsync("SELECT COUNT(*) FROM es_streams"));
        Assert.Equal(0L, await _db.ScalarAsync("SELECT COUNT(*) FROM es_events"));
        Assert.Empty(await _db.OutboxPositionsAsync());
        Assert.Empty(await Read.StreamAsync(store, id));

        // The store carries on without the user's transaction: the stream starts afresh.
        Assert.Equal(1, (await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream)).StreamVersion);
    }

    [Fact]
    public async Task Without_a_users_transaction_each_append_commits_by_itself()
    {
        var context = await CreateContextAsync();
        var store = _db.Own(new SqliteDbContextEventStore(context));
        var observer = await _db.OpenStoreAsync();
        var id = StreamId.New();

        await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);

        Assert.Single(await Read.StreamAsync(observer, id));
        await Assert.ThrowsAsync<ConcurrencyException>(() => store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream).AsTask());
    }

    [Fact]
    public async Task A_failed_append_inside_the_users_transaction_leaves_the_transaction_usable()
    {
        var context = await CreateContextAsync();
        var store = _db.Own(new SqliteDbContextEventStore(context));
        var id = StreamId.New();
        await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);

        await using (var transaction = await context.Database.BeginTransactionAsync())
        {
            context.Orders.Add(new Order { Customer = "cy" });
            await context.SaveChangesAsync();
            var ex = await Assert.ThrowsAsync<ConcurrencyException>(() => store.AppendAsync(id, [new TurnedOff()], ExpectedVersion.NoStream).AsTask());
            Assert.Equal(1, ex.Actual);
            await store.AppendAsync(id, [new TurnedOff()], ExpectedVersion.Exactly(1));
            await transaction.CommitAsync();
        }

        Assert.Equal("cy", await _db.ScalarAsync("SELECT customer FROM orders"));
        Assert.Equal(["TurnedOn", "TurnedOff"], (await Read.StreamAsync(store, id)).Select(e => e.EventName));
    }

    [Fact]
    public async Task A_lost_race_inside_the_users_transaction_undoes_only_the_append()
    {
        var context = await CreateContextAsync();
        var store = _db.Own(new SqliteDbContextEventStore(context));
        var id = StreamId.New();
        await _db.ExecuteAsync("""
            CREATE TRIGGER steal_version_2 BEFORE INSERT ON es_events WHEN NEW.version = 2
            BEGIN
                INSERT INTO es_events (stream_key, version, event_id, event_name, schema_version, payload, metadata, created_at, recorded_at)
                VALUES (NEW.stream_key, 2, NEW.event_id, NEW.event_name, NEW.schema_version, NEW.payload, NEW.metadata, NEW.created_at, NEW.recorded_at);
            END;
            """);

        await using (var transaction = await context.Database.BeginTransactionAsync())
        {
            context.Orders.Add(new Order { Customer = "di" });
            await context.SaveChangesAsync();
            var ex = await Assert.ThrowsAsync<ConcurrencyException>(() => store.AppendAsync(id, [new TurnedOn(), new TurnedOff()], ExpectedVersion.NoStream).AsTask());
            Assert.Null(ex.Actual);
            await transaction.CommitAsync();
        }

        Assert.Equal("di", await _db.ScalarAsync("SELECT customer FROM orders"));
        Assert.Equal(0L, await _db.ScalarAsync("SELECT COUNT(*) FROM es_streams"));
        Assert.Equal(0L, await _db.ScalarAsync("SELECT COUNT(*) FROM es_events"));
    }

    [Fact]
    public async Task Missing_store_tables_are_created_on_first_use_beside_the_users_tables()
    {
        await _db.ExecuteAsync("CREATE TABLE orders (Id INTEGER PRIMARY KEY AUTOINCREMENT, Customer TEXT NOT NULL); INSERT INTO orders (Customer) VALUES ('eve');");
        var context = _db.Own(new ShopContext(new DbContextOptionsBuilder<ShopContext>().UseSqlite(_db.ConnectionString).Options));
        var store = _db.Own(new SqliteDbContextEventStore(context));
        var id = StreamId.New();

        await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);

        Assert.Superset(new HashSet<string> { "orders", "es_streams", "es_events", "es_outbox" }, await _db.TablesAsync());
        Assert.Equal("eve", Assert.Single(await context.Orders.ToListAsync()).Customer);
        Assert.Single(await Read.StreamAsync(store, id));
    }

    [Fact]
    public async Task Tables_created_inside_a_rolled_back_users_transaction_are_created_again()
    {
        var context = _db.Own(new ShopContext(new DbContextOptionsBuilder<ShopContext>().UseSqlite(_db.ConnectionString).Options));
        var store = _db.Own(new SqliteDbContextEventStore(context));
        var id = StreamId.New();

        await using (var transaction = await context.Database.BeginTransactionAsync())
        {
            await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);
            await transaction.RollbackAsync();
        }

        Assert.DoesNotContain("es_events", await _db.TablesAsync());
        Assert.Equal(1, (await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream)).StreamVersion);
        Assert.Contains("es_events", await _db.TablesAsync());
    }

    [Fact]
    public async Task The_store_does_not_dispose_the_users_context()
    {
        var context = await CreateContextAsync();
        var store = new SqliteDbContextEventStore(context);
        await store.AppendAsync(StreamId.New(), [new TurnedOn()], ExpectedVersion.NoStream);

        await store.DisposeAsync();

        context.Orders.Add(new Order { Customer = "fay" });
        Assert.Equal(1, await context.SaveChangesAsync());
    }

    [Fact]
    public async Task A_context_without_the_store_tables_is_rejected()
    {
        var forgetful = _db.Own(new ForgetfulContext(new DbContextOptionsBuilder<ForgetfulContext>().UseSqlite(_db.ConnectionString).Options));

        var ex = Assert.Throws<ArgumentException>(() => new SqliteDbContextEventStore(forgetful));

        Assert.Equal("context", ex.ParamName);
        Assert.Contains("AddEventSourcery", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => new SqliteDbContextEventStore(null!));
    }

    [Fact]
    public async Task A_new_context_store_reads_while_another_connection_holds_the_write_lock()
    {
        // One context (and store) per request: the first call of each must not queue behind a writer for the schema.
        var writer = await _db.OpenStoreAsync();
        var id = StreamId.New("order");
        await writer.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);
        await (await CreateContextAsync()).DisposeAsync();
        using var blocker = _db.OpenConnection();
        using var hold = blocker.BeginTransaction(deferred: false);

        foreach (var request in Enumerable.Range(0, 2))
        {
            var context = _db.Own(new ShopContext(new DbContextOptionsBuilder<ShopContext>().UseSqlite(_db.ConnectionString + ";Default Timeout=1").Options));
            var store = _db.Own(new SqliteDbContextEventStore(context, new SqliteEventStoreOptions { BusyTimeout = TimeSpan.FromMilliseconds(100) }));

            Assert.Equal([1L], (await Read.StreamAsync(store, id)).Select(e => e.Version));
            Assert.Equal(0, await store.LoadCheckpointAsync("orders"));
        }

        hold.Rollback();
    }

    [Fact]
    public async Task A_file_whose_tables_were_dropped_after_a_store_found_them_gets_them_back()
    {
        var first = _db.Own(new SqliteDbContextEventStore(await CreateContextAsync()));
        await first.AppendAsync(StreamId.New("order"), [new TurnedOn()], ExpectedVersion.NoStream);
        await _db.ExecuteAsync("DROP TABLE es_checkpoints; DROP TABLE es_snapshots; DROP TABLE es_outbox; DROP TABLE es_events; DROP TABLE es_streams;");

        var context = _db.Own(new ShopContext(new DbContextOptionsBuilder<ShopContext>().UseSqlite(_db.ConnectionString).Options));
        var store = _db.Own(new SqliteDbContextEventStore(context));
        var id = StreamId.New("order");

        Assert.Equal(1, (await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream)).StreamVersion);
        Assert.Single(await Read.StreamAsync(store, id));
    }

    private async Task<ShopContext> CreateContextAsync()
    {
        var context = _db.Own(new ShopContext(new DbContextOptionsBuilder<ShopContext>().UseSqlite(_db.ConnectionString).Options));
        await context.Database.EnsureCreatedAsync();
        return context;
    }
}
