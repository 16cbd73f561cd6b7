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

public sealed class InMemoryTenantTests : TenantContract
{
    protected override Task<IEventStore> CreateStoreAsync() => Task.FromResult<IEventStore>(new InMemoryEventStore());

    protected override Task<IReadOnlyList<long>> ReadOutboxPositionsAsync(IEventStore view)
        => Task.FromResult(((InMemoryEventStore)view).OutboxPositions);
}

public sealed class InMemorySnapshotTests : SnapshotContract
{
    protected override Task<IEventStore> CreateStoreAsync() => Task.FromResult<IEventStore>(new InMemoryEventStore());
}

public sealed class InMemoryNamedStreamTests : NamedStreamContract
{
    protected override Task<IEventStore> CreateStoreAsync() => Task.FromResult<IEventStore>(new InMemoryEventStore());
}

public sealed class InMemoryOutboxTests : OutboxContract
{
    protected override Task<IEventStore> CreateStoreAsync(Func<Event, bool>? outboxFilter = null)
        => Task.FromResult<IEventStore>(new InMemoryEventStore(Serialization.EventRegistry.Default, outboxFilter: outboxFilter));
}

public sealed class InMemorySubscriptionTests : SubscriptionContract
{
    protected override Task<IEventStore> CreateStoreAsync() => Task.FromResult<IEventStore>(new InMemoryEventStore());

    protected override EventListeners ListenersOf(IEventStore store) => ((InMemoryEventStore)store).Listeners;
}

public sealed class InMemoryProjectionTests : ProjectionContract
{
    protected override Task<IEventStore> CreateStoreAsync() => Task.FromResult<IEventStore>(new InMemoryEventStore());
}

public sealed class InMemoryAppendSignalTests
{
    [Fact]
    public async Task After_a_stream_is_deleted_a_subscriber_waits_instead_of_seeing_its_events_as_new()
    {
        var store = new InMemoryEventStore();
        var kept = await store.AppendAsync(StreamId.New(), [new EventSourcery.StoreContract.TurnedOn()], ExpectedVersion.NoStream);
        var gone = StreamId.New();
        await store.AppendAsync(gone, [new EventSourcery.StoreContract.TurnedOff()], ExpectedVersion.NoStream);
        await store.DeleteStreamAsync(gone);

        var wait = ((IAppendSignal)store).WaitForAppendAsync(kept.LastPosition, CancellationToken.None);
        Assert.False(wait.IsCompleted); // nothing after the kept event is still stored

        await store.AppendAsync(StreamId.New(), [new EventSourcery.StoreContract.TurnedOn()], ExpectedVersion.NoStream);
        await wait.WaitAsync(TimeSpan.FromSeconds(5));
    }
}

public sealed class InMemoryEventIdTests : EventIdContract
{
    protected override Task<IEventStore> CreateStoreAsync() => Task.FromResult<IEventStore>(new InMemoryEventStore());

    protected override Task<IReadOnlyList<long>> ReadOutboxPositionsAsync(IEventStore store)
        => Task.FromResult(((InMemoryEventStore)store).OutboxPositions);
}

public sealed class InMemoryShapeTests : ShapeContract
{
    protected override Task<IEventStore> CreateStoreAsync() => Task.FromResult<IEventStore>(new InMemoryEventStore());
}

[Collection(TelemetryContract.Collection)]
public sealed class InMemoryTelemetryTests : TelemetryContract
{
    protected override string DbSystem => "in-memory";

    protected override bool IsServer => false;

    protected override Task<IEventStore> CreateStoreAsync() => Task.FromResult<IEventStore>(new InMemoryEventStore());
}

/// <summary>The telemetry tests run alone: while they listen, other tests' events would keep a traceparent.</summary>
[CollectionDefinition(TelemetryContract.Collection, DisableParallelization = true)]
public sealed class TelemetryTestsRunAlone;

public sealed class InMemoryPersonalDataTests : PersonalDataContract
{
    protected override Task<IEventStore> CreateStoreAsync() => Task.FromResult<IEventStore>(new InMemoryEventStore());
}
