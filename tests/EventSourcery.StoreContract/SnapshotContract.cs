using System.Runtime.CompilerServices;

namespace EventSourcery.StoreContract;

/// <summary>
/// Snapshots through the repository: snapshot plus tail always equals a full replay, only the tail is read, and any
/// snapshot that does not fit (other shape, corrupt JSON, replaced stream) falls back to a full replay.
/// </summary>
public abstract class SnapshotContract
{
    /// <summary>A new, empty store for one test.</summary>
    protected abstract Task<IEventStore> CreateStoreAsync();

    [SkippableFact]
    public async Task Snapshot_plus_tail_equals_full_replay_for_random_histories_and_intervals()
    {
        // A property test with a fixed seed (reproducible), over random event sequences, batch sizes and intervals.
        var random = new Random(20261126);
        var store = await CreateStoreAsync();
        for (var round = 0; round < 25; round++)
        {
            var every = random.Next(1, 12);
            var snapshotting = new Repository<Counter>(store, new RepositoryOptions { SnapshotEvery = every });
            var plain = new Repository<Counter>(store);
            var id = StreamId.New("counter");
            await snapshotting.NewAsync(id, c => c.Move(random.Next(-5, 6)));

            var saves = random.Next(1, 15);
            for (var save = 0; save < saves; save++)
            {
                var batch = random.Next(1, 8);
                await snapshotting.UpdateAsync(id, c =>
                {
                    for (var i = 0; i < batch; i++)
                    {
                        if (random.Next(10) == 0)
                        {
                            c.Reset();
                        }
                        else
                        {
                            c.Move(random.Next(-5, 6));
                        }
                    }
                });

                var fromSnapshot = await snapshotting.LoadAsync(id);
                var replayed = await plain.LoadAsync(id);
                Assert.NotNull(fromSnapshot);
                Assert.NotNull(replayed);
                Assert.Equal(replayed.Describe(), fromSnapshot.Describe());
                Assert.Empty(fromSnapshot.Changes);
            }
        }
    }

    [SkippableFact]
    public async Task A_snapshot_is_taken_when_a_save_crosses_a_multiple_of_the_interval()
    {
        var store = await CreateStoreAsync();
        var counters = new Repository<Counter>(store, new RepositoryOptions { SnapshotEvery = 5 });
        var id = StreamId.New("counter");

        await counters.NewAsync(id, c => MoveTimes(c, 4));
        Assert.Null(await Snapshots(store).LoadSnapshotAsync(id));

        await counters.UpdateAsync(id, c => MoveTimes(c, 3)); // 4 -> 7 crosses 5
        var snapshot = await Snapshots(store).LoadSnapshotAsync(id);
        Assert.NotNull(snapshot);
        Assert.Equal(7, snapshot.Version);
        Assert.Equal("EventSourcery.StoreContract.CounterSnapshot", snapshot.Type);
        var seventh = Assert.Single(await Read.ToListAsync(store.ReadStreamAsync(id, 7, 7)));
        Assert.Equal(seventh.Event.Id, snapshot.EventId);

        await counters.UpdateAsync(id, c => MoveTimes(c, 2)); // 7 -> 9: no new multiple of 5
        Assert.Equal(7, (await Snapshots(store).LoadSnapshotAsync(id))!.Version);

        await counters.UpdateAsync(id, c => MoveTimes(c, 1)); // 9 -> 10
        Assert.Equal(10, (await Snapshots(store).LoadSnapshotAsync(id))!.Version);
    }

    [SkippableFact]
    public async Task Loading_reads_only_the_events_after_the_snapshot()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New("counter");
        await new Repository<Counter>(store, new RepositoryOptions { SnapshotEvery = 100 }).NewAsync(id, c => MoveTimes(c, 250));
        await new Repository<Counter>(store).UpdateAsync(id, c => MoveTimes(c, 7)); // tail written without snapshotting

        var counting = new CountingStore(store);
        var loaded = await new Repository<Counter>(counting, new RepositoryOptions { SnapshotEvery = 100 }).LoadAsync(id);

        Assert.NotNull(loaded);
        Assert.Equal(257, loaded.Version);
        Assert.Equal(257, loaded.Moves);
        Assert.Equal(8, counting.EventsRead); // the event the snapshot was taken at (to check it), then the 7 after it
    }

    [SkippableFact]
    public async Task A_snapshot_of_another_shape_is_ignored()
        => await AssertFallsBackToReplay(s => s with { Fingerprint = "0000000000000000" });

    [SkippableFact]
    public async Task A_snapshot_of_another_type_is_ignored()
        => await AssertFallsBackToReplay(s => s with { Type = "Something.Else" });

    [SkippableFact]
    public async Task A_snapshot_with_unreadable_json_is_ignored()
        => await AssertFallsBackToReplay(s => s with { Payload = "{\"value\": \"not a number\""u8.ToArray() });

    [SkippableFact]
    public async Task A_snapshot_whose_event_is_no_longer_in_the_stream_is_ignored()
        => await AssertFallsBackToReplay(s => s with { EventId = Guid.NewGuid() });

    [SkippableFact]
    public async Task A_snapshot_beyond_the_end_of_the_stream_is_ignored()
        => await AssertFallsBackToReplay(s => s with { Version = 1_000 });

    [SkippableFact]
    public async Task Deleting_a_stream_deletes_its_snapshot()
    {
        var store = await CreateStoreAsync();
        var counters = new Repository<Counter>(store, new RepositoryOptions { SnapshotEvery = 2 });
        var id = StreamId.New("counter");
        await counters.NewAsync(id, c => MoveTimes(c, 3));
        Assert.NotNull(await Snapshots(store).LoadSnapshotAsync(id));

        await store.DeleteStreamAsync(id);
        Assert.Null(await Snapshots(store).LoadSnapshotAsync(id));

        // A new stream with the same id starts clean, not from the old stream's snapshot.
        await counters.NewAsync(id, c => c.Move(1));
        var loaded = await counters.LoadAsync(id);
        Assert.Equal(1, loaded!.Value);
        Assert.Equal(1, loaded.Version);
    }

    [SkippableFact]
    public async Task Saving_a_snapshot_of_a_missing_stream_throws()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New();
        var ex = await Assert.ThrowsAsync<StreamNotFoundException>(async () =>
            await Snapshots(store).SaveSnapshotAsync(id, new StoredSnapshot(1, Guid.NewGuid(), "T", "f", "{}"u8.ToArray())));
        Assert.Equal(id, ex.StreamId);
    }

    [SkippableFact]
    public async Task A_newer_snapshot_replaces_the_older_one()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New();
        await store.AppendAsync(id, [new TurnedOn(), new TurnedOff()], ExpectedVersion.NoStream);
        await Snapshots(store).SaveSnapshotAsync(id, new StoredSnapshot(1, Guid.NewGuid(), "T", "f1", "{\"a\":1}"u8.ToArray()));
        await Snapshots(store).SaveSnapshotAsync(id, new StoredSnapshot(2, Guid.NewGuid(), "T", "f2", "{\"a\":2}"u8.ToArray()));

        var latest = await Snapshots(store).LoadSnapshotAsync(id);
        Assert.Equal(2, latest!.Version);
        Assert.Equal("f2", latest.Fingerprint);
        Assert.Equal("{\"a\":2}"u8.ToArray(), latest.Payload.ToArray());
    }

    private async Task AssertFallsBackToReplay(Func<StoredSnapshot, StoredSnapshot> spoil)
    {
        var store = await CreateStoreAsync();
        var counters = new Repository<Counter>(store, new RepositoryOptions { SnapshotEvery = 3 });
        var id = StreamId.New("counter");
        await counters.NewAsync(id, c => MoveTimes(c, 4));
        var good = await Snapshots(store).LoadSnapshotAsync(id);
        Assert.NotNull(good);

        // A snapshot that claims a very different state (if it were used, the loaded value would show it), spoiled.
        var lie = good with { Payload = "{\"value\":999,\"moves\":999,\"notes\":[]}"u8.ToArray() };
        await Snapshots(store).SaveSnapshotAsync(id, spoil(lie));

        var loaded = await counters.LoadAsync(id);
        var replayed = await new Repository<Counter>(store).LoadAsync(id);
        Assert.Equal(replayed!.Describe(), loaded!.Describe());
        Assert.NotEqual(999, loaded.Value);
    }

    private static void MoveTimes(Counter counter, int times)
    {
        for (var i = 0; i < times; i++)
        {
            counter.Move(1);
        }
    }

    [SkippableFact]
    public async Task A_cancellation_right_after_the_commit_does_not_fail_the_save()
    {
        // An aborted HTTP request: the token is cancelled just after the append committed, before the snapshot is
        // written. The save happened, so it must be reported as done; a retry would otherwise apply the change twice.
        var store = await CreateStoreAsync();
        using var request = new CancellationTokenSource();
        var counters = new Repository<Counter>(new CancelAfterCommitStore(store, request), new RepositoryOptions { SnapshotEvery = 1 });
        var id = StreamId.New("counter");

        var created = await counters.NewAsync(id, c => MoveTimes(c, 3), request.Token);
        Assert.True(request.IsCancellationRequested);
        Assert.Equal(3, created.Version);
        Assert.Empty(created.Changes);

        using var second = new CancellationTokenSource();
        counters = new Repository<Counter>(new CancelAfterCommitStore(store, second), new RepositoryOptions { SnapshotEvery = 1 });
        var updated = await counters.UpdateAsync(id, c => MoveTimes(c, 2), second.Token);
        Assert.True(second.IsCancellationRequested);
        Assert.Equal(5, updated.Version);

        Assert.Equal(5, (await Read.ToListAsync(store.ReadStreamAsync(id))).Count);
        var loaded = await new Repository<Counter>(store, new RepositoryOptions { SnapshotEvery = 1 }).LoadAsync(id);
        Assert.Equal(5, loaded!.Moves);
    }

    private static ISnapshotStore Snapshots(IEventStore store) => Assert.IsAssignableFrom<ISnapshotStore>(store);

    /// <summary>Passes everything to a store and counts the events read from it.</summary>
    private sealed class CountingStore(IEventStore inner) : IEventStore, ISnapshotStore
    {
        public int EventsRead { get; private set; }

        public ValueTask<AppendResult> AppendAsync(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, CancellationToken cancellationToken = default)
            => inner.AppendAsync(streamId, events, expectedVersion, cancellationToken);

        public ValueTask<AppendResult> PublishAsync(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, CancellationToken cancellationToken = default)
            => inner.PublishAsync(streamId, events, expectedVersion, cancellationToken);

        public async IAsyncEnumerable<RecordedEvent> ReadStreamAsync(StreamId streamId, long fromVersion = 1, long toVersion = long.MaxValue, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var e in inner.ReadStreamAsync(streamId, fromVersion, toVersion, cancellationToken))
            {
                EventsRead++;
                yield return e;
            }
        }

        public IAsyncEnumerable<RecordedEvent> ReadAllAsync(long afterPosition = 0, CancellationToken cancellationToken = default)
            => inner.ReadAllAsync(afterPosition, cancellationToken);

        public ValueTask<bool> DeleteStreamAsync(StreamId streamId, ExpectedVersion expectedVersion = default, CancellationToken cancellationToken = default)
            => inner.DeleteStreamAsync(streamId, expectedVersion, cancellationToken);

        public IEventStore ForTenant(string tenantId) => new CountingStore(inner.ForTenant(tenantId));

        public ValueTask SaveSnapshotAsync(StreamId streamId, StoredSnapshot snapshot, CancellationToken cancellationToken = default)
            => ((ISnapshotStore)inner).SaveSnapshotAsync(streamId, snapshot, cancellationToken);

        public ValueTask<StoredSnapshot?> LoadSnapshotAsync(StreamId streamId, CancellationToken cancellationToken = default)
            => ((ISnapshotStore)inner).LoadSnapshotAsync(streamId, cancellationToken);
    }

    /// <summary>Cancels <paramref name="request"/> as soon as an append through it has committed.</summary>
    private sealed class CancelAfterCommitStore(IEventStore inner, CancellationTokenSource request) : IEventStore, ISnapshotStore
    {
        public async ValueTask<AppendResult> AppendAsync(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, CancellationToken cancellationToken = default)
        {
            var result = await inner.AppendAsync(streamId, events, expectedVersion, cancellationToken);
            await request.CancelAsync();
            return result;
        }

        public async ValueTask<AppendResult> PublishAsync(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, CancellationToken cancellationToken = default)
        {
            var result = await inner.PublishAsync(streamId, events, expectedVersion, cancellationToken);
            await request.CancelAsync();
            return result;
        }

        public IAsyncEnumerable<RecordedEvent> ReadStreamAsync(StreamId streamId, long fromVersion = 1, long toVersion = long.MaxValue, CancellationToken cancellationToken = default)
            => inner.ReadStreamAsync(streamId, fromVersion, toVersion, cancellationToken);

        public IAsyncEnumerable<RecordedEvent> ReadAllAsync(long afterPosition = 0, CancellationToken cancellationToken = default)
            => inner.ReadAllAsync(afterPosition, cancellationToken);

        public ValueTask<bool> DeleteStreamAsync(StreamId streamId, ExpectedVersion expectedVersion = default, CancellationToken cancellationToken = default)
            => inner.DeleteStreamAsync(streamId, expectedVersion, cancellationToken);

        public IEventStore ForTenant(string tenantId) => new CancelAfterCommitStore(inner.ForTenant(tenantId), request);

        public ValueTask SaveSnapshotAsync(StreamId streamId, StoredSnapshot snapshot, CancellationToken cancellationToken = default)
            => ((ISnapshotStore)inner).SaveSnapshotAsync(streamId, snapshot, cancellationToken);

        public ValueTask<StoredSnapshot?> LoadSnapshotAsync(StreamId streamId, CancellationToken cancellationToken = default)
            => ((ISnapshotStore)inner).LoadSnapshotAsync(streamId, cancellationToken);
    }
}
