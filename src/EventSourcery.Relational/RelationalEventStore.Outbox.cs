using EventSourcery.Relational.Schema;
using EventSourcery.Relational.Storage;

namespace EventSourcery;

// The transactional outbox (<see cref="IOutboxStore"/>).
public abstract partial class RelationalEventStore
{
    /// <inheritdoc />
    string? IOutboxStore.OutboxTenantId => _recordedTenant;

    /// <inheritdoc />
    /// <remarks>
    /// One <c>BEGIN IMMEDIATE</c> transaction picks and marks the entries, so runners on other connections or in other
    /// processes wait for it and then see the claim. An entry whose event cannot be read is claimed too, and returned
    /// with <see cref="OutboxEntry.ReadError"/> set (the <see cref="Outbox"/> dead-letters it).
    /// </remarks>
    async ValueTask<IReadOnlyList<OutboxEntry>> IOutboxStore.ClaimOutboxAsync(OutboxClaim claim, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(claim.RunnerId, nameof(claim));
        ArgumentOutOfRangeException.ThrowIfNegative(claim.MaxCount, nameof(claim));
        ArgumentOutOfRangeException.ThrowIfLessThan(claim.Lease, TimeSpan.Zero, nameof(claim));
        cancellationToken.ThrowIfCancellationRequested();
        if (claim.MaxCount == 0)
        {
            return [];
        }

        var now = StoredValues.ToUtcTicks(claim.Now);
        var leaseUntil = claim.Lease.Ticks > DateTimeOffset.MaxValue.UtcTicks - now ? DateTimeOffset.MaxValue.UtcTicks : now + claim.Lease.Ticks;
        var storage = _shared.Storage;
        var tenant = _tenant;
        var rows = await RunWriteAsync(
            (session, ct) => storage.ClaimOutboxAsync(session, tenant, claim.RunnerId, claim.MaxCount, _shared.Options.PageBytes, now, leaseUntil, ct),
            cancellationToken).ConfigureAwait(false);

        // Read after the claim commits: an event with personal data may need its subject's key from the database.
        return await MaterializeEntriesAsync(rows, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    async ValueTask IOutboxStore.CompleteOutboxAsync(string runnerId, long entryId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var storage = _shared.Storage;
        var tenant = _tenant;
        await RunWriteAsync(
            async (session, ct) =>
            {
                await storage.CompleteOutboxAsync(session, tenant, runnerId, entryId, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    async ValueTask IOutboxStore.CompleteOutboxAsync(string runnerId, IReadOnlyCollection<long> entryIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entryIds);
        cancellationToken.ThrowIfCancellationRequested();
        if (entryIds.Count == 0)
        {
            return;
        }

        if (entryIds.Count == 1)
        {
            // The usual case (CompletionBatchSize 1): the statement by primary key, no JSON list to build and parse.
            await ((IOutboxStore)this).CompleteOutboxAsync(runnerId, entryIds.First(), cancellationToken).ConfigureAwait(false);
            return;
        }

        var storage = _shared.Storage;
        var tenant = _tenant;
        await RunWriteAsync(
            async (session, ct) =>
            {
                await storage.CompleteOutboxAsync(session, tenant, runnerId, entryIds, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    async ValueTask IOutboxStore.FailOutboxAsync(string runnerId, long entryId, string error, DateTimeOffset? retryAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(error);
        cancellationToken.ThrowIfCancellationRequested();
        var storage = _shared.Storage;
        var tenant = _tenant;
        long? retryAtTicks = retryAt is { } at ? StoredValues.ToUtcTicks(at) : null;
        DateTimeOffset? deadLetteredAt = retryAt is null ? storage.StoredInstant(now) : null;
        await RunWriteAsync(
            async (session, ct) =>
            {
                await storage.FailOutboxAsync(session, tenant, runnerId, entryId, error, retryAtTicks, deadLetteredAt, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    async ValueTask IOutboxStore.ReleaseOutboxAsync(string runnerId, IReadOnlyCollection<long> entryIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entryIds);
        cancellationToken.ThrowIfCancellationRequested();
        if (entryIds.Count == 0)
        {
            return;
        }

        var storage = _shared.Storage;
        var tenant = _tenant;
        await RunWriteAsync(
            async (session, ct) =>
            {
                await storage.ReleaseOutboxAsync(session, tenant, runnerId, entryIds, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    async ValueTask<IReadOnlyList<OutboxEntry>> IOutboxStore.ReadDeadLettersAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var storage = _shared.Storage;
        var tenant = _tenant;
        var rows = await RunAsync((session, ct) => storage.ReadDeadLettersAsync(session, tenant, ct), cancellationToken).ConfigureAwait(false);
        return await MaterializeEntriesAsync(rows, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    async ValueTask<int> IOutboxStore.RetryDeadLettersAsync(IReadOnlyCollection<long>? entryIds, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (entryIds is { Count: 0 })
        {
            return 0;
        }

        var storage = _shared.Storage;
        var tenant = _tenant;
        return await RunWriteAsync((session, ct) => storage.RetryDeadLettersAsync(session, tenant, entryIds, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    async ValueTask<long> IOutboxStore.CountOutboxAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var storage = _shared.Storage;
        var tenant = _tenant;
        return await RunAsync((session, ct) => storage.CountOutboxAsync(session, tenant, ct), cancellationToken).ConfigureAwait(false);
    }
}
