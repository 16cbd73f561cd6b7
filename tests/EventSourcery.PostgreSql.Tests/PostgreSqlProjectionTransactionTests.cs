using EventSourcery.StoreContract;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace EventSourcery.PostgreSql.Tests;

/// <summary>
/// Exactly-once projections on PostgreSQL: a projection that writes its read model through the user's context commits
/// each batch's read-model changes and its checkpoint in one transaction.
/// </summary>
[Collection(PostgresTests.Name)]
public sealed class PostgreSqlProjectionTransactionTests(PostgresServer server) : IAsyncLifetime
{
    private readonly PgStores _stores = new(server);
    private readonly List<DbContext> _contexts = [];
    private string _schema = "";

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.DisposeAsync();
        }

        await _stores.DisposeAsync();
    }

    [SkippableFact]
    public async Task A_handler_that_fails_after_writing_leaves_no_trace_and_a_rerun_applies_each_event_exactly_once()
    {
        var (context, store) = await CreateContextStoreAsync();
        var positions = await AppendNotesAsync(store, 10);
        var runner = new ProjectionRunner(store, new NoteEffects(context) { CrashAfterWritingAt = positions[6], Crashes = 1 }, new ProjectionOptions { BatchSize = 4, MaxAttempts = 1 });

        var error = await Assert.ThrowsAsync<ProjectionException>(() => runner.RunOnceAsync());

        Assert.Equal(positions[6], error.Position);
        Assert.Equal(positions[5], await runner.GetCheckpointAsync());
        await AssertEffectsExactlyOnceAsync(positions[..6]);
        Assert.Equal(4, await runner.RunOnceAsync());
        await AssertEffectsExactlyOnceAsync(positions);
    }

    [SkippableFact]
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
        Assert.Equal(0L, await _stores.ExecuteAsync($"SELECT COUNT(*) FROM \"{_schema}\".note_effects"));

        await using (var transaction = await context.Database.BeginTransactionAsync())
        {
            Assert.Equal(5, await runner.RunOnceAsync());
            await transaction.CommitAsync();
        }

        await AssertEffectsExactlyOnceAsync(positions);
    }

    [SkippableFact]
    public async Task A_failed_batch_inside_the_users_transaction_is_undone_alone()
    {
        var (context, store) = await CreateContextStoreAsync();
        var positions = await AppendNotesAsync(store, 6);
        var runner = new ProjectionRunner(store, new NoteEffects(context) { CrashAfterWritingAt = positions[4], Crashes = 1 }, new ProjectionOptions { BatchSize = 2, MaxAttempts = 1 });

        await using (var transaction = await context.Database.BeginTransactionAsync())
        {
            context.Tallies.Add(new Tally { Name = "users-own", Count = 1 });
            await context.SaveChangesAsync();
            var error = await Assert.ThrowsAsync<ProjectionException>(() => runner.RunOnceAsync());
            Assert.Equal(positions[4], error.Position);
            await transaction.CommitAsync();
        }

        Assert.Equal(1, await _stores.ExecuteAsync($"SELECT \"Count\" FROM \"{_schema}\".tallies WHERE \"Name\" = 'users-own'"));
        Assert.Equal(positions[3], await runner.GetCheckpointAsync());
        await AssertEffectsExactlyOnceAsync(positions[..4]);
        Assert.Equal(2, await runner.RunOnceAsync());
        await AssertEffectsExactlyOnceAsync(positions);
    }

    [SkippableFact]
    public async Task Two_runners_of_one_exactly_once_projection_on_two_instances_apply_each_event_once()
    {
        var (contextA, storeA) = await CreateContextStoreAsync();
        var (contextB, storeB) = await CreateContextStoreAsync();
        var positions = await AppendNotesAsync(storeA, 60);
        var options = new ProjectionOptions { BatchSize = 5, SingleOwner = false }; // as if a lease ran out mid-batch
        var runnerA = new ProjectionRunner(storeA, new NoteEffects(contextA), options);
        var runnerB = new ProjectionRunner(storeB, new NoteEffects(contextB), options);

        for (var round = 0; round < 40 && await runnerA.GetCheckpointAsync() < positions[^1]; round++)
        {
            await Task.WhenAll(RunOnceTolerantAsync(runnerA, contextA), RunOnceTolerantAsync(runnerB, contextB));
        }

        Assert.Equal(positions[^1], await runnerA.GetCheckpointAsync());
        await AssertEffectsExactlyOnceAsync(positions); // equal to a single run's read model
    }

    /// <summary>One pass; a batch that lost the checkpoint race to the other runner rolled back and is no failure.</summary>
    private static async Task RunOnceTolerantAsync(ProjectionRunner runner, DbContext context)
    {
        await runner.RunOnceAsync();
        context.ChangeTracker.Clear();
    }

    private async Task<(ReadModelContext Context, PostgreSqlDbContextEventStore Store)> CreateContextStoreAsync()
    {
        server.SkipIfUnavailable();
        if (_schema.Length == 0)
        {
            _schema = PgStores.NewSchema();
            await _stores.ExecuteAsync($"""
                CREATE SCHEMA "{_schema}";
                CREATE TABLE "{_schema}".note_effects ("Id" integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "Position" bigint NOT NULL, "Text" text NOT NULL);
                CREATE TABLE "{_schema}".tallies ("Name" text PRIMARY KEY, "Count" integer NOT NULL);
                """);
        }

        var context = new ReadModelContext(
            new DbContextOptionsBuilder<ReadModelContext>().UseNpgsql(_stores.ConnectionString).ReplaceService<IModelCacheKeyFactory, ReadModelContext.SchemaCacheKey>().Options,
            _schema);
        _contexts.Add(context);
        return (context, new PostgreSqlDbContextEventStore(context, new PostgreSqlEventStoreOptions { Schema = _schema }));
    }

    private async Task AssertEffectsExactlyOnceAsync(long[] positions)
    {
        var effects = (string?)await _stores.ExecuteAsync($"SELECT string_agg(\"Position\"::text, ',' ORDER BY \"Id\") FROM \"{_schema}\".note_effects") ?? "";
        Assert.Equal(string.Join(',', positions), effects);
        Assert.Equal(positions.Length, await _stores.ExecuteAsync($"SELECT \"Count\" FROM \"{_schema}\".tallies WHERE \"Name\" = 'notes'"));
    }

    private static async Task<long[]> AppendNotesAsync(IEventStore store, int count)
    {
        var positions = new long[count];
        for (var i = 0; i < count; i++)
        {
            positions[i] = (await store.AppendAsync(StreamId.New("note"), [new NoteAdded($"n{i}", i, DateTimeOffset.UnixEpoch)], ExpectedVersion.NoStream)).LastPosition;
        }

        return positions;
    }

    /// <summary>A read model in the user's context: a row per event and a tally, saved per event; it can crash after writing.</summary>
    private sealed class NoteEffects(ReadModelContext context) : IProjection
    {
        public string Name => "note-effects";

        public long CrashAfterWritingAt { get; init; } = -1;

        public int Crashes { get; set; }

        public async ValueTask HandleAsync(RecordedEvent recorded, CancellationToken cancellationToken)
        {
            context.Effects.Add(new NoteEffect { Position = recorded.Position, Text = ((NoteAdded)recorded.Event).Text });
            var tally = await context.Tallies.FindAsync(["notes"], cancellationToken) ?? context.Tallies.Add(new Tally { Name = "notes" }).Entity;
            tally.Count++;
            await context.SaveChangesAsync(cancellationToken);
            if (recorded.Position == CrashAfterWritingAt && Crashes > 0)
            {
                Crashes--;
                throw new IOException("crashed after writing the read model");
            }
        }
    }
}

/// <summary>A user's context on PostgreSQL holding a read model beside the event store's tables, all in one schema.</summary>
public sealed class ReadModelContext(DbContextOptions<ReadModelContext> options, string schema) : DbContext(options)
{
    public DbSet<NoteEffect> Effects => Set<NoteEffect>();

    public DbSet<Tally> Tallies => Set<Tally>();

    public string Schema { get; } = schema;

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<NoteEffect>(b =>
        {
            b.ToTable("note_effects", Schema);
            b.HasKey(x => x.Id);
        });
        modelBuilder.Entity<Tally>(b =>
        {
            b.ToTable("tallies", Schema);
            b.HasKey(x => x.Name);
        });
        modelBuilder.AddEventSourcery(Schema);
    }

    internal sealed class SchemaCacheKey : IModelCacheKeyFactory
    {
        public object Create(DbContext context, bool designTime) => (context.GetType(), ((ReadModelContext)context).Schema, designTime);
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
