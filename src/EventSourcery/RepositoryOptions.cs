namespace EventSourcery;

/// <summary>How a <see cref="Repository{TAggregate}"/> saves.</summary>
public sealed class RepositoryOptions
{
    /// <summary>
    /// When true, changes are saved with <see cref="IEventStore.PublishAsync"/> so they also enter the outbox;
    /// otherwise with <see cref="IEventStore.AppendAsync"/>. False by default.
    /// </summary>
    public bool Publish { get; init; }
}
