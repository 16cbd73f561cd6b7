namespace EventSourcery.StoreContract;

/// <summary>Subscriptions and inline listeners: live reads that never skip an event, and handlers inside the append transaction.</summary>
public abstract class SubscriptionContract
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>A new, empty store for one test.</summary>
    protected abstract Task<IEventStore> CreateStoreAsync();

    /// <summary>The store's inline listeners.</summary>
    protected abstract EventListeners ListenersOf(IEventStore store);

    [SkippableFact]
    public async Task A_subscription_delivers_what_is_stored_after_its_position_then_waits_for_new_events()
    {
        var store = await CreateStoreAsync();
        var first = await store.AppendAsync(StreamId.New(), [Note("old")], ExpectedVersion.NoStream);
        await store.AppendAsync(StreamId.New(), [Note("a"), Note("b")], ExpectedVersion.NoStream);

        using var cts = new CancellationTokenSource(Patience);
        await using var events = store.Subscribe(first.LastPosition).WithPollInterval(TimeSpan.FromMilliseconds(20)).ReadAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.Equal("a", await NextText(events));
        Assert.Equal("b", await NextText(events));

        var waiting = events.MoveNextAsync().AsTask();
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted); // caught up: it waits
        await store.AppendAsync(StreamId.New(), [Note("new")], ExpectedVersion.NoStream);
        Assert.True(await waiting);
        Assert.Equal("new", Text(events.Current));
    }

    [SkippableFact]
    public async Task Filters_by_category_and_event_type_combine()
    {
        var store = await CreateStoreAsync();
        // Events every filter must skip come first, so a filter that lets them through fails the test.
        await store.AppendAsync(StreamId.New("heat"), [Note("heat note"), new TurnedOn()], ExpectedVersion.NoStream);
        await store.AppendAsync(StreamId.New(), [Note("loose note"), new TurnedOff()], ExpectedVersion.NoStream);
        await store.AppendAsync(StreamId.New("light"), [Note("light note"), new TurnedOn(), new TurnedOff()], ExpectedVersion.NoStream);

        Assert.Equal(["light note", "TurnedOn", "TurnedOff"], await Take(store.Subscribe().ToCategory("light"), 3));
        Assert.Equal(["TurnedOn", "TurnedOn"], await Take(store.Subscribe().ToEvents<TurnedOn>(), 2));
        Assert.Equal(["TurnedOn", "TurnedOff", "TurnedOn", "TurnedOff"], await Take(store.Subscribe().ToEvents<TurnedOn, TurnedOff>(), 4));
        Assert.Equal(["TurnedOn", "TurnedOff"], await Take(store.Subscribe().ToCategory("light").ToEvents<TurnedOn, TurnedOff>(), 2));
        Assert.Equal(["heat note", "loose note", "light note"], await Take(store.Subscribe().ToEvents<NoteAdded>(), 3));
    }

    [SkippableFact]
    public async Task Batches_are_yielded_when_full_or_after_the_maximum_wait_and_are_never_empty()
    {
        var store = await CreateStoreAsync();
        for (var i = 0; i < 7; i++)
        {
            await store.AppendAsync(StreamId.New(), [Note($"n{i}")], ExpectedVersion.NoStream);
        }

        using var cts = new CancellationTokenSource(Patience);
        await using var batches = store.Subscribe().WithPollInterval(TimeSpan.FromMilliseconds(20)).ReadBatchesAsync(3, TimeSpan.FromMilliseconds(300), cts.Token).GetAsyncEnumerator(cts.Token);

        Assert.True(await batches.MoveNextAsync());
        Assert.Equal(["n0", "n1", "n2"], batches.Current.Select(Text));
        Assert.True(await batches.MoveNextAsync());
        Assert.Equal(["n3", "n4", "n5"], batches.Current.Select(Text));

        // One event left: it comes alone, but only once the maximum wait has passed.
        var started = DateTime.UtcNow;
        Assert.True(await batches.MoveNextAsync());
        Assert.Equal(["n6"], batches.Current.Select(Text));
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(250), "a partial batch must wait for maxWait");

        // Nothing stored: no empty batch; the next one carries the next event.
        var next = batches.MoveNextAsync().AsTask();
        await Task.Delay(400);
        Assert.False(next.IsCompleted);
        await store.AppendAsync(StreamId.New(), [Note("later")], ExpectedVersion.NoStream);
        Assert.True(await next);
        Assert.Equal(["later"], batches.Current.Select(Text));
    }

    [SkippableFact]
    public async Task Cancelling_ends_a_waiting_subscription_with_OperationCanceledException()
    {
        var store = await CreateStoreAsync();
        using var cts = new CancellationTokenSource();
        var reading = Task.Run(async () =>
        {
            await foreach (var _ in store.Subscribe().ReadAsync(cts.Token))
            {
            }
        });
        await Task.Delay(50);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);
    }

    [SkippableFact]
    public async Task An_event_committed_late_by_a_slow_writer_is_not_skipped()
    {
        var store = await CreateStoreAsync();
        var slowInside = new TaskCompletionSource();
        var releaseSlow = new TaskCompletionSource();
        using var _ = ListenersOf(store).On<NoteAdded>(async (e, ct) =>
        {
            if (((NoteAdded)e.Event).Text == "slow")
            {
                slowInside.SetResult();
                await releaseSlow.Task.WaitAsync(Patience, ct); // holds the append's transaction open
            }
        });

        using var cts = new CancellationTokenSource(Patience);
        var seen = new List<string>();
        var subscriber = Task.Run(async () =>
        {
            await foreach (var e in store.Subscribe().WithPollInterval(TimeSpan.FromMilliseconds(10)).ReadAsync(cts.Token))
            {
                seen.Add(Text(e));
                if (seen.Count == 2)
                {
                    return;
                }
            }
        });

        var slow = Task.Run(async () => await store.AppendAsync(StreamId.New(), [Note("slow")], ExpectedVersion.NoStream));
        await slowInside.Task.WaitAsync(Patience);
        var fast = Task.Run(async () => await store.AppendAsync(StreamId.New(), [Note("fast")], ExpectedVersion.NoStream));
        await Task.Delay(100); // the fast writer is waiting for the slow one's transaction; the subscriber polls meanwhile
        releaseSlow.SetResult();
        await Task.WhenAll(slow, fast);
        await subscriber;

        Assert.Equal(["slow", "fast"], seen);
    }

    [SkippableFact]
    public async Task A_subscription_on_a_view_sees_only_that_view()
    {
        var store = await CreateStoreAsync();
        await store.AppendAsync(StreamId.New(), [Note("default")], ExpectedVersion.NoStream);
        await store.ForTenant("acme").AppendAsync(StreamId.New(), [Note("acme")], ExpectedVersion.NoStream);
        await store.ForTenant("globex").AppendAsync(StreamId.New(), [Note("globex")], ExpectedVersion.NoStream);
        Assert.Equal(["acme"], await Take(store.ForTenant("acme").Subscribe(), 1));
        Assert.Equal(["default"], await Take(store.Subscribe(), 1));
    }

    [SkippableFact]
    public async Task A_listener_sees_each_appended_event_inside_the_append()
    {
        var store = await CreateStoreAsync();
        var seen = new List<RecordedEvent>();
        using var _ = ListenersOf(store).On<NoteAdded>((e, _) =>
        {
            seen.Add(e);
            return ValueTask.CompletedTask;
        });

        var id = StreamId.New("notes");
        var result = await store.AppendAsync(id, [Note("a"), new TurnedOn(), Note("b")], ExpectedVersion.NoStream);

        Assert.Equal(["a", "b"], seen.Select(Text));
        Assert.Equal([1L, 3L], seen.Select(e => e.Version));
        Assert.Equal(result.LastPosition, seen[1].Position);
        Assert.All(seen, e => Assert.Equal(id, e.StreamId));
    }

    [SkippableFact]
    public async Task A_listener_that_throws_rolls_the_append_back()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New();
        await store.PublishAsync(id, [Note("kept")], ExpectedVersion.NoStream);
        using var _ = ListenersOf(store).On<TurnedOff>((_, _) => throw new InvalidOperationException("not allowed at night"));

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(async () => await store.PublishAsync(id, [Note("lost"), new TurnedOff()], ExpectedVersion.Exactly(1)));
        Assert.Equal("not allowed at night", ex.Message);

        Assert.Equal(["kept"], (await Read.ToListAsync(store.ReadStreamAsync(id))).Select(Text));
        var delivered = new List<string>();
        await new Outbox(store, (e, _) => { delivered.Add(Text(e)); return ValueTask.CompletedTask; }).RunOnceAsync();
        Assert.Equal(["kept"], delivered); // nothing of the rolled-back publish reached the outbox
        await store.AppendAsync(id, [Note("next")], ExpectedVersion.Exactly(1)); // the version did not move
    }

    [SkippableFact]
    public async Task Listeners_run_for_appends_through_any_view_and_by_category()
    {
        var store = await CreateStoreAsync();
        var seen = new List<(string? Tenant, string Text)>();
        using var listener = ListenersOf(store).OnCategory("orders", (e, _) =>
        {
            seen.Add((e.TenantId, Text(e)));
            return ValueTask.CompletedTask;
        });

        await store.ForTenant("acme").AppendAsync(StreamId.New("orders"), [Note("acme order")], ExpectedVersion.NoStream);
        await store.AppendAsync(StreamId.New("orders"), [Note("default order")], ExpectedVersion.NoStream);
        await store.AppendAsync(StreamId.New("other"), [Note("ignored")], ExpectedVersion.NoStream);
        listener.Dispose();
        await store.AppendAsync(StreamId.New("orders"), [Note("after removal")], ExpectedVersion.NoStream);

        Assert.Equal([("acme", "acme order"), (null, "default order")], seen);
    }

    private static NoteAdded Note(string text) => new(text, 1, DateTimeOffset.UnixEpoch);

    private static string Text(RecordedEvent e) => e.Event is NoteAdded n ? n.Text : e.EventName;

    private static async Task<string> NextText(IAsyncEnumerator<RecordedEvent> events)
    {
        Assert.True(await events.MoveNextAsync());
        return Text(events.Current);
    }

    private static async Task<List<string>> Take(Subscription subscription, int count)
    {
        using var cts = new CancellationTokenSource(Patience);
        var texts = new List<string>();
        await foreach (var e in subscription.WithPollInterval(TimeSpan.FromMilliseconds(20)).ReadAsync(cts.Token))
        {
            texts.Add(Text(e));
            if (texts.Count == count)
            {
                break;
            }
        }

        return texts;
    }
}
