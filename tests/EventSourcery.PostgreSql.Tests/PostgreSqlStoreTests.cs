using EventSourcery.StoreContract;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace EventSourcery.PostgreSql.Tests;

/// <summary>What is PostgreSQL's own: the schema, pooled connections, gap safety, errors, a user's DbContext.</summary>
[Collection(PostgresTests.Name)]
public sealed class PostgreSqlStoreTests(PostgresServer server) : IAsyncLifetime
{
    private readonly PgStores _stores = new(server);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _stores.DisposeAsync().AsTask();

    [SkippableFact]
    public async Task The_tables_are_created_in_the_configured_schema_on_first_use_and_hold_the_events()
    {
        var store = await _stores.OpenStoreAsync();
        var schema = store.Schema;
        await store.AppendAsync(StreamId.New("light"), [new TurnedOn(), new TurnedOff()], ExpectedVersion.NoStream);

        var tables = await _stores.ExecuteAsync($"SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = '{schema}'");
        Assert.Equal("es_checkpoints,es_events,es_outbox,es_projection_leases,es_snapshots,es_streams,es_subject_keys", tables);
        Assert.Equal(2L, await _stores.ExecuteAsync($"SELECT COUNT(*) FROM \"{schema}\".es_events"));
        Assert.Equal(0L, await _stores.ExecuteAsync($"SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'es\\_%'"));
    }

    [SkippableFact]
    public async Task Ids_and_times_are_stored_in_native_columns_both_by_the_store_and_by_a_users_context()
    {
        var store = await _stores.OpenStoreAsync();
        var userSchema = PgStores.NewSchema();
        await using (var context = ShopContext.Create(_stores.ConnectionString, userSchema))
        {
            await new PostgreSqlDbContextEventStore(context, new PostgreSqlEventStoreOptions { Schema = userSchema }).AppendAsync(StreamId.New("light"), [new TurnedOn()], ExpectedVersion.NoStream);
        }

        const string Expected = "es_events.created_at:timestamp with time zone,es_events.created_at_offset:smallint,es_events.created_at_ticks:smallint,es_events.event_id:uuid,es_events.recorded_at:timestamp with time zone,"
            + "es_outbox.created_at:timestamp with time zone,es_outbox.created_at_offset:smallint,es_outbox.created_at_ticks:smallint,es_outbox.dead_lettered_at:timestamp with time zone,es_outbox.event_id:uuid,es_outbox.recorded_at:timestamp with time zone,es_outbox.retry_at:bigint,es_outbox.stream_id:uuid,"
            + "es_snapshots.event_id:uuid,es_snapshots.taken_at:timestamp with time zone,es_streams.stream_id:uuid";
        foreach (var schema in new[] { store.Schema, userSchema })
        {
            var columns = await _stores.ExecuteAsync($"""
                SELECT string_agg(table_name || '.' || column_name || ':' || data_type, ',' ORDER BY table_name, column_name)
                FROM information_schema.columns
                WHERE table_schema = '{schema}' AND (column_name LIKE '%\_id' OR column_name LIKE '%\_at%') AND column_name <> 'tenant_id'
                  AND table_name <> 'es_checkpoints'
                """);
            Assert.Equal(Expected, columns);
        }
    }

    [SkippableFact]
    public async Task Tables_that_keep_ids_as_text_from_a_pre_release_build_are_refused_naming_the_schema()
    {
        server.SkipIfUnavailable();
        var schema = PgStores.NewSchema();
        await _stores.ExecuteAsync($"CREATE SCHEMA \"{schema}\"; CREATE TABLE \"{schema}\".es_events (position bigint PRIMARY KEY, event_id text NOT NULL)");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var store = await PostgreSqlEventStore.OpenAsync(_stores.ConnectionString, new PostgreSqlEventStoreOptions { Schema = schema });
            await store.AppendAsync(StreamId.New("light"), [new TurnedOn()], ExpectedVersion.NoStream);
        });

        Assert.Contains($"'{schema}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("event_id is text", error.Message, StringComparison.Ordinal);
        await _stores.ExecuteAsync($"DROP SCHEMA \"{schema}\" CASCADE");
    }

    [SkippableFact]
    public async Task Stores_in_two_schemas_of_one_database_do_not_see_each_others_events()
    {
        var first = await _stores.OpenStoreAsync();
        var second = await _stores.OpenStoreAsync();
        await first.AppendAsync(StreamId.New("light"), [new TurnedOn()], ExpectedVersion.NoStream);

        Assert.Single(await Read.AllAsync(first));
        Assert.Empty(await Read.AllAsync(second));
    }

    [SkippableFact]
    public async Task A_schema_name_that_needs_quoting_works()
    {
        server.SkipIfUnavailable();
        var schema = "Odd \"Name\" " + Guid.NewGuid().ToString("N")[..6];
        await using var store = await PostgreSqlEventStore.OpenAsync(_stores.ConnectionString, new PostgreSqlEventStoreOptions { Schema = schema });
        var id = StreamId.New("light");
        await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);

        Assert.Single(await Read.StreamAsync(store, id));
        Assert.Equal(1L, await _stores.ExecuteAsync($"SELECT COUNT(*) FROM pg_tables WHERE schemaname = '{schema.Replace("'", "''", StringComparison.Ordinal)}' AND tablename = 'es_events'"));
    }

    [SkippableFact]
    public async Task One_instance_serves_concurrent_callers_on_pooled_connections()
    {
        var store = await _stores.OpenStoreAsync();
        var ids = Enumerable.Range(0, 16).Select(_ => StreamId.New("light")).ToArray();

        await Task.WhenAll(ids.Select(id => store.AppendAsync(id, [new TurnedOn(), new TurnedOff()], ExpectedVersion.NoStream).AsTask()));

        var all = await Read.AllAsync(store);
        Assert.Equal(32, all.Count);
        Assert.Equal(all.Select(e => e.Position).Order(), all.Select(e => e.Position)); // position order
        Assert.All(ids, id => Assert.Equal([1L, 2L], all.Where(e => e.StreamId == id).Select(e => e.Version)));
    }

    [SkippableFact]
    public async Task A_later_position_commits_beside_an_earlier_open_one_and_a_reader_waits_for_the_earlier_before_passing_it()
    {
        // Gap safety: an append holds its transaction open (inside the user's transaction) after taking its position.
        // Another instance's append takes a later position and commits meanwhile: appends do not wait for each other.
        // A reader that would pass the earlier position waits until it commits, then sees both, in position order.
        var store = await _stores.OpenStoreAsync();
        await using var context = ShopContext.Create(_stores.ConnectionString, store.Schema);
        var slow = new PostgreSqlDbContextEventStore(context, new PostgreSqlEventStoreOptions { Schema = store.Schema });
        var first = StreamId.New("light");
        var second = StreamId.New("light");

        var transaction = await context.Database.BeginTransactionAsync();
        await slow.AppendAsync(first, [new TurnedOn()], ExpectedVersion.NoStream);
        var later = await store.AppendAsync(second, [new TurnedOn()], ExpectedVersion.NoStream).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        var reading = Read.AllAsync(store);
        var finished = await Task.WhenAny(reading, Task.Delay(500));

        Assert.NotSame(reading, finished); // it waits for the earlier position's append
        await transaction.CommitAsync();
        await transaction.DisposeAsync();
        var all = await reading;
        Assert.Equal([first, second], all.Select(e => e.StreamId));
        Assert.Equal(later.LastPosition, all[1].Position);
        Assert.True(all[0].Position < all[1].Position);
    }

    [SkippableFact]
    public async Task A_reader_waiting_for_an_open_append_that_rolls_back_reads_on_without_it()
    {
        var store = await _stores.OpenStoreAsync();
        await using var context = ShopContext.Create(_stores.ConnectionString, store.Schema);
        var slow = new PostgreSqlDbContextEventStore(context, new PostgreSqlEventStoreOptions { Schema = store.Schema });
        var kept = StreamId.New("light");

        var transaction = await context.Database.BeginTransactionAsync();
        await slow.AppendAsync(StreamId.New("light"), [new TurnedOn()], ExpectedVersion.NoStream);
        await store.AppendAsync(kept, [new TurnedOn()], ExpectedVersion.NoStream);
        var reading = Read.AllAsync(store);
        Assert.NotSame(reading, await Task.WhenAny(reading, Task.Delay(300)));
        await transaction.RollbackAsync();
        await transaction.DisposeAsync();

        Assert.Equal([kept], (await reading).Select(e => e.StreamId));
    }

    [SkippableFact]
    public async Task A_reader_with_nothing_committed_past_it_does_not_wait_for_appends_in_flight()
    {
        var store = await _stores.OpenStoreAsync();
        var id = StreamId.New("light");
        var head = await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);
        await using var context = ShopContext.Create(_stores.ConnectionString, store.Schema);
        var slow = new PostgreSqlDbContextEventStore(context, new PostgreSqlEventStoreOptions { Schema = store.Schema });
        await using var transaction = await context.Database.BeginTransactionAsync();
        await slow.AppendAsync(StreamId.New("light"), [new TurnedOn()], ExpectedVersion.NoStream);

        // A caught-up subscription polls like this: it must not stall behind (or stall) the open append.
        var events = await Read.AllAsync(store, head.LastPosition).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Empty(events);
        await transaction.RollbackAsync();
    }

    [SkippableFact]
    public async Task Concurrent_appends_to_one_stream_with_Any_all_land_with_contiguous_versions()
    {
        // Appends run side by side, so they race for the stream's row: the losers read it again and append after the winner.
        var store = await _stores.OpenStoreAsync();
        var id = StreamId.New("light");
        await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);

        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(() => store.AppendAsync(id, [new TurnedOff(), new TurnedOn()], ExpectedVersion.Any).AsTask())));

        Assert.Equal(Enumerable.Range(1, 12).Select(i => 1L + (2 * i)), results.Select(r => r.StreamVersion).Order());
        var stream = await Read.StreamAsync(store, id);
        Assert.Equal(Enumerable.Range(1, 25).Select(i => (long)i), stream.Select(e => e.Version));
        Assert.Equal(stream.Select(e => e.Position).Order(), stream.Select(e => e.Position));
    }

    [SkippableTheory]
    [InlineData(Storage.PostgreSqlStorage.PageSize - 1)]
    [InlineData(Storage.PostgreSqlStorage.PageSize)]
    [InlineData(Storage.PostgreSqlStorage.PageSize + 1)]
    [InlineData((2 * Storage.PostgreSqlStorage.PageSize) + 1)]
    [InlineData(Storage.PostgreSqlStorage.StreamPageSize)]
    [InlineData(Storage.PostgreSqlStorage.StreamPageSize + 1)]
    public async Task Every_read_returns_each_event_once_in_order_at_the_page_boundaries(int count)
    {
        // A page's statement fetches one row more than the page to tell whether another follows; that row must not
        // be lost or read twice.
        server.SkipIfUnavailable();
        var store = await _stores.OpenStoreAsync();
        var id = StreamId.New("light");
        await store.AppendAsync(id, [.. Enumerable.Range(0, count).Select(i => i % 2 == 0 ? (Event)new TurnedOn() : new TurnedOff())], ExpectedVersion.NoStream);
        var expected = Enumerable.Range(1, count).Select(i => (long)i).ToList();

        var stream = await Read.StreamAsync(store, id);
        var versions = new List<long>();
        await foreach (var e in ((IStreamEventReader)store).ReadStreamEventsAsync(id))
        {
            versions.Add(e.Version);
        }

        var all = await Read.AllAsync(store);
        Assert.Equal(expected, stream.Select(e => e.Version));
        Assert.Equal(expected, versions);
        Assert.Equal(expected, all.Select(e => e.Version));
    }

    [SkippableFact]
    public async Task A_store_over_your_data_source_leaves_it_open_when_it_is_disposed()
    {
        server.SkipIfUnavailable();
        await using var dataSource = NpgsqlDataSource.Create(_stores.ConnectionString);
        var options = new PostgreSqlEventStoreOptions { Schema = PgStores.NewSchema() };
        var id = StreamId.New("light");
        var store = new PostgreSqlEventStore(dataSource, options);
        await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);

        await store.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.AppendAsync(id, [new TurnedOff()], ExpectedVersion.Any).AsTask());
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            Assert.Equal(System.Data.ConnectionState.Open, connection.State); // still yours to use
        }

        await using var again = new PostgreSqlEventStore(dataSource, options);
        Assert.Equal([id], (await Read.StreamAsync(again, id)).Select(e => e.StreamId));
    }

    [SkippableFact]
    public async Task Outbox_claims_take_turns_per_tenant_and_tenants_do_not_wait_for_each_other()
    {
        var store = await _stores.OpenStoreAsync();
        var acme = store.ForTenant("acme");
        var globex = store.ForTenant("globex");
        await acme.PublishAsync(StreamId.New("light"), [new TurnedOn()], ExpectedVersion.NoStream);
        await globex.PublishAsync(StreamId.New("light"), [new TurnedOn()], ExpectedVersion.NoStream);
        var claimLock = new Storage.PostgreSqlStorage(store.Schema).ClaimLockFor("acme");

        // Another runner of acme's view in the middle of its claim: holds acme's claim lock.
        await using var holder = new NpgsqlConnection(_stores.ConnectionString);
        await holder.OpenAsync();
        var transaction = await holder.BeginTransactionAsync();
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@lock);", holder, transaction))
        {
            take.Parameters.AddWithValue("lock", claimLock);
            await take.ExecuteNonQueryAsync();
        }

        var delivered = new List<string?>();
        Outbox For(IEventStore view) => new(view, (e, _) =>
        {
            lock (delivered)
            {
                delivered.Add(e.TenantId);
            }

            return ValueTask.CompletedTask;
        });
        var acmeRun = For(acme).RunOnceAsync();
        Assert.Equal(1, await For(globex).RunOnceAsync().WaitAsync(TimeSpan.FromSeconds(10))); // globex does not wait
        Assert.NotSame(acmeRun, await Task.WhenAny(acmeRun, Task.Delay(300))); // acme waits for its other runner

        await transaction.RollbackAsync();
        await transaction.DisposeAsync();
        Assert.Equal(1, await acmeRun.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(["globex", "acme"], delivered);
    }

    [SkippableFact]
    public async Task A_rolled_back_append_leaves_a_gap_that_no_reader_waits_for()
    {
        var store = await _stores.OpenStoreAsync();
        await using var context = ShopContext.Create(_stores.ConnectionString, store.Schema);
        var rolledBack = new PostgreSqlDbContextEventStore(context, new PostgreSqlEventStoreOptions { Schema = store.Schema });
        await using (var transaction = await context.Database.BeginTransactionAsync())
        {
            await rolledBack.AppendAsync(StreamId.New("light"), [new TurnedOn(), new TurnedOn()], ExpectedVersion.NoStream);
            await transaction.RollbackAsync();
        }

        var kept = StreamId.New("light");
        await store.AppendAsync(kept, [new TurnedOff()], ExpectedVersion.NoStream);

        var all = await Read.AllAsync(store);
        Assert.Equal(kept, Assert.Single(all).StreamId);
        Assert.True(all[0].Position > 2); // positions 1 and 2 were taken and rolled back: a gap, never filled
    }

    [SkippableFact]
    public async Task A_read_only_server_fails_appends_with_EventStoreReadOnlyException_and_reads_still_work()
    {
        var store = await _stores.OpenStoreAsync();
        var id = StreamId.New("light");
        await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);
        var readOnly = new NpgsqlConnectionStringBuilder(_stores.ConnectionString) { Options = "-c default_transaction_read_only=on", ApplicationName = "read-only" }.ConnectionString;
        await using var replica = await PostgreSqlEventStore.OpenAsync(readOnly, new PostgreSqlEventStoreOptions { Schema = store.Schema });

        var error = await Assert.ThrowsAsync<EventStoreReadOnlyException>(() => replica.AppendAsync(id, [new TurnedOff()], ExpectedVersion.Exactly(1)).AsTask());

        Assert.IsType<PostgresException>(error.InnerException);
        Assert.Single(await Read.StreamAsync(replica, id));
    }

    [SkippableFact]
    public async Task A_lock_held_past_the_servers_lock_timeout_fails_the_append_with_EventStoreBusyException_naming_it()
    {
        var store = await _stores.OpenStoreAsync();
        var schema = store.Schema;
        var impatient = new NpgsqlConnectionStringBuilder(_stores.ConnectionString) { Options = "-c lock_timeout=200", ApplicationName = "impatient" }.ConnectionString;
        await using var waiting = await PostgreSqlEventStore.OpenAsync(impatient, new PostgreSqlEventStoreOptions { Schema = schema });
        await using var holder = new NpgsqlConnection(_stores.ConnectionString);
        await holder.OpenAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand($"LOCK TABLE \"{schema}\".es_streams IN ACCESS EXCLUSIVE MODE", holder, transaction))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        var error = await Assert.ThrowsAsync<EventStoreBusyException>(() => waiting.AppendAsync(StreamId.New("light"), [new TurnedOn()], ExpectedVersion.NoStream).AsTask());

        Assert.Contains("lock_timeout", error.Message, StringComparison.Ordinal);
        Assert.Equal("55P03", Assert.IsType<PostgresException>(error.InnerException).SqlState);
        await transaction.RollbackAsync();
        Assert.Empty(await Read.AllAsync(store)); // nothing was written
    }

    [SkippableFact]
    public async Task A_schema_that_does_not_match_the_contexts_model_is_rejected_naming_both()
    {
        server.SkipIfUnavailable();
        await using var context = ShopContext.Create(_stores.ConnectionString, "orders_events");

        var error = Assert.Throws<ArgumentException>(() => new PostgreSqlDbContextEventStore(context, new PostgreSqlEventStoreOptions { Schema = "other" }));

        Assert.Contains("'orders_events'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'other'", error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_context_on_another_provider_is_rejected()
    {
        server.SkipIfUnavailable();
        await using var context = new ShopContext(new DbContextOptionsBuilder<ShopContext>().UseSqlite("Data Source=:memory:").Options, "public");

        var error = Assert.Throws<ArgumentException>(() => new PostgreSqlDbContextEventStore(context));

        Assert.Contains("UseNpgsql", error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Committing_the_users_transaction_keeps_the_entity_and_the_events_and_rolling_back_keeps_neither()
    {
        var observer = await _stores.OpenStoreAsync();
        var schema = observer.Schema;
        await using var context = ShopContext.Create(_stores.ConnectionString, schema);
        await _stores.ExecuteAsync($"CREATE TABLE \"{schema}\".orders (\"Id\" integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, \"Customer\" text NOT NULL)");
        var store = new PostgreSqlDbContextEventStore(context, new PostgreSqlEventStoreOptions { Schema = schema });
        var kept = StreamId.New("order");
        var dropped = StreamId.New("order");

        await using (var transaction = await context.Database.BeginTransactionAsync())
        {
            context.Orders.Add(new Order { Customer = "ada" });
            await context.SaveChangesAsync();
            await store.PublishAsync(kept, [new TurnedOn()], ExpectedVersion.NoStream);
            Assert.Empty(await Read.StreamAsync(observer, kept)); // not committed yet: another connection sees nothing
            Assert.Single(await Read.StreamAsync(store, kept)); // the transaction sees its own writes
            await transaction.CommitAsync();
        }

        await using (var transaction = await context.Database.BeginTransactionAsync())
        {
            context.Orders.Add(new Order { Customer = "bob" });
            await context.SaveChangesAsync();
            await store.PublishAsync(dropped, [new TurnedOn()], ExpectedVersion.NoStream);
            await transaction.RollbackAsync();
        }

        Assert.Single(await Read.StreamAsync(observer, kept));
        Assert.Empty(await Read.StreamAsync(observer, dropped));
        Assert.Equal(1L, await _stores.ExecuteAsync($"SELECT COUNT(*) FROM \"{schema}\".orders"));
        Assert.Single(await _stores.OutboxPositionsAsync(observer));
    }

    [SkippableFact]
    public async Task A_lost_race_inside_the_users_transaction_undoes_only_the_append()
    {
        var other = await _stores.OpenStoreAsync();
        var schema = other.Schema;
        await using var context = ShopContext.Create(_stores.ConnectionString, schema);
        var store = new PostgreSqlDbContextEventStore(context, new PostgreSqlEventStoreOptions { Schema = schema });
        var id = StreamId.New("light");
        await other.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);
        var kept = StreamId.New("light");

        await using (var transaction = await context.Database.BeginTransactionAsync())
        {
            await store.AppendAsync(kept, [new TurnedOn()], ExpectedVersion.NoStream);
            var error = await Assert.ThrowsAsync<ConcurrencyException>(() => store.AppendAsync(id, [new TurnedOff()], ExpectedVersion.NoStream).AsTask());
            Assert.Equal(1, error.Actual);
            await transaction.CommitAsync(); // still usable: the savepoint undid only the failed append
        }

        Assert.Single(await Read.StreamAsync(other, kept));
        Assert.Single(await Read.StreamAsync(other, id));
    }
}

/// <summary>A user's own EF Core context on PostgreSQL that also maps the event store's tables, in a schema.</summary>
public sealed class ShopContext(DbContextOptions<ShopContext> options, string schema) : DbContext(options)
{
    public DbSet<Order> Orders => Set<Order>();

    public string Schema { get; } = schema;

    public static ShopContext Create(string connectionString, string schema)
        => new(
            new DbContextOptionsBuilder<ShopContext>()
                .UseNpgsql(connectionString)
                .ReplaceService<Microsoft.EntityFrameworkCore.Infrastructure.IModelCacheKeyFactory, SchemaCacheKey>()
                .Options,
            schema);

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Order>(o =>
        {
            o.ToTable("orders", Schema);
            o.HasKey(x => x.Id);
        });
        modelBuilder.AddEventSourcery(Schema);
    }

    /// <summary>A model per schema (the tests give each context a schema of its own).</summary>
    private sealed class SchemaCacheKey : Microsoft.EntityFrameworkCore.Infrastructure.IModelCacheKeyFactory
    {
        public object Create(DbContext context, bool designTime) => (context.GetType(), ((ShopContext)context).Schema, designTime);
    }
}

public sealed class Order
{
    public int Id { get; set; }

    public string Customer { get; set; } = "";
}
