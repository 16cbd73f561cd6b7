namespace EventSourcery;

/// <summary>
/// The store's half of the transactional outbox: the entries <see cref="IEventStore.PublishAsync"/> wrote, their
/// delivery state and the claims that keep two runners from handing over the same entry at once. Every store
/// implements it (and so does each tenant view, over its own entries); <see cref="Outbox"/> drives it.
/// </summary>
/// <remarks>
/// For store implementers; applications use <see cref="Outbox"/>. Complete, fail and release act only on entries the
/// named runner still holds, so a runner whose lease ran out cannot touch entries another runner has taken over.
/// </remarks>
public interface IOutboxStore
{
    /// <summary>The tenant whose entries this store (view) holds, or null for the default view.</summary>
    string? OutboxTenantId { get; }

    /// <summary>
    /// Claims up to <see cref="OutboxClaim.MaxCount"/> deliverable entries for one runner, in global order. An entry is
    /// deliverable when no entry of its stream is dead-lettered, waiting for a retry, or claimed by a runner (any
    /// runner, this one too) whose lease has not expired; so a stream's entries are never handed over out of order. An
    /// entry whose event cannot be read is claimed and returned like any other, with <see cref="OutboxEntry.ReadError"/>
    /// set, so that one damaged row never stops the claims of every other stream.
    /// </summary>
    ValueTask<IReadOnlyList<OutboxEntry>> ClaimOutboxAsync(OutboxClaim claim, CancellationToken cancellationToken = default);

    /// <summary>Removes a delivered entry, if <paramref name="runnerId"/> still holds its claim.</summary>
    ValueTask CompleteOutboxAsync(string runnerId, long entryId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes delivered entries in one go (one commit), those of them that <paramref name="runnerId"/> still holds.
    /// The default implementation completes them one by one; stores override it.
    /// </summary>
    async ValueTask CompleteOutboxAsync(string runnerId, IReadOnlyCollection<long> entryIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entryIds);
        foreach (var entryId in entryIds)
        {
            await CompleteOutboxAsync(runnerId, entryId, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Records a failed delivery attempt, if <paramref name="runnerId"/> still holds the entry's claim: the entry waits
    /// until <paramref name="retryAt"/>, or is dead-lettered when <paramref name="retryAt"/> is null. The claim ends.
    /// </summary>
    ValueTask FailOutboxAsync(string runnerId, long entryId, string error, DateTimeOffset? retryAt, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Ends <paramref name="runnerId"/>'s claims on these entries without counting an attempt.</summary>
    ValueTask ReleaseOutboxAsync(string runnerId, IReadOnlyCollection<long> entryIds, CancellationToken cancellationToken = default);

    /// <summary>The dead-lettered entries, oldest first (those that cannot be read too, with <see cref="OutboxEntry.ReadError"/> set).</summary>
    ValueTask<IReadOnlyList<OutboxEntry>> ReadDeadLettersAsync(CancellationToken cancellationToken = default);

    /// <summary>Puts dead-lettered entries back for delivery with a fresh attempt count; null means all of them.</summary>
    /// <returns>How many entries were put back.</returns>
    ValueTask<int> RetryDeadLettersAsync(IReadOnlyCollection<long>? entryIds, CancellationToken cancellationToken = default);

    /// <summary>How many entries are not delivered yet, dead letters included.</summary>
    ValueTask<long> CountOutboxAsync(CancellationToken cancellationToken = default);
}

/// <summary>A runner's request for entries to deliver.</summary>
/// <param name="RunnerId">Who claims: each run of an <see cref="Outbox"/> (each <see cref="Outbox.RunOnceAsync"/>) has an id of its own.</param>
/// <param name="MaxCount">The most entries to claim.</param>
/// <param name="Now">The current time, from the runner's clock.</param>
/// <param name="Lease">How long the claim lasts if the runner dies without completing, failing or releasing it.</param>
public readonly record struct OutboxClaim(string RunnerId, int MaxCount, DateTimeOffset Now, TimeSpan Lease);

/// <summary>One outbox entry: the published event and its delivery state.</summary>
/// <param name="Id">The entry's id, increasing in publish order.</param>
/// <param name="Event">
/// The event, as stored when it was published (it stays even if its stream is deleted). When the stored event cannot
/// be read, its <see cref="RecordedEvent.Event"/> is an <see cref="UnreadableEvent"/> and <see cref="ReadError"/> says why.
/// </param>
/// <param name="Attempts">Failed delivery attempts so far.</param>
/// <param name="LastError">The last failure's message, if any.</param>
/// <param name="RetryAt">When the next attempt may happen, after a failure.</param>
/// <param name="DeadLetteredAt">When the entry was dead-lettered, or null.</param>
public sealed record OutboxEntry(long Id, RecordedEvent Event, int Attempts, string? LastError, DateTimeOffset? RetryAt, DateTimeOffset? DeadLetteredAt)
{
    /// <summary>
    /// Why the entry's event cannot be read (null when it can): a claim returns such an entry instead of failing, and
    /// <see cref="Outbox"/> dead-letters it at once, blocking only its own stream.
    /// </summary>
    public EventReadException? ReadError { get; init; }

    /// <summary>
    /// An entry whose stored event cannot be read: its event is an <see cref="UnreadableEvent"/> that keeps what the
    /// row says (stream, version, position, name, payload), and <see cref="ReadError"/> is <paramref name="error"/>.
    /// For stores.
    /// </summary>
    public static OutboxEntry Unreadable(long id, EventReadException error, string? payload, DateTimeOffset recordedAt, string? tenantId, int attempts, string? lastError, DateTimeOffset? retryAt, DateTimeOffset? deadLetteredAt)
    {
        ArgumentNullException.ThrowIfNull(error);
        var standIn = new UnreadableEvent(error.EventName, payload, error.Message);
        var recorded = new RecordedEvent(error.StreamId, error.Version, error.Position, standIn, string.IsNullOrEmpty(error.EventName) ? UnreadableEvent.NoStoredName : error.EventName, 0, recordedAt, tenantId);
        return new OutboxEntry(id, recorded, attempts, lastError, retryAt, deadLetteredAt) { ReadError = error };
    }
}
