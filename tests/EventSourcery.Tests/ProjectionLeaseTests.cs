namespace EventSourcery.Tests;

/// <summary>How often a runner writes its lease: an idle owner must not take the write lock on every poll.</summary>
public sealed class ProjectionLeaseTests
{
    [Fact]
    public async Task An_idle_owner_renews_its_lease_about_three_times_per_lease_not_on_every_poll()
    {
        var store = new LeaseCountingStore(new InMemoryEventStore());
        var runner = new ProjectionRunner(store, new Nothing(), new ProjectionOptions { PollInterval = TimeSpan.FromMilliseconds(5), LeaseDuration = TimeSpan.FromSeconds(30) });
        using var stop = new CancellationTokenSource();

        var run = runner.RunAsync(stop.Token);
        await Task.Delay(300); // some 60 polls
        await stop.CancelAsync();
        await run;

        Assert.Equal(1, store.Acquired); // taken once; renewal is due only after 10 s
        Assert.Equal(1, store.Released); // given up when the run stopped
    }

    [Fact]
    public async Task A_manual_pass_takes_the_lease_and_gives_it_up_each_time()
    {
        var store = new LeaseCountingStore(new InMemoryEventStore());
        var runner = new ProjectionRunner(store, new Nothing());

        await runner.RunOnceAsync();
        await runner.RunOnceAsync();

        Assert.Equal((2, 2), (store.Acquired, store.Released));
    }

    private sealed class Nothing : IProjection
    {
        public string Name => "nothing";

        public ValueTask HandleAsync(RecordedEvent recorded, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    /// <summary>An in-memory store that counts lease writes.</summary>
    private sealed class LeaseCountingStore(InMemoryEventStore inner) : IEventStore, ICheckpointStore, IProjectionLeases
    {
        private int _acquired;
        private int _released;

        public int Acquired => Volatile.Read(ref _acquired);

        public int Released => Volatile.Read(ref _released);

        public ValueTask<bool> TryAcquireProjectionLeaseAsync(string projection, string owner, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _acquired);
            return inner.TryAcquireProjectionLeaseAsync(projection, owner, now, duration, cancellationToken);
        }

        public ValueTask ReleaseProjectionLeaseAsync(string projection, string owner, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _released);
            return inner.ReleaseProjectionLeaseAsync(projection, owner, cancellationToken);
        }

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

        public ValueTask<long> LoadCheckpointAsync(string projection, CancellationToken cancellationToken = default) => inner.LoadCheckpointAsync(projection, cancellationToken);

        public ValueTask SaveCheckpointAsync(string projection, long position, CancellationToken cancellationToken = default) => inner.SaveCheckpointAsync(projection, position, cancellationToken);

        public ValueTask<bool> TrySaveCheckpointAsync(string projection, long expected, long position, CancellationToken cancellationToken = default)
            => inner.TrySaveCheckpointAsync(projection, expected, position, cancellationToken);

        public ValueTask DeleteCheckpointAsync(string projection, CancellationToken cancellationToken = default) => inner.DeleteCheckpointAsync(projection, cancellationToken);

        public ValueTask<long> ReadHeadPositionAsync(CancellationToken cancellationToken = default) => inner.ReadHeadPositionAsync(cancellationToken);
    }
}
