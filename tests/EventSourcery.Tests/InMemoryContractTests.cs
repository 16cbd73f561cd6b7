using EventSourcery.StoreContract;

namespace EventSourcery.Tests;

public sealed class InMemoryEventStoreTests : EventStoreContract
{
    protected override Task<IEventStore> CreateStoreAsync() => Task.FromResult<IEventStore>(new InMemoryEventStore());

    protected override Task<IReadOnlyList<long>> ReadOutboxPositionsAsync(IEventStore store)
        => Task.FromResult(((InMemoryEventStore)store).OutboxPositions);
}

public sealed class InMemoryRepositoryTests : RepositoryContract
{
    protected override Task<IEventStore> CreateStoreAsync() => Task.FromResult<IEventStore>(new InMemoryEventStore());

    protected override Task<IReadOnlyList<long>> ReadOutboxPositionsAsync(IEventStore store)
        => Task.FromResult(((InMemoryEventStore)store).OutboxPositions);
}
