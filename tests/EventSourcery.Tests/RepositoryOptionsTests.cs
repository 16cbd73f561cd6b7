using System.Runtime.CompilerServices;
using EventSourcery.StoreContract;

namespace EventSourcery.Tests;

public sealed class RepositoryOptionsTests
{
    [Fact]
    public void Snapshots_need_a_store_that_keeps_them()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Repository<Counter>(new NoSnapshots(), new RepositoryOptions { SnapshotEvery = 10 }));
        Assert.Equal("options", ex.ParamName);
        Assert.Contains("ISnapshotStore", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_snapshots_any_store_will_do()
        => Assert.NotNull(new Repository<Counter>(new NoSnapshots()));

    [Fact]
    public void A_negative_interval_is_rejected()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new RepositoryOptions { SnapshotEvery = -1 });

    /// <summary>A store with no snapshot support (every operation unused by these tests).</summary>
    private sealed class NoSnapshots : IEventStore
    {
        public ValueTask<AppendResult> AppendAsync(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, CancellationToken cancellationToken = default) => throw new InvalidOperationException("not used");

        public ValueTask<AppendResult> PublishAsync(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, CancellationToken cancellationToken = default) => throw new InvalidOperationException("not used");

        public async IAsyncEnumerable<RecordedEvent> ReadStreamAsync(StreamId streamId, long fromVersion = 1, long toVersion = long.MaxValue, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.CompletedTask;
            yield break;
        }

        public IAsyncEnumerable<RecordedEvent> ReadAllAsync(long afterPosition = 0, CancellationToken cancellationToken = default) => ReadStreamAsync(default, cancellationToken: cancellationToken);

        public ValueTask<bool> DeleteStreamAsync(StreamId streamId, ExpectedVersion expectedVersion = default, CancellationToken cancellationToken = default) => ValueTask.FromResult(false);

        public IEventStore ForTenant(string tenantId) => this;
    }
}
