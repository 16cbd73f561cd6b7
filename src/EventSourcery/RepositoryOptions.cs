namespace EventSourcery;

/// <summary>How a <see cref="Repository{TAggregate}"/> saves.</summary>
public sealed record RepositoryOptions
{
    /// <summary>
    /// When true, changes are saved with <see cref="IEventStore.PublishAsync"/> so they also enter the outbox;
    /// otherwise with <see cref="IEventStore.AppendAsync"/>. False by default.
    /// </summary>
    /// <remarks>Without it, saving through the repository queues nothing in the outbox: an <see cref="Outbox"/> over the store has nothing to deliver.</remarks>
    public bool Publish { get; init; }

    /// <summary>
    /// How many times <see cref="Repository{TAggregate}.UpdateAsync(StreamId, Func{TAggregate, CancellationToken, ValueTask}, CancellationToken)"/>
    /// reloads the aggregate and runs the change again when its save loses a race (<see cref="ConcurrencyException"/>):
    /// 0 (the default) never retries. The change then runs more than once, so it must act only on the aggregate.
    /// The overloads that take an expected version never retry.
    /// </summary>
    public int ConflictRetries
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(ConflictRetries));
            field = value;
        }
    }

    /// <summary>
    /// For aggregates implementing <see cref="ISnapshotable{TSnapshot}"/>: take a snapshot each time a save crosses a
    /// multiple of this many events, and load from the latest snapshot plus the events after it. 0 (the default)
    /// never snapshots. The store must implement <see cref="ISnapshotStore"/>.
    /// </summary>
    public int SnapshotEvery
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(SnapshotEvery));
            field = value;
        }
    }
}
