namespace EventSourcery;

/// <summary>How a <see cref="Repository{TAggregate}"/> saves.</summary>
public sealed class RepositoryOptions
{
    /// <summary>
    /// When true, changes are saved with <see cref="IEventStore.PublishAsync"/> so they also enter the outbox;
    /// otherwise with <see cref="IEventStore.AppendAsync"/>. False by default.
    /// </summary>
    public bool Publish { get; init; }

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
