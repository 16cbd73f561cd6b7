using System.Runtime.CompilerServices;

namespace EventSourcery.StoreContract;

/// <summary>
/// A store whose reads of everything, checkpoint writes and outbox claims fail a set number of times before they work,
/// as a database that is busy or unreachable for a while: for the tests of what runs over a store. Everything else is
/// passed on.
/// </summary>
public sealed class FlakyStore(InMemoryEventStore inner) : IEventStore, ICheckpointStore, IOutboxStore
{
    private readonly IOutboxStore _outbox = inner;

    /// <summary>How many more calls of <see cref="IOutboxStore.ClaimOutboxAsync"/> fail.</summary>
    public int FailingClaims { get; set; }

    /// <summary>How many more calls of <see cref="ReadAllAsync"/> fail.</summary>
    public int FailingReads { get; set; }

    /// <summary>How many more calls of <see cref="SaveCheckpointAsync"/> fail.</summary>
    public int FailingCheckpointWrites { get; set; }

    /// <inheritdoc />
    public ValueTask<AppendResult> AppendAsync(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, CancellationToken cancellationToken = default)
        => inner.AppendAsync(streamId, events, expectedVersion, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AppendResult> PublishAsync(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, CancellationToken cancellationToken = default)
        => inner.PublishAsync(streamId, events, expectedVersion, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<RecordedEvent> ReadStreamAsync(StreamId streamId, long fromVersion = 1, long toVersion = long.MaxValue, CancellationToken cancellationToken = default)
        => inner.ReadStreamAsync(streamId, fromVersion, toVersion, cancellationToken);

    /// <inheritdoc />
    public async IAsyncEnumerable<RecordedEvent> ReadAllAsync(long afterPosition = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (FailingReads > 0)
        {
            FailingReads--;
            throw new InvalidOperationException("The store is unavailable (read).");
        }

        await foreach (var e in inner.ReadAllAsync(afterPosition, cancellationToken).ConfigureAwait(false))
        {
            yield return e;
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteStreamAsync(StreamId streamId, ExpectedVersion expectedVersion = default, CancellationToken cancellationToken = default)
        => inner.DeleteStreamAsync(streamId, expectedVersion, cancellationToken);

    /// <inheritdoc />
    public IEventStore ForTenant(string tenantId) => throw new NotSupportedException("FlakyStore has no tenant views.");

    /// <inheritdoc />
    public ValueTask<long> LoadCheckpointAsync(string projection, CancellationToken cancellationToken = default)
        => inner.LoadCheckpointAsync(projection, cancellationToken);

    /// <inheritdoc />
    public ValueTask SaveCheckpointAsync(string projection, long position, CancellationToken cancellationToken = default)
    {
        if (FailingCheckpointWrites > 0)
        {
            FailingCheckpointWrites--;
            throw new InvalidOperationException("The store is unavailable (checkpoint).");
        }

        return inner.SaveCheckpointAsync(projection, position, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<bool> TrySaveCheckpointAsync(string projection, long expected, long position, CancellationToken cancellationToken = default)
    {
        if (FailingCheckpointWrites > 0)
        {
            FailingCheckpointWrites--;
            throw new InvalidOperationException("The store is unavailable (checkpoint).");
        }

        return inner.TrySaveCheckpointAsync(projection, expected, position, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask DeleteCheckpointAsync(string projection, CancellationToken cancellationToken = default)
        => inner.DeleteCheckpointAsync(projection, cancellationToken);

    /// <inheritdoc />
    public ValueTask<long> ReadHeadPositionAsync(CancellationToken cancellationToken = default)
        => inner.ReadHeadPositionAsync(cancellationToken);

    /// <inheritdoc />
    public string? OutboxTenantId => _outbox.OutboxTenantId;

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<OutboxEntry>> ClaimOutboxAsync(OutboxClaim claim, CancellationToken cancellationToken = default)
    {
        if (FailingClaims > 0)
        {
            FailingClaims--;
            throw new InvalidOperationException("The store is unavailable (outbox claim).");
        }

        return _outbox.ClaimOutboxAsync(claim, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask CompleteOutboxAsync(string runnerId, long entryId, CancellationToken cancellationToken = default)
        => _outbox.CompleteOutboxAsync(runnerId, entryId, cancellationToken);

    /// <inheritdoc />
    public ValueTask CompleteOutboxAsync(string runnerId, IReadOnlyCollection<long> entryIds, CancellationToken cancellationToken = default)
        => _outbox.CompleteOutboxAsync(runnerId, entryIds, cancellationToken);

    /// <inheritdoc />
    public ValueTask FailOutboxAsync(string runnerId, long entryId, string error, DateTimeOffset? retryAt, DateTimeOffset now, CancellationToken cancellationToken = default)
        => _outbox.FailOutboxAsync(runnerId, entryId, error, retryAt, now, cancellationToken);

    /// <inheritdoc />
    public ValueTask ReleaseOutboxAsync(string runnerId, IReadOnlyCollection<long> entryIds, CancellationToken cancellationToken = default)
        => _outbox.ReleaseOutboxAsync(runnerId, entryIds, cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<OutboxEntry>> ReadDeadLettersAsync(CancellationToken cancellationToken = default)
        => _outbox.ReadDeadLettersAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask<int> RetryDeadLettersAsync(IReadOnlyCollection<long>? entryIds, CancellationToken cancellationToken = default)
        => _outbox.RetryDeadLettersAsync(entryIds, cancellationToken);

    /// <inheritdoc />
    public ValueTask<long> CountOutboxAsync(CancellationToken cancellationToken = default)
        => _outbox.CountOutboxAsync(cancellationToken);
}
