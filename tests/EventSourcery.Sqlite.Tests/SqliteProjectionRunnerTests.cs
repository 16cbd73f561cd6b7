using EventSourcery.Sqlite.Storage;
using EventSourcery.StoreContract;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace EventSourcery.Sqlite.Tests;

/// <summary>A user's context holding a read model beside the event store's tables.</summary>
public sealed class ReadModelContext(DbContextOptions<ReadModelContext> options) : DbContext(options)
{
    public DbSet<NoteEffect> Effects => Set<NoteEffect>();

    public DbSet<Tally> Tallies => Set<Tally>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<NoteEffect>(b =>
        {
            b.ToTable("note_effects");
            b.HasKey(x => x.Id);
        });
        modelBuilder.Entity<Tally>(b =>
        {
            b.ToTable("tallies");
            b.HasKey(x => x.Name);
        });
        modelBuilder.AddEventSourcery();
    }
}

/// <summary>One row per handled event: a duplicate shows up as a second row with the same position.</summary>
public sealed class NoteEffect
{
    public int Id { get; set; }

    public long Position { get; set; }

    public string Text { get; set; } = "";
}

/// <summary>A counter every event increments: not idempotent, so handling an event twice shows.</summary>
public sealed class Tally
{
    public string Name { get; set; } = "";

    public int Count { get; set; }
}

public sealed class SqliteProjectionRunnerTests : IAsyncLifetime
{
    private readonly TempDatabase _db = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _db.DisposeAsync().AsTask();

    [Fact]
    public async Task A_handler_that_fails_after_writing_leaves_no_trace_and_a_rerun_applies_each_event_exactly_once()
    {
        var (context, store) = await CreateContextStoreAsync();
        var positions = await AppendNotesAsync(store, 10);
        var projection = new NoteEffects(context) { CrashAfterWritingAt = positions[6], Crashes = 1 };
        var runner = new ProjectionRunner(store, projection, new ProjectionOptions { BatchSize = 4, MaxAttempts = 1 });

        var ex = await Assert.ThrowsAsync<ProjectionException>(() => runner.RunOnceAsync());

        Assert.Equal(positions[6], ex.Position);
        Assert.IsType<IOException>(ex.InnerException);
        Assert.Equal(positions[5], await runner.GetCheckpointAsync());
        await AssertEffectsExactlyOnceAsync(positions[..6]);

        Assert.Equal(4, await runner.RunOnceAsync());
        Assert.Equal(positions[^1], await runner.GetCheckpointAsync());
        await AssertEffectsExactlyOnceAsync(positions);
    }

    [Fact]
    public async Task Failures_after_writing_that_the_retries_absorb_leave_each_effect_once()
    {
        var (context, store) = await CreateContextStoreAsync();
        var positions = await AppendNotesAsync(store, 10);

        // The handler reads the tally through the context: after a rolled-back attempt the tracked copy would be stale.
        var projection = new NoteEffects(context) { CrashAfterWritingAt = positions[5], Crashes = 2 };
        var runner = new ProjectionRunner(store, projection, new ProjectionOptions { BatchSize = 4, MaxAttempts = 3, RetryDelay = TimeSpan.Zero });

        Assert.Equal(10, await runner.RunOnceAsync());

        Assert.Equal(0, projection.Crashes);
        Assert.Equal(positions[^1], await runner.GetCheckpointAsync());
        await AssertEffectsExactlyOnceAsync(positions);
    }

    [Fact]
    public async Task A_checkpoint_write_that_fails_before_the_commit_takes_the_batchs_read_model_changes_with_it_and_is_no_handler_failure()
    {
        var (context, store) = await CreateContextStoreAsync();
        var positions = await AppendNotesAsync(store, 10);
        await _db.ExecuteAsync($"""
            CREATE TRIGGER crash_at_checkpoint BEFORE UPDATE ON es_checkpoints WHEN NEW.position = {positions[7]}
            BEGIN SELECT RAISE(ABORT, 'crashed before the commit'); END;
            """);
        var projection = new NoteEffects(context);
        var runner = new ProjectionRunner(store, projection, new ProjectionOptions { BatchSize = 4, MaxAttempts = 2, RetryDelay = TimeSpan.Zero });

        // The store failed, not the handler: the store's exception, no retries spent on the handler, no ProjectionException.
        var ex = await Assert.ThrowsAsync<SqliteException>(() => runner.RunOnceAsync());
        Assert.Contains("crashed before the commit", ex.Message, StringComparison.Ordinal);
        Assert.Null((await runner.GetStatusAsync()).LastError);
        Assert.Equal(positions[3], await runner.GetCheckpointAsync());
        await AssertEffectsExactlyOnceAsync(positions[..4]);

        await _db.ExecuteAsync("DROP TRIGGER crash_at_checkpoint");
        Assert.Equal(6, await runner.RunOnceAsync());
        await AssertEffectsExactlyOnceAsync(positions);
    }

    [Fact]
    public async Task Store_failures_on_the_exactly_once_path_go_to_OnError_and_RunAsync_carries_on()
    {
        var (context, store) = await CreateContextStoreAsync();
        var positions = await AppendNotesAsync(store, 10);
        await _db.ExecuteAsync($"""
            CREATE TABLE store_down (n INTEGER);
            INSERT INTO store_down VALUES (1);
            CREATE TRIGGER checkpoint_fails BEFORE UPDATE ON es_checkpoints WHEN EXISTS (SELECT 1 FROM store_down)
            BEGIN SELECT RAISE(ABORT, 'the store is down'); END;
            """);
        var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var runner = new ProjectionRunner(store, new NoteEffects(context), new ProjectionOptions
        {
            BatchSize = 4,
            MaxAttempts = 1,
            PollInterval = TimeSpan.FromMilliseconds(20),
            OnError = errors.Enqueue,
        });

        using var cts = new CancellationTokenSource();
        var run = runner.RunAsync(cts.Token);
        await WaitUntilAsync(() => errors.Count >= 3, run);
        await _db.ExecuteAsync("DELETE FROM store_down"); // the store is back
        await WaitUntilAsync(async () => await _db.ScalarAsync("SELECT position FROM es_checkpoints") is long p && p == positions[^1], run);
        await cts.CancelAsync();
        await run; // still running until cancelled, and returns quietly

        Assert.All(errors, e => Assert.Contains("the store is down", e.Message, StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e is ProjectionException);
        await AssertEffectsExactlyOnceAsync(positions);
    }

    [Fact]
    public async Task Two_runners_of_one_exactly_once_projection_apply_each_event_once()
    {
        // Two hosts: each its own context and store over the file. Runner B loads the checkpoint (0) while runner A's
        // first batch is open; B then waits for the write lock, and begins its batch on what A has just committed.
        var (contextA, storeA) = await CreateContextStoreAsync();
        var (contextB, storeB) = await CreateContextStoreAsync();
        var positions = await AppendNotesAsync(storeA, 10);
        var aInBatch = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseA = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var projectionA = new NoteEffects(contextA)
        {
            BeforeWriting = async position =>
            {
                if (position == positions[0])
                {
                    aInBatch.SetResult();
                    await releaseA.Task;
                }
            },
        };
        var bLoaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new ProjectionOptions { BatchSize = 4, SingleOwner = false }; // as if A's lease ran out mid-batch
        var runnerA = new ProjectionRunner(storeA, projectionA, options);
        var runnerB = new ProjectionRunner(new CheckpointLoadSignal(storeB, bLoaded), new NoteEffects(contextB), options);

        var runA = runnerA.RunOnceAsync();
        await aInBatch.Task;
        var runB = runnerB.RunOnceAsync();
        await bLoaded.Task;
        releaseA.SetResult();
        await Task.WhenAll(runA, runB);
        await runnerA.RunOnceAsync();
        await runnerB.RunOnceAsync();

        Assert.Equal(positions[^1], await runnerA.GetCheckpointAsync());
        await AssertEffectsExactlyOnceAsync(positions); // equal to a single run's read model
    }

    [Fact]
    public async Task A_run_inside_the_users_transaction_commits_or_rolls_back_with_it()
    {
        var (context, store) = await CreateContextStoreAsync();
        var positions = await AppendNotesAsync(store, 5);
        var runner = new ProjectionRunner(store, new NoteEffects(context), new ProjectionOptions { BatchSize = 2 });

        await using (var transaction = await context.Database.BeginTransactionAsync())
        {
            Assert.Equal(5, await runner.RunOnceAsync());
            Assert.Equal(positions[^1], await runner.GetCheckpointAsync()); // the transaction sees its own writes
            await transaction.RollbackAsync();
        }

        context.ChangeTracker.Clear();
        Assert.Equal(0, await runner.GetCheckpointAsync());
        Assert.Equal(0L, await _db.ScalarAsync("SELECT COUNT(*) FROM note_effects"));

        await using (var transaction = await context.Database.BeginTransactionAsync())
        {
            Assert.Equal(5, await runner.RunOnceAsync());
            await transaction.CommitAsync();
        }

        Assert.Equal(positions[^1], await runner.GetCheckpointAsync());
        await AssertEffectsExactlyOnceAsync(positions);
    }

    [Fact]
    public async Task A_failed_batch_inside_the_users_transaction_is_undone_alone()
    {
        var (context, store) = await CreateContextStoreAsync();
        var positions = await AppendNotesAsync(store, 6);
        var runner = new ProjectionRunner(store, new NoteEffects(context) { CrashAfterWritingAt = positions[4], Crashes = 1 }, new ProjectionOptions { BatchSize = 2, MaxAttempts = 1 });

        await using (var transaction = await context.Database.BeginTransactionAsync())
        {
            context.Tallies.Add(new Tally { Name = "users-own", Count = 1 });
            await context.SaveChangesAsync();
            var ex = await Assert.ThrowsAsync<ProjectionException>(() => runner.RunOnceAsync());
            Assert.Equal(positions[4], ex.Position);
            await transaction.CommitAsync();
        }

        Assert.Equal(1L, await _db.ScalarAsync("SELECT count FROM tallies WHERE name = 'users-own'"));
        Assert.Equal(positions[3], await runner.GetCheckpointAsync());
        await AssertEffectsExactlyOnceAsync(positions[..4]);

        Assert.Equal(2, await runner.RunOnceAsync());
        await AssertEffectsExactlyOnceAsync(positions);
    }

    [Fact]
    public async Task A_projection_transaction_holds_the_write_lock_from_its_start()
    {
        var (_, store) = await CreateContextStoreAsync();
        await using var other = new SqliteConnection(_db.ConnectionString + ";Default Timeout=1");
        await other.OpenAsync();
        await using var write = other.CreateCommand();
        write.CommandText = "INSERT INTO tallies (name, count) VALUES ('other', 1);";

        await using (await store.BeginProjectionTransactionAsync())
        {
            var ex = await Assert.ThrowsAsync<SqliteException>(() => write.ExecuteNonQueryAsync());
            Assert.Equal(5, ex.SqliteErrorCode); // SQLITE_BUSY: the batch cannot fail halfway for a writer that came in between
        }

        Assert.Equal(1, await write.ExecuteNonQueryAsync());
    }

    [Fact]
    public async Task Only_a_store_over_a_users_context_offers_projection_transactions_and_its_views_do_too()
    {
        var owned = await _db.OpenStoreAsync();
        var (_, overContext) = await CreateContextStoreAsync();

        Assert.False(owned is IProjectionTransactions);
        Assert.False(owned.ForTenant("acme") is IProjectionTransactions);
        Assert.IsAssignableFrom<IProjectionTransactions>(overContext.ForTenant("acme"));
        Assert.IsAssignableFrom<ICheckpointStore>(owned.ForTenant("acme"));
    }

    [Fact]
    public async Task A_new_runner_on_a_reopened_file_resumes_with_no_event_missed_or_repeated()
    {
        var store = await _db.OpenStoreAsync();
        await AppendNotesAsync(store, 10);
        var first = new NoteLog("log");
        Assert.Equal(10, await new ProjectionRunner(store, first).RunOnceAsync());
        await store.DisposeAsync();

        var reopened = await _db.OpenStoreAsync();
        var more = await AppendNotesAsync(reopened, 5, from: 10);
        var second = new NoteLog("log");
        var runner = new ProjectionRunner(reopened, second);

        Assert.Equal(5, await runner.RunOnceAsync());
        Assert.Equal(Enumerable.Range(10, 5).Select(i => $"n{i}"), second.Texts);
        Assert.Equal(more[^1], await runner.GetCheckpointAsync());

        // A store over a user's context on the same file reads the same checkpoint.
        var (_, overContext) = await CreateContextStoreAsync();
        Assert.Equal(more[^1], await new ProjectionRunner(overContext, new NoteLog("log")).GetCheckpointAsync());
        Assert.Equal(0, await new ProjectionRunner(overContext, new NoteLog("log")).RunOnceAsync());
    }

    [Fact]
    public async Task Checkpoints_survive_reopening_and_are_kept_per_tenant()
    {
        var store = await _db.OpenStoreAsync();
        var defaultLast = (await AppendNotesAsync(store, 3))[^1];
        var acmeLast = (await AppendNotesAsync(store.ForTenant("acme"), 2, from: 100))[^1];
        await new ProjectionRunner(store, new NoteLog("log")).RunOnceAsync();
        await new ProjectionRunner(store.ForTenant("acme"), new NoteLog("log")).RunOnceAsync();
        await store.DisposeAsync();

        var reopened = await _db.OpenStoreAsync();
        Assert.Equal(defaultLast, await reopened.LoadCheckpointAsync("log"));
        Assert.Equal(acmeLast, await ((ICheckpointStore)reopened.ForTenant("acme")).LoadCheckpointAsync("log"));
        Assert.Equal(0, await ((ICheckpointStore)reopened.ForTenant("globex")).LoadCheckpointAsync("log"));
        var rows = await _db.RowsAsync("SELECT tenant_id, name, position FROM es_checkpoints ORDER BY tenant_id");
        Assert.Equal([("", "log", defaultLast), ("acme", "log", acmeLast)], rows.Select(r => ((string)r[0]!, (string)r[1]!, (long)r[2]!)));

        await ((ICheckpointStore)reopened.ForTenant("acme")).DeleteCheckpointAsync("log");
        Assert.Equal(0, await ((ICheckpointStore)reopened.ForTenant("acme")).LoadCheckpointAsync("log"));
        Assert.Equal(defaultLast, await reopened.LoadCheckpointAsync("log"));
    }

    [Fact]
    public async Task The_head_is_the_last_still_stored_event_of_the_view()
    {
        var store = await _db.OpenStoreAsync();
        Assert.Equal(0, await store.ReadHeadPositionAsync());
        var kept = await store.AppendAsync(StreamId.New(), [new TurnedOn()], ExpectedVersion.NoStream);
        var acme = await store.ForTenant("acme").AppendAsync(StreamId.New(), [new TurnedOn()], ExpectedVersion.NoStream);
        var doomed = StreamId.New();
        var deleted = await store.AppendAsync(doomed, [new TurnedOn(), new TurnedOff()], ExpectedVersion.NoStream);

        Assert.Equal(deleted.LastPosition, await store.ReadHeadPositionAsync());
        Assert.Equal(acme.LastPosition, await ((ICheckpointStore)store.ForTenant("acme")).ReadHeadPositionAsync());
        Assert.Equal(0, await ((ICheckpointStore)store.ForTenant("globex")).ReadHeadPositionAsync());

        await store.DeleteStreamAsync(doomed);
        Assert.Equal(kept.LastPosition, await store.ReadHeadPositionAsync());

        // A quiet view's head, far behind the store's newest events.
        var quiet = await store.ForTenant("quiet").AppendAsync(StreamId.New(), [new TurnedOn(), new TurnedOff()], ExpectedVersion.NoStream);
        for (var i = 0; i < 3; i++)
        {
            await store.AppendAsync(StreamId.New(), Enumerable.Range(0, 200).Select(_ => (Event)new TurnedOn()).ToArray(), ExpectedVersion.NoStream);
        }

        Assert.Equal(quiet.LastPosition, await ((ICheckpointStore)store.ForTenant("quiet")).ReadHeadPositionAsync());
    }

    [Fact]
    public async Task The_head_query_is_one_probe_of_the_views_index()
    {
        var store = await _db.OpenStoreAsync();
        for (var i = 0; i < 20; i++)
        {
            await store.ForTenant(i % 2 == 0 ? "acme" : "globex").AppendAsync(StreamId.New(), [new TurnedOn(), new TurnedOff()], ExpectedVersion.NoStream);
        }

        await _db.ExecuteAsync("ANALYZE");

        var steps = await QueryPlan.StepsAsync(store, SqliteStorage.ReadHeadPositionSql, ("$tenant", "acme"));

        Assert.Equal([$"SEARCH es_events USING COVERING INDEX {SqliteStorage.EventsByTenantIndex} (tenant_id=?)"], steps);
    }

    [Fact]
    public async Task A_runner_catches_up_on_twenty_thousand_events()
    {
        var store = await _db.OpenStoreAsync(new SqliteEventStoreOptions { Synchronous = SqliteSynchronousMode.Normal });
        long last = 0;
        for (var i = 0; i < 200; i++)
        {
            var events = Enumerable.Range(0, 100).Select(j => (Event)new NoteAdded($"n{(i * 100) + j}", j, DateTimeOffset.UnixEpoch)).ToArray();
            last = (await store.AppendAsync(StreamId.New("note"), events, ExpectedVersion.NoStream)).LastPosition;
        }

        var projection = new Counting("catch-up");
        var runner = new ProjectionRunner(store, projection);

        Assert.Equal(20_000, await runner.RunOnceAsync());
        Assert.Equal(20_000, projection.Count);
        Assert.Equal(last, await runner.GetCheckpointAsync());
        Assert.Equal(0, (await runner.GetStatusAsync()).Lag);
    }

    [Fact]
    public async Task An_event_that_cannot_be_read_stops_the_run_at_it_after_handling_everything_before_it()
    {
        var store = await _db.OpenStoreAsync();
        var positions = await AppendNotesAsync(store, 5);
        await _db.ExecuteAsync("UPDATE es_events SET payload = '{\"text\":' WHERE position = $p", ("$p", positions[3]));
        var projection = new NoteLog("log");
        var runner = new ProjectionRunner(store, projection, new ProjectionOptions { BatchSize = 2 });

        var ex = await Assert.ThrowsAsync<ProjectionException>(() => runner.RunOnceAsync());

        Assert.Equal(positions[3], ex.Position);
        var unreadable = Assert.IsType<EventReadException>(ex.InnerException);
        Assert.Equal(positions[3], unreadable.Position);
        Assert.Equal(positions[2], await runner.GetCheckpointAsync()); // the half batch before it was handled too
        Assert.Equal(3, projection.Texts.Count);
        Assert.Same(ex, (await runner.GetStatusAsync()).LastError);
        await Assert.ThrowsAsync<ProjectionException>(() => runner.RunAsync()); // RunAsync stops at it as well
    }

    private async Task<(ReadModelContext Context, SqliteDbContextEventStore Store)> CreateContextStoreAsync()
    {
        var context = _db.Own(new ReadModelContext(new DbContextOptionsBuilder<ReadModelContext>().UseSqlite(_db.ConnectionString).Options));
        await context.Database.EnsureCreatedAsync();
        return (context, _db.Own(new SqliteDbContextEventStore(context)));
    }

    private async Task AssertEffectsExactlyOnceAsync(long[] positions)
    {
        var effects = (await _db.RowsAsync("SELECT position FROM note_effects ORDER BY id")).Select(r => (long)r[0]!).ToArray();
        Assert.Equal(positions, effects);
        var tally = await _db.ScalarAsync("SELECT count FROM tallies WHERE name = 'notes'");
        Assert.Equal((long)positions.Length, tally);
    }

    private static async Task<long[]> AppendNotesAsync(IEventStore store, int count, int from = 0)
    {
        var positions = new long[count];
        for (var i = 0; i < count; i++)
        {
            positions[i] = (await store.AppendAsync(StreamId.New("note"), [new NoteAdded($"n{from + i}", from + i, DateTimeOffset.UnixEpoch)], ExpectedVersion.NoStream)).LastPosition;
        }

        return positions;
    }

    /// <summary>A read model in the user's context: a row per event and a tally, saved per event; it can crash after writing.</summary>
    private sealed class NoteEffects(ReadModelContext context) : IProjection
    {
        public string Name => "note-effects";

        public long CrashAfterWritingAt { get; init; } = -1;

        /// <summary>Runs before each event is written (a test's gate).</summary>
        public Func<long, Task>? BeforeWriting { get; init; }

        public int Crashes { get; set; }

        public async ValueTask HandleAsync(RecordedEvent recorded, CancellationToken cancellationToken)
        {
            if (BeforeWriting is not null)
            {
                await BeforeWriting(recorded.Position);
            }

            context.Effects.Add(new NoteEffect { Position = recorded.Position, Text = ((NoteAdded)recorded.Event).Text });
            var tally = await context.Tallies.FindAsync([Keys.Notes], cancellationToken) ?? context.Tallies.Add(new Tally { Name = Keys.Notes }).Entity;
            tally.Count++;
            await context.SaveChangesAsync(cancellationToken);
            if (recorded.Position == CrashAfterWritingAt && Crashes > 0)
            {
                Crashes--;
                throw new IOException("crashed after writing the read model");
            }
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Task run) => await WaitUntilAsync(() => Task.FromResult(condition()), run);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Task run)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.False(run.IsCompleted, $"RunAsync ended early: {run.Exception?.InnerException}");
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(10);
        }
    }

    /// <summary>
    /// The store over a user's context, passed on as it is, that says when the projection's checkpoint has been loaded:
    /// for a test to act at that moment.
    /// </summary>
    private sealed class CheckpointLoadSignal(SqliteDbContextEventStore inner, TaskCompletionSource loaded) : IEventStore, ICheckpointStore, IProjectionTransactions
    {
        public ValueTask<AppendResult> AppendAsync(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, CancellationToken cancellationToken = default)
            => inner.AppendAsync(streamId, events, expectedVersion, cancellationToken);

        public ValueTask<AppendResult> PublishAsync(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, CancellationToken cancellationToken = default)
            => inner.PublishAsync(streamId, events, expectedVersion, cancellationToken);

        public IAsyncEnumerable<RecordedEvent> ReadStreamAsync(StreamId streamId, long fromVersion = 1, long toVersion = long.MaxValue, CancellationToken cancellationToken = default)
            => inner.ReadStreamAsync(streamId, fromVersion, toVersion, cancellationToken);

        public IAsyncEnumerable<RecordedEvent> ReadAllAsync(long afterPosition = 0, CancellationToken cancellationToken = default)
            => inner.ReadAllAsync(afterPosition, cancellationToken);

        public ValueTask<bool> DeleteStreamAsync(StreamId streamId, ExpectedVersion expectedVersion = default, CancellationToken cancellationToken = default)
            => inner.DeleteStreamAsync(streamId, expectedVersion, cancellationToken);

        public IEventStore ForTenant(string tenantId) => inner.ForTenant(tenantId);

        public async ValueTask<long> LoadCheckpointAsync(string projection, CancellationToken cancellationToken = default)
        {
            var position = await inner.LoadCheckpointAsync(projection, cancellationToken);
            loaded.TrySetResult();
            return position;
        }

        public ValueTask SaveCheckpointAsync(string projection, long position, CancellationToken cancellationToken = default)
            => inner.SaveCheckpointAsync(projection, position, cancellationToken);

        public ValueTask<bool> TrySaveCheckpointAsync(string projection, long expected, long position, CancellationToken cancellationToken = default)
            => inner.TrySaveCheckpointAsync(projection, expected, position, cancellationToken);

        public ValueTask DeleteCheckpointAsync(string projection, CancellationToken cancellationToken = default)
            => inner.DeleteCheckpointAsync(projection, cancellationToken);

        public ValueTask<long> ReadHeadPositionAsync(CancellationToken cancellationToken = default)
            => inner.ReadHeadPositionAsync(cancellationToken);

        public ValueTask<IProjectionTransaction> BeginProjectionTransactionAsync(CancellationToken cancellationToken = default)
            => inner.BeginProjectionTransactionAsync(cancellationToken);
    }

    private static class Keys
    {
        public const string Notes = "notes";
    }

    private sealed class NoteLog(string name) : IProjection
    {
        public string Name => name;

        public List<string> Texts { get; } = [];

        public ValueTask HandleAsync(RecordedEvent recorded, CancellationToken cancellationToken)
        {
            Texts.Add(((NoteAdded)recorded.Event).Text);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class Counting(string name) : IProjection
    {
        public string Name => name;

        public int Count { get; private set; }

        public ValueTask HandleAsync(RecordedEvent recorded, CancellationToken cancellationToken)
        {
            Count++;
            return ValueTask.CompletedTask;
        }
    }
}
