using EventSourcery.StoreContract;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace EventSourcery.Sqlite.Tests;

/// <summary>Subscriptions, the append signal and inline listeners on SQLite: several connections, outbox rows, odd exceptions.</summary>
public sealed class SqliteLiveTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly TempDatabase _db = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _db.DisposeAsync().AsTask();

    [Fact]
    public async Task A_writer_on_a_second_connection_that_commits_late_makes_the_others_wait_and_is_not_skipped()
    {
        var subscribed = await _db.OpenStoreAsync();
        var context = _db.Own(new ShopContext(new DbContextOptionsBuilder<ShopContext>().UseSqlite(_db.ConnectionString).Options));
        await context.Database.EnsureCreatedAsync();
        var late = _db.Own(new SqliteDbContextEventStore(context));
        var other = await _db.OpenStoreAsync();
        await subscribed.AppendAsync(StreamId.New(), [Note("before")], ExpectedVersion.NoStream);

        using var cts = new CancellationTokenSource(Patience);
        var seen = new List<RecordedEvent>();
        var caughtUp = new TaskCompletionSource();
        var subscriber = Task.Run(async () =>
        {
            await foreach (var e in subscribed.Subscribe().WithPollInterval(TimeSpan.FromMilliseconds(10)).ReadAsync(cts.Token))
            {
                lock (seen)
                {
                    seen.Add(e);
                    caughtUp.TrySetResult();
                    if (seen.Count == 3)
                    {
                        return;
                    }
                }
            }
        });
        await caughtUp.Task.WaitAsync(Patience);

        AppendResult lateResult;
        Task<AppendResult> waiting;
        await using (var transaction = await context.Database.BeginTransactionAsync())
        {
            // Its position is taken now, but it commits only when the user's transaction does.
            lateResult = await late.AppendAsync(StreamId.New(), [Note("late")], ExpectedVersion.NoStream);
            waiting = Task.Run(() => other.AppendAsync(StreamId.New(), [Note("waiting")], ExpectedVersion.NoStream).AsTask());
            await Task.Delay(300); // the subscriber polls 30 times meanwhile

            Assert.False(waiting.IsCompleted); // SQLite serializes writers: the other one waits for the write lock
            lock (seen)
            {
                Assert.Equal(["before"], seen.Select(Text));
            }

            await transaction.CommitAsync();
        }

        var waitingResult = await waiting.WaitAsync(Patience);
        await subscriber.WaitAsync(Patience);

        Assert.True(waitingResult.LastPosition > lateResult.LastPosition);
        Assert.Equal(["before", "late", "waiting"], seen.Select(Text));
        Assert.Equal([lateResult.LastPosition, waitingResult.LastPosition], seen.Skip(1).Select(e => e.Position));
    }

    [Fact]
    public async Task A_caught_up_subscription_wakes_on_an_append_through_any_view_of_its_store_without_waiting_to_poll()
    {
        var store = await _db.OpenStoreAsync();
        var acme = store.ForTenant("acme");
        using var cts = new CancellationTokenSource(Patience);
        await using var events = acme.Subscribe().WithPollInterval(TimeSpan.FromMinutes(1)).ReadAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        var next = events.MoveNextAsync().AsTask();
        await Task.Delay(100);
        Assert.False(next.IsCompleted);

        await store.AppendAsync(StreamId.New(), [Note("default")], ExpectedVersion.NoStream); // wakes it; nothing for acme
        await store.ForTenant("acme").AppendAsync(StreamId.New(), [Note("acme")], ExpectedVersion.NoStream);

        Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal("acme", Text(events.Current));
    }

    [Fact]
    public async Task The_append_signal_completes_at_once_for_a_committed_append_and_not_for_deleted_events()
    {
        var store = await _db.OpenStoreAsync();
        var signal = (IAppendSignal)store;
        var first = await store.AppendAsync(StreamId.New(), [Note("kept")], ExpectedVersion.NoStream);

        // Appended before the subscriber looks: it learns at once that there is something to read.
        Assert.True(signal.WaitForAppendAsync(0, CancellationToken.None).IsCompletedSuccessfully);

        var doomed = StreamId.New();
        await store.AppendAsync(doomed, [Note("gone")], ExpectedVersion.NoStream);
        await store.DeleteStreamAsync(doomed);

        // What lay after that position is gone: it waits (rather than waking a subscriber that would find nothing, again and again).
        var waiting = signal.WaitForAppendAsync(first.LastPosition, CancellationToken.None);
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);

        await store.AppendAsync(StreamId.New(), [Note("new")], ExpectedVersion.NoStream);
        await waiting.WaitAsync(Patience);
    }

    [Fact]
    public async Task An_append_inside_the_users_transaction_does_not_signal_before_the_user_commits()
    {
        var context = _db.Own(new ShopContext(new DbContextOptionsBuilder<ShopContext>().UseSqlite(_db.ConnectionString).Options));
        await context.Database.EnsureCreatedAsync();
        var store = _db.Own(new SqliteDbContextEventStore(context));
        var signal = (IAppendSignal)store;

        await using (var transaction = await context.Database.BeginTransactionAsync())
        {
            var waiting = signal.WaitForAppendAsync(0, CancellationToken.None);
            await store.AppendAsync(StreamId.New(), [Note("uncommitted")], ExpectedVersion.NoStream);
            await transaction.RollbackAsync();
            await Task.Delay(50);
            Assert.False(waiting.IsCompleted);
            Assert.False(signal.WaitForAppendAsync(0, CancellationToken.None).IsCompleted); // nothing remembered of it either
        }

        await store.AppendAsync(StreamId.New(), [Note("committed")], ExpectedVersion.NoStream);
        await signal.WaitForAppendAsync(0, CancellationToken.None).WaitAsync(Patience);
    }

    [Fact]
    public async Task A_listener_gets_the_events_as_appended_with_what_was_just_written()
    {
        var store = await _db.OpenStoreAsync();
        var id = StreamId.FromName("order-7", "order");
        await store.AppendAsync(id, [Note("first")], ExpectedVersion.NoStream);
        var seen = new List<RecordedEvent>();
        using var _ = store.Listeners.OnAny((e, _) =>
        {
            seen.Add(e);
            return ValueTask.CompletedTask;
        });
        Event[] events = [Note("a"), new TurnedOn()];

        // Addressed without its name: the listener still sees the stream as it was created.
        var result = await store.ForTenant("acme").AppendAsync(id, events, ExpectedVersion.NoStream);
        var more = await store.AppendAsync(new StreamId(id.Value, "order"), [Note("b")], ExpectedVersion.Exactly(1));

        Assert.Same(events[0], seen[0].Event);
        Assert.Same(events[1], seen[1].Event);
        Assert.Equal([(1L, "acme"), (2L, "acme"), (2L, (string?)null)], seen.Select(e => (e.Version, e.TenantId)));
        Assert.Equal([result.LastPosition - 1, result.LastPosition, more.LastPosition], seen.Select(e => e.Position));
        Assert.All(seen, e => Assert.Equal("order-7", e.StreamId.Name));
        var stored = await Read.AllAsync(store.ForTenant("acme"));
        Assert.Equal(stored.Select(e => (e.StreamId, e.Version, e.Position, e.EventName, e.SchemaVersion, e.RecordedAt)), seen.Take(2).Select(e => (e.StreamId, e.Version, e.Position, e.EventName, e.SchemaVersion, e.RecordedAt)));
    }

    [Fact]
    public async Task A_listener_that_throws_rolls_back_the_events_the_version_and_the_outbox_rows()
    {
        var store = await _db.OpenStoreAsync();
        var id = StreamId.New();
        await store.PublishAsync(id, [Note("kept")], ExpectedVersion.NoStream);
        await store.ForTenant("acme").PublishAsync(id, [Note("kept")], ExpectedVersion.NoStream);
        using var _ = store.Listeners.On<TurnedOff>((_, _) => throw new InvalidOperationException("vetoed"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.PublishAsync(id, [Note("lost"), new TurnedOff()], ExpectedVersion.Exactly(1)).AsTask());
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.ForTenant("acme").PublishAsync(StreamId.New(), [new TurnedOff()], ExpectedVersion.NoStream).AsTask());

        Assert.Equal(2L, await _db.ScalarAsync("SELECT COUNT(*) FROM es_outbox"));
        Assert.Equal(2L, await _db.ScalarAsync("SELECT COUNT(*) FROM es_events"));
        Assert.Equal(2L, await _db.ScalarAsync("SELECT COUNT(*) FROM es_streams"));
        Assert.Equal([1L, 1L], (await _db.RowsAsync("SELECT version FROM es_streams")).Select(r => (long)r[0]!));
    }

    [Fact]
    public async Task A_listener_that_throws_inside_the_users_transaction_undoes_only_the_append()
    {
        var context = _db.Own(new ShopContext(new DbContextOptionsBuilder<ShopContext>().UseSqlite(_db.ConnectionString).Options));
        await context.Database.EnsureCreatedAsync();
        var store = _db.Own(new SqliteDbContextEventStore(context));
        using var _ = store.Listeners.On<TurnedOff>((_, _) => throw new InvalidOperationException("vetoed"));

        await using (var transaction = await context.Database.BeginTransactionAsync())
        {
            context.Orders.Add(new Order { Customer = "ada" });
            await context.SaveChangesAsync();
            await store.PublishAsync(StreamId.New(), [Note("kept")], ExpectedVersion.NoStream);
            await Assert.ThrowsAsync<InvalidOperationException>(() => store.PublishAsync(StreamId.New(), [Note("lost"), new TurnedOff()], ExpectedVersion.NoStream).AsTask());
            await transaction.CommitAsync();
        }

        Assert.Equal("ada", await _db.ScalarAsync("SELECT customer FROM orders"));
        Assert.Equal(1L, await _db.ScalarAsync("SELECT COUNT(*) FROM es_events"));
        Assert.Equal(1L, await _db.ScalarAsync("SELECT COUNT(*) FROM es_outbox"));
    }

    [Fact]
    public async Task A_listeners_exception_reaches_the_caller_unchanged_even_when_it_looks_like_the_stores_own()
    {
        var store = await _db.OpenStoreAsync();
        var busy = new SqliteException("database is locked", 5, 5);
        var unique = new SqliteException("UNIQUE constraint failed", 19, 2067);
        var calls = 0;
        Exception? toThrow = null;
        using var _ = store.Listeners.OnAny((_, _) =>
        {
            calls++;
            throw toThrow!;
        });

        toThrow = busy;
        Assert.Same(busy, await Assert.ThrowsAsync<SqliteException>(() => store.AppendAsync(StreamId.New(), [Note("a")], ExpectedVersion.NoStream).AsTask()));
        Assert.Equal(1, calls); // not retried as if the database were busy

        toThrow = unique;
        Assert.Same(unique, await Assert.ThrowsAsync<SqliteException>(() => store.AppendAsync(StreamId.New(), [Note("b")], ExpectedVersion.NoStream).AsTask()));
        Assert.Equal(2, calls); // not turned into a ConcurrencyException
        Assert.Equal(0L, await _db.ScalarAsync("SELECT COUNT(*) FROM es_events"));
    }

    [Fact]
    public async Task Without_listeners_nothing_extra_is_built_and_removing_the_last_one_stops_them()
    {
        var store = await _db.OpenStoreAsync();
        Assert.True(store.Listeners.IsEmpty);
        var calls = 0;
        var listener = store.Listeners.OnAny((_, _) =>
        {
            calls++;
            return ValueTask.CompletedTask;
        });
        Assert.False(store.ForTenant("acme") is SqliteEventStore { Listeners.IsEmpty: true });

        await store.AppendAsync(StreamId.New(), [Note("a")], ExpectedVersion.NoStream);
        listener.Dispose();
        await store.AppendAsync(StreamId.New(), [Note("b")], ExpectedVersion.NoStream);

        Assert.Equal(1, calls);
        Assert.True(store.Listeners.IsEmpty);
    }

    private static NoteAdded Note(string text) => new(text, 1, DateTimeOffset.UnixEpoch);

    private static string Text(RecordedEvent e) => e.Event is NoteAdded n ? n.Text : e.EventName;
}
