using EventSourcery.Sqlite.Storage;
using EventSourcery.StoreContract;
using Microsoft.EntityFrameworkCore;

namespace EventSourcery.Sqlite.Tests;

/// <summary>What tenant views mean for the SQLite store beyond the contract: the file, the connection, the lifetime.</summary>
public sealed class SqliteTenantViewTests
{
    [Fact]
    public async Task Tenant_views_keep_their_isolation_in_a_reopened_file_and_in_a_second_instance()
    {
        await using var db = new TempDatabase();
        var first = await db.OpenStoreAsync();
        var id = StreamId.FromName("kitchen", "light_switch");
        var acmePosition = (await first.ForTenant("acme").PublishAsync(id, [new NoteAdded("acme", 1, DateTimeOffset.UnixEpoch)], ExpectedVersion.NoStream)).LastPosition;
        await first.ForTenant("globex").AppendAsync(id, [new NoteAdded("globex", 1, DateTimeOffset.UnixEpoch), new TurnedOn()], ExpectedVersion.NoStream);
        var defaultPosition = (await first.PublishAsync(id, [new NoteAdded("default", 1, DateTimeOffset.UnixEpoch)], ExpectedVersion.NoStream)).LastPosition;
        await ((ISnapshotStore)first.ForTenant("acme")).SaveSnapshotAsync(id, new StoredSnapshot(1, Guid.NewGuid(), "T", "acme", "{}"u8.ToArray()));
        await first.DisposeAsync();

        var reopened = await db.OpenStoreAsync();
        var second = await db.OpenStoreAsync(); // another connection to the same file, open at the same time
        foreach (var store in new[] { reopened, second })
        {
            var (acme, globex) = (store.ForTenant("acme"), store.ForTenant("globex"));
            Assert.Equal(["acme"], (await Read.StreamAsync(acme, id)).Select(e => ((NoteAdded)e.Event).Text));
            Assert.Equal([("acme", "kitchen")], (await Read.StreamAsync(acme, id)).Select(e => (e.TenantId, e.StreamId.Name)));
            Assert.Equal(["globex", null], (await Read.StreamAsync(globex, id)).Select(e => (e.Event as NoteAdded)?.Text));
            Assert.Equal(["default"], (await Read.StreamAsync(store, id)).Select(e => ((NoteAdded)e.Event).Text));
            Assert.Empty(await Read.StreamAsync(store.ForTenant("initech"), id));

            var acmeAll = Assert.Single(await Read.AllAsync(acme));
            Assert.Equal(("acme", "kitchen", acmePosition), (acmeAll.TenantId, acmeAll.StreamId.Name, acmeAll.Position));
            Assert.Equal(["globex", "globex"], (await Read.AllAsync(globex)).Select(e => e.TenantId));
            var defaultAll = Assert.Single(await Read.AllAsync(store));
            Assert.Null(defaultAll.TenantId);
            Assert.Equal(defaultPosition, defaultAll.Position);

            Assert.Equal("acme", (await ((ISnapshotStore)acme).LoadSnapshotAsync(id))?.Fingerprint);
            Assert.Null(await ((ISnapshotStore)globex).LoadSnapshotAsync(id));
            Assert.Null(await ((ISnapshotStore)store).LoadSnapshotAsync(id));
        }

        // Versions continue per view after the reopen.
        Assert.Equal(2, (await second.ForTenant("acme").AppendAsync(id, [new TurnedOff()], ExpectedVersion.Exactly(1))).StreamVersion);
        Assert.Equal(3, (await reopened.ForTenant("globex").AppendAsync(id, [new TurnedOff()], ExpectedVersion.Exactly(2))).StreamVersion);
        Assert.Equal(2, (await reopened.AppendAsync(id, [new TurnedOff()], ExpectedVersion.Exactly(1))).StreamVersion);

        // One stream row per tenant, one outbox row per view that published, each with its tenant.
        Assert.Equal(["", "acme", "globex"], (await db.RowsAsync("SELECT tenant_id FROM es_streams ORDER BY tenant_id")).Select(r => (string)r[0]!));
        Assert.Equal(["acme", ""], (await db.RowsAsync("SELECT tenant_id FROM es_outbox ORDER BY id")).Select(r => (string)r[0]!));
        Assert.Equal([acmePosition], await db.OutboxPositionsAsync("acme"));
        Assert.Equal([defaultPosition], await db.OutboxPositionsAsync(""));
    }

    [Fact]
    public async Task Appends_through_the_store_and_its_views_at_once_are_serialized_on_one_connection()
    {
        await using var db = new TempDatabase();
        var store = await db.OpenStoreAsync();
        var views = new[] { store, store.ForTenant("acme"), store.ForTenant("globex"), store.ForTenant("acme") };
        var ids = Enumerable.Range(0, 3).Select(_ => StreamId.New()).ToArray();

        // The same stream ids in every view; two views of one tenant write to separate streams of it.
        var writers = views.Select((view, v) => Task.Run(async () =>
        {
            var own = v == 3 ? ids.Select(_ => StreamId.New()).ToArray() : ids;
            for (var i = 0; i < 10; i++)
            {
                foreach (var id in own)
                {
                    var expected = i == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(i);
                    if (i % 2 == 0)
                    {
                        await view.AppendAsync(id, [new NoteAdded($"{v}", i, DateTimeOffset.UtcNow)], expected);
                    }
                    else
                    {
                        await view.PublishAsync(id, [new NoteAdded($"{v}", i, DateTimeOffset.UtcNow)], expected);
                    }
                }

                await Read.AllAsync(view);
            }
        }));
        var readers = views.Select(view => Task.Run(() => Read.AllAsync(view)));
        await Task.WhenAll(writers.Concat(readers));

        var defaultEvents = await Read.AllAsync(store);
        var acmeEvents = await Read.AllAsync(store.ForTenant("acme"));
        var globexEvents = await Read.AllAsync(store.ForTenant("globex"));
        Assert.Equal(30, defaultEvents.Count);
        Assert.Equal(60, acmeEvents.Count);
        Assert.Equal(30, globexEvents.Count);
        Assert.Equal(120, defaultEvents.Concat(acmeEvents).Concat(globexEvents).Select(e => e.Position).Distinct().Count());
        foreach (var id in ids)
        {
            Assert.Equal(Enumerable.Range(0, 10), (await Read.StreamAsync(store, id)).Select(e => ((NoteAdded)e.Event).Count));
            Assert.All(await Read.StreamAsync(store.ForTenant("acme"), id), e => Assert.Equal("1", ((NoteAdded)e.Event).Text));
            Assert.All(await Read.StreamAsync(store.ForTenant("globex"), id), e => Assert.Equal("2", ((NoteAdded)e.Event).Text));
        }

        Assert.Equal(15, (await db.OutboxPositionsAsync("")).Count);
        Assert.Equal(30, (await db.OutboxPositionsAsync("acme")).Count);
        Assert.Equal(15, (await db.OutboxPositionsAsync("globex")).Count);
    }

    [Fact]
    public async Task Disposing_a_view_does_nothing_and_disposing_the_store_ends_every_view()
    {
        await using var db = new TempDatabase();
        var store = await db.OpenStoreAsync();
        var acme = store.ForTenant("acme");
        var id = StreamId.New();
        await acme.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);

        await ((IAsyncDisposable)acme).DisposeAsync();
        await acme.AppendAsync(id, [new TurnedOff()], ExpectedVersion.Exactly(1));
        await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);
        Assert.Equal(2, (await Read.StreamAsync(store.ForTenant("acme"), id)).Count);

        await store.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => acme.AppendAsync(id, [new TurnedOn()], ExpectedVersion.Any).AsTask());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Read.StreamAsync(acme, id));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Read.AllAsync(store.ForTenant("globex")));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => ((ISnapshotStore)acme).LoadSnapshotAsync(id).AsTask());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.Any).AsTask());
    }

    [Fact]
    public async Task A_view_of_a_store_over_a_users_context_writes_in_the_users_transaction()
    {
        await using var db = new TempDatabase();
        var context = db.Own(new ShopContext(new DbContextOptionsBuilder<ShopContext>().UseSqlite(db.ConnectionString).Options));
        await context.Database.EnsureCreatedAsync();
        var store = db.Own(new SqliteDbContextEventStore(context));
        var acme = store.ForTenant("acme");
        var kept = StreamId.New();
        var dropped = StreamId.New();

        await using (var transaction = await context.Database.BeginTransactionAsync())
        {
            await acme.PublishAsync(dropped, [new TurnedOn()], ExpectedVersion.NoStream);
            await ((ISnapshotStore)acme).SaveSnapshotAsync(dropped, new StoredSnapshot(1, Guid.NewGuid(), "T", "f", "{}"u8.ToArray()));
            Assert.Single(await Read.StreamAsync(acme, dropped)); // the view sees the transaction's own writes
            await transaction.RollbackAsync();
        }

        await using (var transaction = await context.Database.BeginTransactionAsync())
        {
            context.Orders.Add(new Order { Customer = "acme" });
            await context.SaveChangesAsync();
            await acme.PublishAsync(kept, [new TurnedOn()], ExpectedVersion.NoStream);
            await transaction.CommitAsync();
        }

        Assert.Empty(await Read.StreamAsync(acme, dropped));
        Assert.Null(await ((ISnapshotStore)acme).LoadSnapshotAsync(dropped));
        Assert.Single(await Read.StreamAsync(acme, kept));
        Assert.Empty(await Read.StreamAsync(store, kept));
        Assert.Equal(0L, await db.ScalarAsync("SELECT COUNT(*) FROM es_snapshots"));
        Assert.Single(await db.OutboxPositionsAsync("acme"));
        Assert.Equal("acme", await db.ScalarAsync("SELECT customer FROM orders"));
    }

    [Fact]
    public async Task ReadAll_walks_the_views_events_by_position_and_looks_each_stream_up_by_its_key()
    {
        await using var db = new TempDatabase();
        var store = await db.OpenStoreAsync();
        for (var i = 0; i < 20; i++)
        {
            await store.ForTenant(i % 2 == 0 ? "acme" : "globex").AppendAsync(StreamId.New(), [new TurnedOn(), new TurnedOff()], ExpectedVersion.NoStream);
        }

        await db.ExecuteAsync("ANALYZE"); // with statistics too, the plan stays the same

        var steps = await PlanAsync(store, SqliteStorage.ReadAllPageSql, ("$after", 0L), ("$tenant", "acme"));

        // Only the view's events, in position order, from the index (no sort, no other tenant's rows).
        Assert.Equal([$"SEARCH e USING INDEX {SqliteStorage.EventsByTenantIndex} (tenant_id=? AND position>?)", "SEARCH s USING INTEGER PRIMARY KEY (rowid=?)"], steps);
        Assert.Equal(20, (await Read.AllAsync(store.ForTenant("acme"))).Count);
    }

    [Fact]
    public async Task ReadStream_finds_the_stream_by_its_identity_then_its_events_by_version()
    {
        await using var db = new TempDatabase();
        var store = await db.OpenStoreAsync();
        await store.ForTenant("acme").AppendAsync(StreamId.New(), [new TurnedOn(), new TurnedOff()], ExpectedVersion.NoStream);

        var steps = await PlanAsync(
            store,
            SqliteStorage.ReadStreamPageSql,
            ("$tenant", "acme"),
            ("$category", ""),
            ("$stream_id", Guid.NewGuid().ToString("D")),
            ("$from", 1L),
            ("$to", long.MaxValue));

        Assert.Equal(2, steps.Count);
        Assert.StartsWith("SEARCH s USING ", steps[0], StringComparison.Ordinal);
        Assert.Contains("ux_es_streams_identity (tenant_id=? AND category=? AND stream_id=?)", steps[0], StringComparison.Ordinal);
        Assert.StartsWith("SEARCH e USING ", steps[1], StringComparison.Ordinal);
        Assert.Contains("ux_es_events_stream_version (stream_key=? AND version>? AND version<?)", steps[1], StringComparison.Ordinal);
    }

    private static async Task<List<string>> PlanAsync(SqliteEventStore store, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = store.Connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var steps = new List<string>();
        using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            steps.Add(reader.GetString(3));
        }

        return steps;
    }
}
