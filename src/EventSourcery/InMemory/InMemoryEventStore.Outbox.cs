using System.Text;

namespace EventSourcery;

// The transactional outbox.
public sealed partial class InMemoryEventStore
{
    /// <summary>The positions of the events this view put in the outbox with <see cref="PublishAsync"/>, in order.</summary>
    internal IReadOnlyList<long> OutboxPositions
    {
        get
        {
            lock (_state.Lock)
            {
                return OwnOutbox().Select(o => o.Stored.Position).ToArray();
            }
        }
    }

    /// <inheritdoc />
    string? IOutboxStore.OutboxTenantId => _tenant.Length == 0 ? null : _tenant;

    /// <inheritdoc />
    async ValueTask<IReadOnlyList<OutboxEntry>> IOutboxStore.ClaimOutboxAsync(OutboxClaim claim, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var claimed = new List<ItemState>();
        lock (_state.Lock)
        {
            // A stream is blocked while any of its entries waits for a retry, is dead-lettered or is leased to a
            // runner: nothing after that entry may overtake it.
            var blocked = new HashSet<StreamId>();
            foreach (var item in OwnOutbox())
            {
                if (item.DeadLetteredAt is not null || item.RetryAt > claim.Now || (item.ClaimedBy is not null && item.LeaseUntil > claim.Now))
                {
                    blocked.Add(item.Stored.StreamId);
                }
            }

            foreach (var item in OwnOutbox())
            {
                if (claimed.Count == claim.MaxCount)
                {
                    break;
                }

                if (!blocked.Contains(item.Stored.StreamId))
                {
                    item.ClaimedBy = claim.RunnerId;
                    item.LeaseUntil = claim.Now + claim.Lease;
                    claimed.Add(new ItemState(item));
                }
            }
        }

        // Read outside the lock: an event with personal data may wait for its subject's key.
        return await ToEntriesAsync(claimed, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    ValueTask IOutboxStore.CompleteOutboxAsync(string runnerId, long entryId, CancellationToken cancellationToken)
    {
        lock (_state.Lock)
        {
            _state.Outbox.RemoveAll(o => o.Id == entryId && o.ClaimedBy == runnerId && o.Stored.Tenant == _tenant);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    ValueTask IOutboxStore.CompleteOutboxAsync(string runnerId, IReadOnlyCollection<long> entryIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entryIds);
        var ids = entryIds.ToHashSet();
        lock (_state.Lock)
        {
            _state.Outbox.RemoveAll(o => ids.Contains(o.Id) && o.ClaimedBy == runnerId && o.Stored.Tenant == _tenant);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    ValueTask IOutboxStore.FailOutboxAsync(string runnerId, long entryId, string error, DateTimeOffset? retryAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_state.Lock)
        {
            if (_state.Outbox.Find(o => o.Id == entryId && o.ClaimedBy == runnerId && o.Stored.Tenant == _tenant) is { } item)
            {
                item.Attempts++;
                item.LastError = error;
                item.RetryAt = retryAt;
                item.DeadLetteredAt = retryAt is null ? now : null;
                item.ClaimedBy = null;
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    ValueTask IOutboxStore.ReleaseOutboxAsync(string runnerId, IReadOnlyCollection<long> entryIds, CancellationToken cancellationToken)
    {
        lock (_state.Lock)
        {
            foreach (var item in _state.Outbox.Where(o => entryIds.Contains(o.Id) && o.ClaimedBy == runnerId && o.Stored.Tenant == _tenant))
            {
                item.ClaimedBy = null;
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    async ValueTask<IReadOnlyList<OutboxEntry>> IOutboxStore.ReadDeadLettersAsync(CancellationToken cancellationToken)
    {
        List<ItemState> dead;
        lock (_state.Lock)
        {
            dead = OwnOutbox().Where(o => o.DeadLetteredAt is not null).Select(o => new ItemState(o)).ToList();
        }

        return await ToEntriesAsync(dead, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    ValueTask<int> IOutboxStore.RetryDeadLettersAsync(IReadOnlyCollection<long>? entryIds, CancellationToken cancellationToken)
    {
        lock (_state.Lock)
        {
            var retried = 0;
            foreach (var item in OwnOutbox().Where(o => o.DeadLetteredAt is not null && (entryIds is null || entryIds.Contains(o.Id))))
            {
                item.DeadLetteredAt = null;
                item.RetryAt = null;
                item.Attempts = 0;
                retried++;
            }

            return ValueTask.FromResult(retried);
        }
    }

    /// <inheritdoc />
    ValueTask<long> IOutboxStore.CountOutboxAsync(CancellationToken cancellationToken)
    {
        lock (_state.Lock)
        {
            return ValueTask.FromResult((long)OwnOutbox().Count());
        }
    }

    private IEnumerable<OutboxItem> OwnOutbox() => _state.Outbox.Where(o => o.Stored.Tenant == _tenant);

    /// <summary>
    /// Outbox items as entries; one whose event cannot be read (see <see cref="OutboxEntry.ReadError"/>) becomes an
    /// unreadable entry rather than failing the others.
    /// </summary>
    private async ValueTask<IReadOnlyList<OutboxEntry>> ToEntriesAsync(List<ItemState> items, CancellationToken cancellationToken)
    {
        var entries = new List<OutboxEntry>(items.Count);
        foreach (var item in items)
        {
            try
            {
                entries.Add(new(item.Id, await MaterializeAsync(item.Stored, cancellationToken).ConfigureAwait(false), item.Attempts, item.LastError, item.RetryAt, item.DeadLetteredAt));
            }
            catch (EventReadException error)
            {
                var stored = item.Stored;
                entries.Add(OutboxEntry.Unreadable(item.Id, error, Encoding.UTF8.GetString(stored.Payload), stored.RecordedAt, TenantOrNull(stored.Tenant), item.Attempts, item.LastError, item.RetryAt, item.DeadLetteredAt));
            }
        }

        return entries;
    }

    /// <summary>An outbox item's state as it was under the lock.</summary>
    private readonly struct ItemState(OutboxItem item)
    {
        public long Id { get; } = item.Id;

        public StoredEvent Stored { get; } = item.Stored;

        public int Attempts { get; } = item.Attempts;

        public string? LastError { get; } = item.LastError;

        public DateTimeOffset? RetryAt { get; } = item.RetryAt;

        public DateTimeOffset? DeadLetteredAt { get; } = item.DeadLetteredAt;
    }
}
