namespace EventSourcery.StoreContract;

/// <summary>Projections run by <see cref="ProjectionRunner"/>: durable checkpoints, retries, rebuilds, side-by-side runs.</summary>
public abstract class ProjectionContract
{
    /// <summary>A new, empty store for one test.</summary>
    protected abstract Task<IEventStore> CreateStoreAsync();

    [SkippableFact]
    public async Task A_run_handles_every_stored_event_in_order_and_saves_the_checkpoint()
    {
        var store = await CreateStoreAsync();
        var last = await AppendNotes(store, 250);
        var projection = new NoteLog("log");
        var runner = new ProjectionRunner(store, projection, new ProjectionOptions { BatchSize = 64 });

        Assert.Equal(0, await runner.GetCheckpointAsync());
        Assert.Equal(250, await runner.RunOnceAsync());
        Assert.Equal(Enumerable.Range(0, 250).Select(i => $"n{i}"), projection.Texts);
        Assert.Equal(last, await runner.GetCheckpointAsync());
        Assert.Equal(0, await runner.RunOnceAsync());

        var status = await runner.GetStatusAsync();
        Assert.Equal((last, last, 0L), (status.Checkpoint, status.HeadPosition, status.Lag));
        Assert.Null(status.LastError);
    }

    [SkippableFact]
    public async Task A_new_runner_resumes_from_the_stored_checkpoint_with_nothing_missed_or_repeated()
    {
        var store = await CreateStoreAsync();
        await AppendNotes(store, 10);
        var projection = new NoteLog("log");
        await new ProjectionRunner(store, projection).RunOnceAsync();
        await AppendNotes(store, 5, from: 10);

        Assert.Equal(5, await new ProjectionRunner(store, projection).RunOnceAsync());
        Assert.Equal(Enumerable.Range(0, 15).Select(i => $"n{i}"), projection.Texts);
    }

    [SkippableFact]
    public async Task A_failing_handler_is_retried_then_stops_the_run_at_the_last_event_it_handled()
    {
        var store = await CreateStoreAsync();
        await AppendNotes(store, 10);
        var projection = new NoteLog("fragile") { FailOn = "n6" };
        var runner = new ProjectionRunner(store, projection, new ProjectionOptions { BatchSize = 4, MaxAttempts = 3, RetryDelay = TimeSpan.Zero });

        var ex = await Assert.ThrowsAsync<ProjectionException>(() => runner.RunOnceAsync());
        Assert.Equal("fragile", ex.ProjectionName);
        Assert.IsType<InvalidOperationException>(ex.InnerException);
        Assert.Equal(3, projection.Failures); // every attempt counted
        var events = await Read.AllAsync(store);
        Assert.Equal(events[6].Position, ex.Position);
        Assert.Equal(events[5].Position, await runner.GetCheckpointAsync());
        Assert.Same(ex, (await runner.GetStatusAsync()).LastError);

        // Fixed: the next run carries on from the failing event, handling nothing twice that was checkpointed.
        projection.FailOn = null;
        projection.ForgetAfter(events[5].Position);
        Assert.Equal(4, await runner.RunOnceAsync());
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"n{i}"), projection.Texts);
        Assert.Null((await runner.GetStatusAsync()).LastError);
    }

    [SkippableFact]
    public async Task A_transient_failure_is_absorbed_by_the_retries()
    {
        var store = await CreateStoreAsync();
        await AppendNotes(store, 5);
        var projection = new NoteLog("flaky") { FailOn = "n2", FailTimes = 2 };
        var runner = new ProjectionRunner(store, projection, new ProjectionOptions { MaxAttempts = 3, RetryDelay = TimeSpan.Zero });

        Assert.Equal(5, await runner.RunOnceAsync());
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"n{i}"), projection.Texts.Distinct());
    }

    [SkippableFact]
    public async Task Reset_then_run_rebuilds_the_same_read_model()
    {
        var store = await CreateStoreAsync();
        await AppendNotes(store, 30);
        var projection = new NoteLog("rebuildable");
        var runner = new ProjectionRunner(store, projection);
        await runner.RunOnceAsync();
        var first = projection.Texts.ToList();

        projection.Clear();
        await runner.ResetAsync();
        Assert.Equal(0, await runner.GetCheckpointAsync());
        Assert.Equal(30, await runner.RunOnceAsync());
        Assert.Equal(first, projection.Texts);
    }

    [SkippableFact]
    public async Task Projections_side_by_side_keep_their_own_checkpoints()
    {
        var store = await CreateStoreAsync();
        await AppendNotes(store, 6);
        var (fast, slow) = (new NoteLog("fast"), new NoteLog("slow"));
        await new ProjectionRunner(store, fast).RunOnceAsync();
        await AppendNotes(store, 2, from: 6);

        Assert.Equal(8, await new ProjectionRunner(store, slow).RunOnceAsync());
        Assert.Equal(2, await new ProjectionRunner(store, fast).RunOnceAsync());
        var behind = await new ProjectionRunner(store, new NoteLog("never-ran")).GetStatusAsync();
        Assert.True(behind.Lag > 0);
    }

    [SkippableFact]
    public async Task Checkpoints_are_kept_per_view()
    {
        var store = await CreateStoreAsync();
        var acme = store.ForTenant("acme");
        await AppendNotes(store, 3);
        await AppendNotes(acme, 2, from: 100);

        var acmeLog = new NoteLog("log");
        var defaultLog = new NoteLog("log");
        Assert.Equal(2, await new ProjectionRunner(acme, acmeLog).RunOnceAsync());
        Assert.Equal(3, await new ProjectionRunner(store, defaultLog).RunOnceAsync());
        Assert.Equal(["n100", "n101"], acmeLog.Texts);
        Assert.Equal(["n0", "n1", "n2"], defaultLog.Texts);
    }

    [SkippableFact]
    public async Task A_batch_projection_gets_the_events_in_batches()
    {
        var store = await CreateStoreAsync();
        await AppendNotes(store, 10);
        var batches = new List<int>();
        var runner = new ProjectionRunner(store, new BatchCounter("batched", batches), new ProjectionOptions { BatchSize = 4 });
        Assert.Equal(10, await runner.RunOnceAsync());
        Assert.Equal([4, 4, 2], batches);
    }

    [SkippableFact]
    public async Task RunAsync_catches_up_then_follows_new_events_until_cancelled()
    {
        var store = await CreateStoreAsync();
        await AppendNotes(store, 3);
        var projection = new NoteLog("live");
        using var cts = new CancellationTokenSource();
        var running = new ProjectionRunner(store, projection, new ProjectionOptions { PollInterval = TimeSpan.FromMilliseconds(20) }).RunAsync(cts.Token);
        await AppendNotes(store, 2, from: 3);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (projection.Texts.Count < 5 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        await cts.CancelAsync();
        await running;
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"n{i}"), projection.Texts);
    }

    [SkippableFact]
    public async Task While_catching_up_the_checkpoint_is_saved_once_per_interval_and_at_the_end()
    {
        var store = await CreateStoreAsync();
        await AppendNotes(store, 250);
        var events = await Read.AllAsync(store);
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        ProjectionRunner runner = null!;
        var seen = new Dictionary<int, long>(); // event index -> the checkpoint stored when it was handled
        var projection = new Probe("timed", async (index, ct) =>
        {
            seen[index] = await runner.GetCheckpointAsync(ct);
            if (index == 125)
            {
                clock.Advance(TimeSpan.FromSeconds(10));
            }
        });
        runner = new ProjectionRunner(store, projection, new ProjectionOptions { BatchSize = 50, CheckpointInterval = TimeSpan.FromSeconds(10), TimeProvider = clock });

        Assert.Equal(250, await runner.RunOnceAsync());

        Assert.Equal(0, seen[120]); // two batches done, the interval not yet passed: nothing saved
        Assert.Equal(events[149].Position, seen[160]); // saved at the end of the batch during which it passed
        Assert.Equal(events[149].Position, seen[249]); // and not again until it passes again
        Assert.Equal(events[249].Position, await runner.GetCheckpointAsync()); // always at the end of the run
    }

    [SkippableFact]
    public async Task A_zero_checkpoint_interval_saves_after_every_batch()
    {
        var store = await CreateStoreAsync();
        await AppendNotes(store, 120);
        var events = await Read.AllAsync(store);
        ProjectionRunner runner = null!;
        var seen = new Dictionary<int, long>();
        var projection = new Probe("every-batch", async (index, ct) => seen[index] = await runner.GetCheckpointAsync(ct));
        runner = new ProjectionRunner(store, projection, new ProjectionOptions { BatchSize = 50, CheckpointInterval = TimeSpan.Zero });

        Assert.Equal(120, await runner.RunOnceAsync());

        Assert.Equal(0, seen[49]);
        Assert.Equal(events[49].Position, seen[50]);
        Assert.Equal(events[99].Position, seen[119]);
    }

    [SkippableFact]
    public async Task A_cancelled_run_saves_the_checkpoint_of_exactly_what_it_handled()
    {
        var store = await CreateStoreAsync();
        await AppendNotes(store, 250);
        var events = await Read.AllAsync(store);
        using var cts = new CancellationTokenSource();
        var handled = new List<long>();
        var projection = new Probe("stopped", (index, token) =>
        {
            token.ThrowIfCancellationRequested();
            handled.Add(events[index].Position);
            if (index == 120)
            {
                cts.Cancel(); // a host shutting down, in the middle of a batch
            }

            return Task.CompletedTask;
        });
        var runner = new ProjectionRunner(store, projection, new ProjectionOptions { BatchSize = 50, CheckpointInterval = TimeSpan.FromHours(1) });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runner.RunOnceAsync(cts.Token));

        Assert.Equal(events[120].Position, handled[^1]);
        Assert.Equal(events[120].Position, await runner.GetCheckpointAsync());
        Assert.Equal(129, await runner.RunOnceAsync()); // the next run repeats nothing
        Assert.Equal(events.Select(e => e.Position), handled);
    }

    [SkippableFact]
    public async Task A_runner_overtaken_by_another_runner_of_its_projection_never_moves_the_checkpoint_back()
    {
        // Two hosts run one projection: B is slow, A catches up past it, then B stops at a failing event. B saving
        // the checkpoint of where it stopped would send the projection back over events A already handled. (With
        // single ownership A would wait for B's lease; SingleOwner off stands for a lease that ran out during B's batch.)
        var store = await CreateStoreAsync();
        var last = await AppendNotes(store, 10);
        var bAtNote3 = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseB = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = new Probe("shared", async (note, _) =>
        {
            if (note == 3)
            {
                bAtNote3.SetResult();
                await releaseB.Task;
            }

            if (note == 5)
            {
                throw new InvalidOperationException("cannot project n5");
            }
        });
        var runnerB = new ProjectionRunner(store, slow, new ProjectionOptions { MaxAttempts = 1, SingleOwner = false });
        var runB = runnerB.RunOnceAsync();
        await bAtNote3.Task;

        var runnerA = new ProjectionRunner(store, new NoteLog("shared"), new ProjectionOptions { SingleOwner = false });
        Assert.Equal(10, await runnerA.RunOnceAsync());
        Assert.Equal(last, await runnerA.GetCheckpointAsync());

        releaseB.SetResult();
        await runB; // overtaken: it leaves the failing event to the runner that is ahead, and saves nothing

        Assert.Equal(last, await runnerA.GetCheckpointAsync());
        Assert.Null((await runnerB.GetStatusAsync()).LastError);
    }

    [SkippableFact]
    public async Task A_reset_during_a_run_is_not_undone_by_that_run()
    {
        var store = await CreateStoreAsync();
        await AppendNotes(store, 10);
        var atNote5 = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var projection = new Probe("rebuilt", async (note, _) =>
        {
            if (note == 5)
            {
                atNote5.SetResult();
                await release.Task;
            }
        });
        var runner = new ProjectionRunner(store, projection, new ProjectionOptions { BatchSize = 2, CheckpointInterval = TimeSpan.Zero });
        var run = runner.RunOnceAsync();
        await atNote5.Task; // four events handled and checkpointed

        await new ProjectionRunner(store, new NoteLog("rebuilt")).ResetAsync();
        release.SetResult();
        await run;

        Assert.Equal(0, await runner.GetCheckpointAsync()); // the next run rebuilds from the first event
    }

    [SkippableFact]
    public void Checkpoint_options_refuse_nonsense()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProjectionOptions { CheckpointInterval = TimeSpan.FromSeconds(-1) });
        Assert.Throws<ArgumentNullException>(() => new ProjectionOptions { TimeProvider = null! });
        Assert.Equal(TimeSpan.FromSeconds(1), new ProjectionOptions().CheckpointInterval);
    }

    [SkippableFact]
    public async Task Only_one_runner_of_a_projection_handles_events_and_a_standby_takes_over_when_it_stops()
    {
        // Two app instances run the same projection: without single ownership each handled some of the same events.
        var store = await CreateStoreAsync();
        var last = await AppendNotes(store, 20);
        var seenA = new System.Collections.Concurrent.ConcurrentQueue<int>();
        var seenB = new System.Collections.Concurrent.ConcurrentQueue<int>();
        var options = new ProjectionOptions { PollInterval = TimeSpan.FromMilliseconds(20), BatchSize = 5 };
        var runnerA = new ProjectionRunner(store, new Probe("shared", (note, _) => { seenA.Enqueue(note); return Task.CompletedTask; }), options);
        var runnerB = new ProjectionRunner(store, new Probe("shared", (note, _) => { seenB.Enqueue(note); return Task.CompletedTask; }), options);
        using var stopA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();

        var runA = runnerA.RunAsync(stopA.Token);
        await WaitForCheckpointAsync(runnerA, last);
        var runB = runnerB.RunAsync(stopB.Token);
        last = await AppendNotes(store, 20, from: 20);
        await WaitForCheckpointAsync(runnerA, last);
        await Task.Delay(100); // B had time to look, and stayed on standby
        Assert.Equal(Enumerable.Range(0, 40), seenA);
        Assert.Empty(seenB);
        Assert.Equal(0, await runnerB.RunOnceAsync()); // a manual pass defers to the owner too

        await stopA.CancelAsync();
        await runA; // gives the lease up
        last = await AppendNotes(store, 10, from: 40);
        await WaitForCheckpointAsync(runnerB, last);

        Assert.Equal(Enumerable.Range(40, 10), seenB);
        Assert.Equal(40, seenA.Count);
        await stopB.CancelAsync();
        await runB;
    }

    [SkippableFact]
    public async Task A_runner_takes_over_a_projection_whose_owner_died_once_its_lease_runs_out()
    {
        var store = await CreateStoreAsync();
        var last = await AppendNotes(store, 5);
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
        var leases = Assert.IsAssignableFrom<IProjectionLeases>(store);
        Assert.True(await leases.TryAcquireProjectionLeaseAsync("shared", "a process that died", clock.GetUtcNow(), TimeSpan.FromSeconds(10)));
        var projection = new NoteLog("shared");
        var runner = new ProjectionRunner(store, projection, new ProjectionOptions { TimeProvider = clock, LeaseDuration = TimeSpan.FromSeconds(10) });

        Assert.Equal(0, await runner.RunOnceAsync());
        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(0, await runner.RunOnceAsync());
        Assert.Equal(0, await runner.GetCheckpointAsync());

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(5, await runner.RunOnceAsync());
        Assert.Equal(last, await runner.GetCheckpointAsync());

        // Its run gave the lease up: the old owner could take it again, and a renewal by the holder always succeeds.
        Assert.True(await leases.TryAcquireProjectionLeaseAsync("shared", "a process that died", clock.GetUtcNow(), TimeSpan.FromSeconds(10)));
        Assert.True(await leases.TryAcquireProjectionLeaseAsync("shared", "a process that died", clock.GetUtcNow(), TimeSpan.FromSeconds(10)));
        Assert.False(await leases.TryAcquireProjectionLeaseAsync("shared", "someone else", clock.GetUtcNow(), TimeSpan.FromSeconds(10)));
        Assert.True(await leases.TryAcquireProjectionLeaseAsync("other projection", "someone else", clock.GetUtcNow(), TimeSpan.FromSeconds(10)));
        Assert.True(await ((IProjectionLeases)store.ForTenant("acme")).TryAcquireProjectionLeaseAsync("shared", "someone else", clock.GetUtcNow(), TimeSpan.FromSeconds(10)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProjectionOptions { LeaseDuration = TimeSpan.Zero });
    }

    private static async Task WaitForCheckpointAsync(ProjectionRunner runner, long position)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (await runner.GetCheckpointAsync() < position)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the checkpoint did not reach {position}");
            await Task.Delay(10);
        }
    }

    private static async Task<long> AppendNotes(IEventStore store, int count, int from = 0)
    {
        long last = 0;
        for (var i = from; i < from + count; i++)
        {
            last = (await store.AppendAsync(StreamId.New("note"), [new NoteAdded($"n{i}", i, DateTimeOffset.UnixEpoch)], ExpectedVersion.NoStream)).LastPosition;
        }

        return last;
    }

    /// <summary>A read model: the notes' texts in the order handled.</summary>
    private sealed class NoteLog(string name) : IProjection
    {
        private readonly List<(long Position, string Text)> _handled = [];

        public string Name => name;

        public string? FailOn { get; set; }

        public int FailTimes { get; init; } = int.MaxValue;

        public int Failures { get; private set; }

        public List<string> Texts => _handled.Select(h => h.Text).ToList();

        public void Clear() => _handled.Clear();

        /// <summary>Drops what was handled after the checkpoint (what a transactional read model would have rolled back).</summary>
        public void ForgetAfter(long position) => _handled.RemoveAll(h => h.Position > position);

        public ValueTask HandleAsync(RecordedEvent recorded, CancellationToken cancellationToken)
        {
            var text = ((NoteAdded)recorded.Event).Text;
            if (text == FailOn && Failures < FailTimes)
            {
                Failures++;
                throw new InvalidOperationException($"cannot project {text}");
            }

            _handled.Add((recorded.Position, text));
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A projection that calls a test's code with each note's number.</summary>
    private sealed class Probe(string name, Func<int, CancellationToken, Task> onNote) : IProjection
    {
        public string Name => name;

        public async ValueTask HandleAsync(RecordedEvent recorded, CancellationToken cancellationToken)
            => await onNote(((NoteAdded)recorded.Event).Count, cancellationToken);
    }

    private sealed class BatchCounter(string name, List<int> sizes) : IBatchProjection
    {
        public string Name => name;

        public ValueTask HandleAsync(IReadOnlyList<RecordedEvent> batch, CancellationToken cancellationToken)
        {
            sizes.Add(batch.Count);
            return ValueTask.CompletedTask;
        }
    }
}
