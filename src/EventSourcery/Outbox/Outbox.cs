using System.Diagnostics;
using System.Globalization;

namespace EventSourcery;

/// <summary>
/// Hands what <see cref="IEventStore.PublishAsync"/> stored to a publisher (a broker, an HTTP call, a log) at least
/// once, in order per stream, retrying failures with backoff and dead-lettering an entry after
/// <see cref="OutboxOptions.MaxAttempts"/> attempts. Delivery state lives in the store, so a restarted process
/// carries on where the last one stopped, and several runners on one database share the work without handing
/// over the same entry at once.
/// </summary>
/// <remarks>
/// A failing entry blocks only its own stream: later events of that stream wait (they are never delivered before
/// it), every other stream goes on. A dead-lettered entry keeps blocking its stream until <see cref="RetryAsync"/>
/// puts it back, so a stream's order survives even a person's intervention.
/// </remarks>
public sealed class Outbox
{
    private readonly IOutboxStore _store;
    private readonly Func<RecordedEvent, CancellationToken, ValueTask> _publisher;
    private readonly OutboxOptions _options;
    private readonly string _outboxId = Guid.CreateVersion7().ToString("N");
    private readonly TagList _tags;
    private long _lastPending;
    private long _runs;

    /// <summary>Creates an outbox runner over <paramref name="store"/> (or a tenant view of it).</summary>
    /// <param name="store">The store (or tenant view) whose published events to deliver.</param>
    /// <param name="publisher">Delivers one event; an exception counts as a failed attempt.</param>
    /// <param name="options">Batch size, attempts, backoff, clock.</param>
    /// <exception cref="ArgumentException">The store does not keep an outbox (it is not an <see cref="IOutboxStore"/>).</exception>
    public Outbox(IEventStore store, Func<RecordedEvent, CancellationToken, ValueTask> publisher, OutboxOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store as IOutboxStore ?? throw new ArgumentException($"{store.GetType().Name} does not keep an outbox (it is not an IOutboxStore).", nameof(store));
        _publisher = publisher ?? throw new ArgumentNullException(nameof(publisher));
        _options = options ?? new OutboxOptions();
        _tags = string.IsNullOrEmpty(_store.OutboxTenantId) ? default : new TagList { { TelemetryTags.Tenant, _store.OutboxTenantId } };
    }

    /// <summary>
    /// Claims one batch and delivers it, in order. Returns how many events were delivered; a publisher failure is
    /// recorded (for a retry or as a dead letter), not thrown. On cancellation the events already delivered stay
    /// delivered and the rest are released for the next run.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the batch was claimed.</exception>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        // Every run claims under an id of its own: two overlapping runs of this object (a background loop and a
        // manual call, say) then hold their entries against each other exactly as two processes would.
        var runnerId = string.Create(CultureInfo.InvariantCulture, $"{_outboxId}-{Interlocked.Increment(ref _runs)}");
        var time = _options.TimeProvider;
        var claimedAt = time.GetUtcNow();
        var batch = await _store.ClaimOutboxAsync(new OutboxClaim(runnerId, _options.BatchSize, claimedAt, _options.LeaseDuration), cancellationToken).ConfigureAwait(false);

        // Stop handing over entries well before the lease ends: past it, another runner may take them over, and
        // delivering them too would duplicate them and, across the two runners, break their stream's order.
        var deliverUntil = claimedAt + (_options.LeaseDuration * 0.8);
        var delivered = 0;
        var blocked = new HashSet<StreamId>();
        var unattempted = new List<long>();
        var toComplete = new List<long>(Math.Min(_options.CompletionBatchSize, batch.Count)); // delivered, not yet completed
        try
        {
            foreach (var entry in batch)
            {
                var recorded = entry.Event;
                if (cancellationToken.IsCancellationRequested || blocked.Contains(recorded.StreamId) || time.GetUtcNow() >= deliverUntil)
                {
                    // Cancelled, out of lease time, or an earlier entry of its stream failed or was skipped here: its
                    // stream waits too, even if the clock steps back before the next entry of it.
                    unattempted.Add(entry.Id);
                    blocked.Add(recorded.StreamId);
                    continue;
                }

                if (entry.ReadError is { } unreadable)
                {
                    // Retrying will not make it readable (a deploy that brings its type back may, then RetryAsync does):
                    // a dead letter at once, holding back its own stream only.
                    blocked.Add(recorded.StreamId);
                    await DeadLetterAsync(runnerId, entry, Describe(unreadable)).ConfigureAwait(false);
                    continue;
                }

                // The publisher runs inside the delivery's span, a child of the append that published the event.
                var delivery = DeliveryTelemetry.Start(recorded, entry.Attempts + 1);
                var deliveryStarted = System.Diagnostics.Stopwatch.GetTimestamp();
                try
                {
                    await _publisher(recorded, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
                {
                    DeliveryTelemetry.Ended(delivery, recorded, deliveryStarted, ex);
                    unattempted.Add(entry.Id); // interrupted, not failed: it is delivered again later
                    blocked.Add(recorded.StreamId);
                    continue;
                }
                catch (Exception ex)
                {
                    DeliveryTelemetry.Ended(delivery, recorded, deliveryStarted, ex);
                    blocked.Add(recorded.StreamId);
                    await RecordFailureAsync(runnerId, entry, ex).ConfigureAwait(false);
                    continue;
                }

                DeliveryTelemetry.Ended(delivery, recorded, deliveryStarted);
                delivered++;
                OutboxMetrics.Published.Add(1, _tags);

                // Completed in groups of CompletionBatchSize (by default 1: each right after its delivery, so a crash
                // repeats at most the delivery it interrupted; with n, at most n).
                toComplete.Add(entry.Id);
                if (toComplete.Count == _options.CompletionBatchSize)
                {
                    await _store.CompleteOutboxAsync(runnerId, toComplete, CancellationToken.None).ConfigureAwait(false);
                    toComplete.Clear();
                }
            }
        }
        finally
        {
            try
            {
                if (toComplete.Count > 0)
                {
                    await _store.CompleteOutboxAsync(runnerId, toComplete, CancellationToken.None).ConfigureAwait(false);
                }
            }
            finally
            {
                if (unattempted.Count > 0)
                {
                    await _store.ReleaseOutboxAsync(runnerId, unattempted, CancellationToken.None).ConfigureAwait(false);
                }
            }
        }

        await UpdatePendingAsync().ConfigureAwait(false);
        return delivered;
    }

    /// <summary>
    /// Delivers until <paramref name="cancellationToken"/> is cancelled: batch after batch while there is work, then
    /// every <see cref="OutboxOptions.PollInterval"/>. Failures of the store are passed to
    /// <see cref="OutboxOptions.OnError"/> and the loop goes on. Returns normally when cancelled.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var delivered = 0;
            try
            {
                delivered = await RunOnceAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _options.OnError?.Invoke(ex);
            }

            if (delivered < _options.BatchSize)
            {
                try
                {
                    await Task.Delay(_options.PollInterval, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }

    /// <summary>The dead-lettered entries, with their last error and attempt count, oldest first.</summary>
    public async Task<IReadOnlyList<OutboxEntry>> GetDeadLettersAsync(CancellationToken cancellationToken = default)
        => await _store.ReadDeadLettersAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Puts dead-lettered entries back for delivery with a fresh attempt count: those named, or all when none are.</summary>
    /// <returns>How many entries were put back.</returns>
    public async Task<int> RetryAsync(IEnumerable<long>? entryIds = null, CancellationToken cancellationToken = default)
    {
        var retried = await _store.RetryDeadLettersAsync(entryIds?.ToArray(), cancellationToken).ConfigureAwait(false);
        await UpdatePendingAsync().ConfigureAwait(false);
        return retried;
    }

    /// <summary>How many published events are not delivered yet, dead letters included.</summary>
    public async Task<long> GetPendingCountAsync(CancellationToken cancellationToken = default)
        => await _store.CountOutboxAsync(cancellationToken).ConfigureAwait(false);

    private async Task RecordFailureAsync(string runnerId, OutboxEntry entry, Exception error)
    {
        var failures = entry.Attempts + 1;
        var message = Describe(error);
        if (failures >= _options.MaxAttempts)
        {
            await DeadLetterAsync(runnerId, entry, message).ConfigureAwait(false);
            return;
        }

        var now = _options.TimeProvider.GetUtcNow();

        var wait = _options.BackoffFor(failures);
        if (_options.Jitter > 0 && wait > TimeSpan.Zero)
        {
            wait -= TimeSpan.FromTicks((long)(wait.Ticks * _options.Jitter * Random.Shared.NextDouble()));
        }

        await _store.FailOutboxAsync(runnerId, entry.Id, message, now + wait, now, CancellationToken.None).ConfigureAwait(false);
        OutboxMetrics.Failed.Add(1, _tags);
    }

    private async Task DeadLetterAsync(string runnerId, OutboxEntry entry, string message)
    {
        var now = _options.TimeProvider.GetUtcNow();
        await _store.FailOutboxAsync(runnerId, entry.Id, message, retryAt: null, now, CancellationToken.None).ConfigureAwait(false);
        OutboxMetrics.DeadLettered.Add(1, _tags);
    }

    private static string Describe(Exception error) => $"{error.GetType().Name}: {error.Message}";

    /// <summary>Keeps the pending gauge current, only while someone listens (counting costs a query).</summary>
    private async Task UpdatePendingAsync()
    {
        if (!OutboxMetrics.Pending.Enabled)
        {
            return;
        }

        var pending = await _store.CountOutboxAsync(CancellationToken.None).ConfigureAwait(false);
        OutboxMetrics.Pending.Add(pending - Interlocked.Exchange(ref _lastPending, pending), _tags);
    }
}
