using System.Collections.Concurrent;

namespace EventSourcery.StoreContract;

/// <summary>
/// The transactional outbox over a store: what PublishAsync stored reaches the publisher at least once, in order per
/// stream, through failures, retries, dead letters, cancellation and competing runners.
/// </summary>
public abstract class OutboxContract
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A new, empty store for one test; <paramref name="outboxFilter"/> decides which published events enter the outbox.</summary>
    protected abstract Task<IEventStore> CreateStoreAsync(Func<Event, bool>? outboxFilter = null);

    /// <summary>A second store instance over the same data (another connection where the store has one), for competing runners.</summary>
    protected virtual Task<IEventStore> CreateSecondInstanceAsync(IEventStore store) => Task.FromResult(store);

    [SkippableFact]
    public async Task Published_events_are_delivered_once_in_publish_order()
    {
        var store = await CreateStoreAsync();
        var (a, b) = (StreamId.New("a"), StreamId.New("b"));
        await store.PublishAsync(a, [Note("a1"), Note("a2")], ExpectedVersion.NoStream);
        await store.PublishAsync(b, [Note("b1")], ExpectedVersion.NoStream);
        await store.PublishAsync(a, [Note("a3")], ExpectedVersion.Exactly(2));

        var delivered = new List<RecordedEvent>();
        var outbox = new Outbox(store, Collect(delivered), Options());
        Assert.Equal(4, await outbox.RunOnceAsync());
        Assert.Equal(0, await outbox.RunOnceAsync());

        Assert.Equal(["a1", "a2", "b1", "a3"], delivered.Select(Text));
        Assert.Equal(delivered.Select(e => e.Position).Order(), delivered.Select(e => e.Position));
        Assert.Equal([1L, 2L, 1L, 3L], delivered.Select(e => e.Version));
        Assert.Equal(0, await outbox.GetPendingCountAsync());
    }

    [SkippableFact]
    public async Task Append_never_touches_the_outbox()
    {
        var store = await CreateStoreAsync();
        await store.AppendAsync(StreamId.New(), [Note("x")], ExpectedVersion.NoStream);
        var outbox = new Outbox(store, (_, _) => ValueTask.CompletedTask, Options());
        Assert.Equal(0, await outbox.RunOnceAsync());
        Assert.Equal(0, await outbox.GetPendingCountAsync());
    }

    [SkippableFact]
    public async Task A_publish_that_fails_its_concurrency_check_leaves_no_outbox_entry()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New();
        await store.PublishAsync(id, [Note("first")], ExpectedVersion.NoStream);
        await Assert.ThrowsAsync<ConcurrencyException>(async () => await store.PublishAsync(id, [Note("lost")], ExpectedVersion.NoStream));

        var delivered = new List<RecordedEvent>();
        await new Outbox(store, Collect(delivered), Options()).RunOnceAsync();
        Assert.Equal(["first"], delivered.Select(Text));
    }

    [SkippableFact]
    public async Task The_outbox_filter_decides_which_published_events_enter_it()
    {
        var store = await CreateStoreAsync(e => e is NoteAdded { Count: > 0 });
        await store.PublishAsync(StreamId.New(), [Note("kept", 1), Note("dropped", 0), new TurnedOn()], ExpectedVersion.NoStream);

        var delivered = new List<RecordedEvent>();
        await new Outbox(store, Collect(delivered), Options()).RunOnceAsync();
        Assert.Equal(["kept"], delivered.Select(Text));
    }

    [SkippableFact]
    public async Task A_failing_event_blocks_its_own_stream_only_and_is_retried_after_the_backoff()
    {
        var store = await CreateStoreAsync();
        var (bad, good) = (StreamId.New("bad"), StreamId.New("good"));
        await store.PublishAsync(bad, [Note("bad1"), Note("bad2")], ExpectedVersion.NoStream);
        await store.PublishAsync(good, [Note("good1")], ExpectedVersion.NoStream);
        await store.PublishAsync(bad, [Note("bad3")], ExpectedVersion.Exactly(2));
        await store.PublishAsync(good, [Note("good2")], ExpectedVersion.Exactly(1));

        var clock = new ManualTimeProvider(Start);
        var failBad1 = 2;
        var delivered = new List<string>();
        var outbox = new Outbox(store, (e, _) =>
        {
            if (Text(e) == "bad1" && failBad1-- > 0)
            {
                throw new InvalidOperationException("broker down");
            }

            delivered.Add(Text(e));
            return ValueTask.CompletedTask;
        }, Options(clock) with { InitialBackoff = TimeSpan.FromSeconds(10) });

        Assert.Equal(2, await outbox.RunOnceAsync());
        Assert.Equal(["good1", "good2"], delivered);

        // Still inside the first backoff (10 s): nothing of the bad stream moves.
        clock.Advance(TimeSpan.FromSeconds(9.9));
        Assert.Equal(0, await outbox.RunOnceAsync());

        clock.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal(0, await outbox.RunOnceAsync()); // second failure: the wait doubles to 20 s
        clock.Advance(TimeSpan.FromSeconds(19.9));
        Assert.Equal(0, await outbox.RunOnceAsync());
        clock.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal(3, await outbox.RunOnceAsync());
        Assert.Equal(["good1", "good2", "bad1", "bad2", "bad3"], delivered);
    }

    [SkippableFact]
    public async Task The_backoff_doubles_up_to_its_cap()
    {
        var store = await CreateStoreAsync();
        await store.PublishAsync(StreamId.New(), [Note("x")], ExpectedVersion.NoStream);
        var clock = new ManualTimeProvider(Start);
        var calls = 0;
        var outbox = new Outbox(store, (_, _) =>
        {
            calls++;
            throw new IOException("nope");
        }, Options(clock) with
        {
            InitialBackoff = TimeSpan.FromSeconds(1),
            MaxBackoff = TimeSpan.FromSeconds(5),
            MaxAttempts = 100,
        });

        await outbox.RunOnceAsync();
        var waits = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            // Step a tenth of a second at a time until the entry is tried again; the steps add up to the wait.
            var before = calls;
            var waited = 0;
            while (calls == before)
            {
                clock.Advance(TimeSpan.FromMilliseconds(100));
                waited += 100;
                await outbox.RunOnceAsync();
            }

            waits.Add(waited / 1000.0);
        }

        Assert.Equal([1.0, 2.0, 4.0, 5.0, 5.0], waits);
    }

    [SkippableFact]
    public async Task After_max_attempts_an_entry_is_dead_lettered_with_its_last_error_and_keeps_its_stream_waiting()
    {
        var store = await CreateStoreAsync();
        var (poison, other) = (StreamId.New("poison"), StreamId.New("other"));
        await store.PublishAsync(poison, [Note("poison"), Note("after")], ExpectedVersion.NoStream);
        await store.PublishAsync(other, [Note("other")], ExpectedVersion.NoStream);

        var healthy = false;
        var delivered = new List<string>();
        var outbox = new Outbox(store, (e, _) =>
        {
            if (Text(e) == "poison" && !healthy)
            {
                throw new FormatException("cannot encode poison");
            }

            delivered.Add(Text(e));
            return ValueTask.CompletedTask;
        }, Options() with { MaxAttempts = 3, InitialBackoff = TimeSpan.Zero });

        for (var i = 0; i < 5; i++)
        {
            await outbox.RunOnceAsync();
        }

        Assert.Equal(["other"], delivered);
        var dead = Assert.Single(await outbox.GetDeadLettersAsync());
        Assert.Equal("poison", Text(dead.Event));
        Assert.Equal(3, dead.Attempts);
        Assert.Equal("FormatException: cannot encode poison", dead.LastError);
        Assert.NotNull(dead.DeadLetteredAt);
        Assert.Equal(2, await outbox.GetPendingCountAsync()); // the dead letter and the event waiting behind it

        healthy = true;
        Assert.Equal(1, await outbox.RetryAsync());
        Assert.Equal(2, await outbox.RunOnceAsync());
        Assert.Equal(["other", "poison", "after"], delivered);
        Assert.Empty(await outbox.GetDeadLettersAsync());
    }

    [SkippableFact]
    public async Task Retry_puts_back_only_the_named_dead_letters()
    {
        var store = await CreateStoreAsync();
        var (x, y) = (StreamId.New(), StreamId.New());
        await store.PublishAsync(x, [Note("x")], ExpectedVersion.NoStream);
        await store.PublishAsync(y, [Note("y")], ExpectedVersion.NoStream);
        var failing = true;
        var outbox = new Outbox(store, (_, _) => failing ? throw new InvalidOperationException("down") : ValueTask.CompletedTask, Options() with { MaxAttempts = 1 });
        await outbox.RunOnceAsync();
        var dead = await outbox.GetDeadLettersAsync();
        Assert.Equal(2, dead.Count);

        failing = false;
        Assert.Equal(1, await outbox.RetryAsync([dead.Single(d => Text(d.Event) == "y").Id]));
        Assert.Equal(1, await outbox.RunOnceAsync());
        Assert.Equal("x", Text(Assert.Single(await outbox.GetDeadLettersAsync()).Event));
    }

    [SkippableFact]
    public async Task Entries_of_a_deleted_stream_are_still_delivered()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New("gone");
        await store.PublishAsync(id, [Note("promised")], ExpectedVersion.NoStream);
        await store.DeleteStreamAsync(id);

        var delivered = new List<RecordedEvent>();
        await new Outbox(store, Collect(delivered), Options()).RunOnceAsync();
        var e = Assert.Single(delivered);
        Assert.Equal("promised", Text(e));
        Assert.Equal(id, e.StreamId);
    }

    [SkippableFact]
    public async Task Cancellation_in_the_middle_of_a_batch_loses_nothing()
    {
        var store = await CreateStoreAsync();
        await PublishOnePerStreamAsync(store, 10);

        using var cts = new CancellationTokenSource();
        var delivered = new List<string>();
        var outbox = new Outbox(store, CancellingAt("e4", cts, delivered), Options());

        Assert.Equal(4, await outbox.RunOnceAsync(cts.Token));
        Assert.Equal(["e0", "e1", "e2", "e3"], delivered);
        Assert.Empty(await outbox.GetDeadLettersAsync());

        Assert.Equal(6, await outbox.RunOnceAsync());
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"e{i}"), delivered);
    }

    [SkippableFact]
    public async Task Two_concurrent_runners_never_deliver_the_same_entry()
    {
        var store = await CreateStoreAsync();
        var streams = Enumerable.Range(0, 10).Select(i => StreamId.New($"s{i}")).ToArray();
        for (var round = 0; round < 20; round++)
        {
            foreach (var s in streams)
            {
                await store.PublishAsync(s, [Note($"{s}:{round}")], round == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(round));
            }
        }

        var second = await CreateSecondInstanceAsync(store);
        var deliveries = new ConcurrentBag<(int Runner, RecordedEvent Event)>();
        var inFlight = new ConcurrentDictionary<long, int>();
        Func<RecordedEvent, CancellationToken, ValueTask> Publisher(int runner) => async (e, ct) =>
        {
            Assert.True(inFlight.TryAdd(e.Position, runner), $"position {e.Position} handed to two runners at once");
            await Task.Yield();
            deliveries.Add((runner, e));
            inFlight.TryRemove(e.Position, out _);
        };

        var one = new Outbox(store, Publisher(1), Options() with { BatchSize = 7 });
        var two = new Outbox(second, Publisher(2), Options() with { BatchSize = 7 });
        await Task.WhenAll(Drain(one), Drain(two));

        Assert.Equal(200, deliveries.Count);
        Assert.Equal(200, deliveries.Select(d => d.Event.Position).Distinct().Count());
        foreach (var byStream in deliveries.GroupBy(d => d.Event.StreamId))
        {
            // Each runner delivers in order; across runners a stream's next entry is claimed only after its previous one completed.
            Assert.Equal(Enumerable.Range(1, 20).Select(v => (long)v), byStream.Select(d => d.Event.Version).Order());
        }
    }

    [SkippableFact]
    public async Task A_slow_batch_stops_handing_over_entries_before_its_lease_can_run_out()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New("slow");
        await store.PublishAsync(id, [Note("s1"), Note("s2"), Note("s3"), Note("s4"), Note("s5")], ExpectedVersion.NoStream);
        var clock = new ManualTimeProvider(Start);
        var delivered = new List<string>();
        var outbox = new Outbox(store, (e, _) =>
        {
            delivered.Add(Text(e));
            clock.Advance(TimeSpan.FromSeconds(10)); // each delivery takes 10 s of a 30 s lease
            return ValueTask.CompletedTask;
        }, Options(clock) with { LeaseDuration = TimeSpan.FromSeconds(30) });

        // Deliveries start at 0 s, 10 s and 20 s; at 30 s the lease may be another runner's, so the rest is released.
        Assert.Equal(3, await outbox.RunOnceAsync());
        Assert.Equal(2, await outbox.RunOnceAsync());
        Assert.Equal(["s1", "s2", "s3", "s4", "s5"], delivered);
    }

    [SkippableFact]
    public async Task A_runner_whose_claim_was_taken_over_can_no_longer_complete_fail_or_release_the_entry()
    {
        var store = await CreateStoreAsync();
        await store.PublishAsync(StreamId.New(), [Note("x")], ExpectedVersion.NoStream);
        var outboxStore = (IOutboxStore)store;
        var late = Assert.Single(await outboxStore.ClaimOutboxAsync(new OutboxClaim("late", 10, Start, TimeSpan.FromSeconds(1))));
        var taker = Assert.Single(await outboxStore.ClaimOutboxAsync(new OutboxClaim("taker", 10, Start.AddSeconds(2), TimeSpan.FromMinutes(1))));
        Assert.Equal(late.Id, taker.Id);

        await outboxStore.CompleteOutboxAsync("late", late.Id);
        await outboxStore.FailOutboxAsync("late", late.Id, "late failure", retryAt: null, Start.AddSeconds(3));
        await outboxStore.ReleaseOutboxAsync("late", [late.Id]);

        Assert.Equal(1, await outboxStore.CountOutboxAsync());
        Assert.Empty(await outboxStore.ReadDeadLettersAsync());
        Assert.Empty(await outboxStore.ClaimOutboxAsync(new OutboxClaim("third", 10, Start.AddSeconds(4), TimeSpan.FromMinutes(1)))); // still the taker's

        await outboxStore.CompleteOutboxAsync("taker", taker.Id);
        Assert.Equal(0, await outboxStore.CountOutboxAsync());
    }

    [SkippableFact]
    public async Task Completing_a_group_removes_only_the_entries_the_runner_still_holds()
    {
        var store = await CreateStoreAsync();
        await PublishOnePerStreamAsync(store, 4);

        var outboxStore = (IOutboxStore)store;
        var mine = await outboxStore.ClaimOutboxAsync(new OutboxClaim("mine", 3, Start, TimeSpan.FromMinutes(1)));
        var theirs = Assert.Single(await outboxStore.ClaimOutboxAsync(new OutboxClaim("theirs", 3, Start, TimeSpan.FromMinutes(1))));
        Assert.Equal(3, mine.Count);

        await outboxStore.CompleteOutboxAsync("mine", [mine[0].Id, mine[2].Id, theirs.Id, 999_999]);
        await outboxStore.CompleteOutboxAsync("mine", Array.Empty<long>());

        Assert.Equal(2, await outboxStore.CountOutboxAsync()); // mine[1], and theirs: not mine to complete
        await outboxStore.CompleteOutboxAsync("theirs", [theirs.Id]);
        await outboxStore.CompleteOutboxAsync("mine", [mine[1].Id]);
        Assert.Equal(0, await outboxStore.CountOutboxAsync());
    }

    [SkippableTheory]
    [InlineData(1, new[] { 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 })]
    [InlineData(4, new[] { 10, 10, 10, 10, 6, 6, 6, 6, 2, 2 })]
    public async Task Delivered_entries_are_completed_in_groups_of_the_configured_size(int groupSize, int[] pendingAtEachDelivery)
    {
        var store = await CreateStoreAsync();
        await PublishOnePerStreamAsync(store, 10);

        var outboxStore = (IOutboxStore)store;
        var pending = new List<long>();
        var outbox = new Outbox(store, async (e, ct) => pending.Add(await outboxStore.CountOutboxAsync(ct)), Options() with { CompletionBatchSize = groupSize });

        Assert.Equal(10, await outbox.RunOnceAsync());

        Assert.Equal(pendingAtEachDelivery.Select(n => (long)n), pending); // what is still in the outbox as each is delivered
        Assert.Equal(0, await outbox.GetPendingCountAsync()); // the last, partial group is completed before the run returns
    }

    [SkippableFact]
    public async Task A_cancelled_run_completes_the_group_it_delivered_and_releases_the_rest()
    {
        var store = await CreateStoreAsync();
        await PublishOnePerStreamAsync(store, 10);

        using var cts = new CancellationTokenSource();
        var delivered = new List<string>();
        var outbox = new Outbox(store, CancellingAt("e5", cts, delivered), Options() with { CompletionBatchSize = 4 });

        Assert.Equal(5, await outbox.RunOnceAsync(cts.Token));
        Assert.Equal(5, await outbox.GetPendingCountAsync()); // e0-e3 as a group, e4 alone when the run stopped

        Assert.Equal(5, await outbox.RunOnceAsync());
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"e{i}"), delivered); // nothing twice, nothing lost
        Assert.Throws<ArgumentOutOfRangeException>(() => new OutboxOptions { CompletionBatchSize = 0 });
    }

    [SkippableFact]
    public async Task Randomly_failing_publisher_eventually_delivers_everything_in_stream_order()
    {
        var store = await CreateStoreAsync();
        var random = new Random(30);
        var streams = Enumerable.Range(0, 20).Select(i => StreamId.New($"r{i}")).ToArray();
        var versions = new long[streams.Length];
        for (var i = 0; i < 1_000; i++)
        {
            var s = random.Next(streams.Length);
            await store.PublishAsync(streams[s], [Note($"{s}:{versions[s] + 1}", (int)versions[s] + 1)], versions[s] == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(versions[s]));
            versions[s]++;
        }

        var delivered = new Dictionary<StreamId, List<long>>();
        var attempts = 0;
        var outbox = new Outbox(store, (e, _) =>
        {
            attempts++;
            if (random.NextDouble() < 0.3)
            {
                throw new TimeoutException("flaky broker");
            }

            (delivered.TryGetValue(e.StreamId, out var list) ? list : delivered[e.StreamId] = []).Add(e.Version);
            return ValueTask.CompletedTask;
        }, Options() with { MaxAttempts = 50, InitialBackoff = TimeSpan.Zero, BatchSize = 64 });

        for (var pass = 0; pass < 500 && await outbox.GetPendingCountAsync() > 0; pass++)
        {
            await outbox.RunOnceAsync();
        }

        Assert.Equal(0, await outbox.GetPendingCountAsync());
        Assert.Empty(await outbox.GetDeadLettersAsync());
        Assert.Equal(1_000, delivered.Values.Sum(l => l.Count));
        foreach (var (stream, list) in delivered)
        {
            Assert.Equal(Enumerable.Range(1, list.Count).Select(v => (long)v), list); // in order, each exactly once
        }

        Assert.True(attempts > 1_200, $"the publisher should have failed often ({attempts} attempts)");
    }

    [SkippableFact]
    public async Task An_outbox_over_a_view_delivers_only_that_views_entries_and_names_the_tenant()
    {
        var store = await CreateStoreAsync();
        await store.PublishAsync(StreamId.New(), [Note("default")], ExpectedVersion.NoStream);
        await store.ForTenant("acme").PublishAsync(StreamId.New(), [Note("acme")], ExpectedVersion.NoStream);

        var fromDefault = new List<RecordedEvent>();
        var fromAcme = new List<RecordedEvent>();
        await new Outbox(store, Collect(fromDefault), Options()).RunOnceAsync();
        await new Outbox(store.ForTenant("acme"), Collect(fromAcme), Options()).RunOnceAsync();

        Assert.Equal("default", Text(Assert.Single(fromDefault)));
        Assert.Null(fromDefault[0].TenantId);
        Assert.Equal("acme", Text(Assert.Single(fromAcme)));
        Assert.Equal("acme", fromAcme[0].TenantId);
    }

    [SkippableFact]
    public async Task RunAsync_delivers_until_cancelled_and_returns_quietly()
    {
        var store = await CreateStoreAsync();
        var delivered = new ConcurrentQueue<string>();
        using var cts = new CancellationTokenSource();
        var outbox = new Outbox(store, (e, _) =>
        {
            delivered.Enqueue(Text(e));
            return ValueTask.CompletedTask;
        }, Options() with { PollInterval = TimeSpan.FromMilliseconds(20) });

        var loop = outbox.RunAsync(cts.Token);
        await store.PublishAsync(StreamId.New(), [Note("late")], ExpectedVersion.NoStream);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (delivered.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        await cts.CancelAsync();
        await loop; // no exception
        Assert.Equal(["late"], delivered);
    }

    [SkippableFact]
    public async Task Two_overlapping_runs_of_one_outbox_never_deliver_a_stream_out_of_order_or_twice()
    {
        // A background loop and a manual RunOnceAsync on one Outbox object: run A holds e1 and e2 and is slow on e1;
        // run B must not take them too (its publisher would fail e1 and release e2 for A to deliver before e1).
        var store = await CreateStoreAsync();
        await store.PublishAsync(StreamId.New(), [Note("e1"), Note("e2")], ExpectedVersion.NoStream);
        var aIsOnE1 = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseA = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attemptsAtE1 = 0;
        var delivered = new ConcurrentQueue<string>();
        var outbox = new Outbox(store, async (e, _) =>
        {
            if (Text(e) == "e1")
            {
                switch (Interlocked.Increment(ref attemptsAtE1))
                {
                    case 1:
                        aIsOnE1.SetResult();
                        await releaseA.Task;
                        break;
                    case 2:
                        throw new InvalidOperationException("broker hiccup");
                }
            }

            delivered.Enqueue(Text(e));
        }, Options());

        var runA = outbox.RunOnceAsync();
        await aIsOnE1.Task;
        Assert.Equal(0, await outbox.RunOnceAsync()); // run B: the stream is held by run A
        releaseA.SetResult();
        Assert.Equal(2, await runA);
        await Drain(outbox);

        Assert.Equal(["e1", "e2"], delivered);
        Assert.Equal(1, attemptsAtE1);
    }

    [SkippableFact]
    public async Task An_entry_skipped_for_lack_of_lease_time_holds_back_the_rest_of_its_stream_even_if_the_clock_steps_back()
    {
        var store = await CreateStoreAsync();
        await store.PublishAsync(StreamId.New(), [Note("e1"), Note("e2")], ExpectedVersion.NoStream);

        // The claim at Start; e1 is looked at past the lease's delivery window; then the clock steps back (NTP).
        var lease = TimeSpan.FromSeconds(30);
        var clock = new ScriptedTimeProvider(Start, Start + lease, Start);
        var delivered = new List<string>();
        var outbox = new Outbox(store, (e, _) =>
        {
            delivered.Add(Text(e));
            return ValueTask.CompletedTask;
        }, Options(clock) with { LeaseDuration = lease });

        Assert.Equal(0, await outbox.RunOnceAsync());
        Assert.Empty(delivered);
        Assert.Equal(2, await outbox.RunOnceAsync());
        Assert.Equal(["e1", "e2"], delivered);
    }

    [SkippableFact]
    public void Options_reject_nonsense()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new OutboxOptions { MaxAttempts = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new OutboxOptions { BatchSize = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new OutboxOptions { InitialBackoff = TimeSpan.FromSeconds(-1) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new OutboxOptions { Jitter = 1.5 });
        Assert.Equal(TimeSpan.FromMilliseconds(200), new OutboxOptions().InitialBackoff);
        Assert.Equal(TimeSpan.FromSeconds(30), new OutboxOptions().MaxBackoff);
    }

    private static async Task Drain(Outbox outbox)
    {
        for (var i = 0; i < 200 && await outbox.GetPendingCountAsync() > 0; i++)
        {
            await outbox.RunOnceAsync();
            await Task.Yield();
        }
    }

    /// <summary>Publishes <paramref name="count"/> notes "e0", "e1", … each to a stream of its own.</summary>
    private static async Task PublishOnePerStreamAsync(IEventStore store, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await store.PublishAsync(StreamId.New(), [Note($"e{i}")], ExpectedVersion.NoStream);
        }
    }

    /// <summary>
    /// A publisher that collects the texts it delivers and, at the note <paramref name="text"/>, cancels
    /// <paramref name="cts"/> and stops mid-delivery (a cancellation, not a failure).
    /// </summary>
    private static Func<RecordedEvent, CancellationToken, ValueTask> CancellingAt(string text, CancellationTokenSource cts, List<string> delivered)
        => async (e, ct) =>
        {
            if (Text(e) == text)
            {
                await cts.CancelAsync();
                ct.ThrowIfCancellationRequested();
            }

            delivered.Add(Text(e));
        };

    private static OutboxOptions Options(TimeProvider? clock = null) => new()
    {
        TimeProvider = clock ?? TimeProvider.System,
        Jitter = 0,
        InitialBackoff = TimeSpan.Zero,
    };

    private static NoteAdded Note(string text, int count = 1) => new(text, count, DateTimeOffset.UnixEpoch);

    private static string Text(RecordedEvent e) => e.Event is NoteAdded n ? n.Text : e.EventName;

    private static Func<RecordedEvent, CancellationToken, ValueTask> Collect(List<RecordedEvent> into) => (e, _) =>
    {
        into.Add(e);
        return ValueTask.CompletedTask;
    };
}
