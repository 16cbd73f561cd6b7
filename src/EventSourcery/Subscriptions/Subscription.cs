using System.Runtime.CompilerServices;

namespace EventSourcery;

/// <summary>Starts subscriptions on any <see cref="IEventStore"/> (or tenant view).</summary>
public static class SubscriptionExtensions
{
    /// <summary>
    /// A subscription to the store's events after <paramref name="afterPosition"/> (exclusive), in position order.
    /// Narrow it with <see cref="Subscription.ToCategory"/> and <c>ToEvents&lt;T…&gt;</c>, then read it with
    /// <see cref="Subscription.ReadAsync"/> or <see cref="Subscription.ReadBatchesAsync"/>.
    /// </summary>
    public static Subscription Subscribe(this IEventStore store, long afterPosition = 0)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfNegative(afterPosition);
        return new Subscription(store, afterPosition, category: null, eventFilter: null, TimeSpan.FromMilliseconds(250));
    }
}

/// <summary>
/// A live, filtered read of a store's events: it delivers everything stored after its starting position, then waits
/// for new events until cancelled. Immutable: each <c>To…</c> call returns a narrowed copy.
/// </summary>
/// <remarks>
/// Gap safety: a subscription advances past a position only after reading it from the store, and both stores assign
/// positions in commit order (writers take the database's write lock before a position is allocated), so an event
/// committed late by a slow writer can never appear behind a position already delivered. docs/subscriptions-and-projections.md says
/// what a store with concurrent writers (PostgreSQL) must do to keep that promise.
/// </remarks>
public sealed class Subscription
{
    private readonly IEventStore _store;
    private readonly long _afterPosition;
    private readonly string? _category;
    private readonly Func<Event, bool>? _eventFilter;
    private readonly TimeSpan _pollInterval;

    internal Subscription(IEventStore store, long afterPosition, string? category, Func<Event, bool>? eventFilter, TimeSpan pollInterval)
    {
        _store = store;
        _afterPosition = afterPosition;
        _category = category;
        _eventFilter = eventFilter;
        _pollInterval = pollInterval;
    }

    /// <summary>Only events of streams in <paramref name="category"/> (combined with other filters by AND).</summary>
    public Subscription ToCategory(string category)
    {
        StreamId.ValidateCategory(category ?? throw new ArgumentNullException(nameof(category)));
        return new(_store, _afterPosition, category, _eventFilter, _pollInterval);
    }

    /// <summary>Only events of type <typeparamref name="T1"/> (or derived from it).</summary>
    public Subscription ToEvents<T1>()
        where T1 : Event => Where(e => e is T1);

    /// <summary>Only events of the given types (or types derived from them).</summary>
    public Subscription ToEvents<T1, T2>()
        where T1 : Event
        where T2 : Event => Where(e => e is T1 or T2);

    /// <summary>Only events of the given types (or types derived from them).</summary>
    public Subscription ToEvents<T1, T2, T3>()
        where T1 : Event
        where T2 : Event
        where T3 : Event => Where(e => e is T1 or T2 or T3);

    /// <summary>Only events of the given types (or types derived from them).</summary>
    public Subscription ToEvents<T1, T2, T3, T4>()
        where T1 : Event
        where T2 : Event
        where T3 : Event
        where T4 : Event => Where(e => e is T1 or T2 or T3 or T4);

    /// <summary>Only events of the given types (or types derived from them).</summary>
    public Subscription ToEvents<T1, T2, T3, T4, T5>()
        where T1 : Event
        where T2 : Event
        where T3 : Event
        where T4 : Event
        where T5 : Event => Where(e => e is T1 or T2 or T3 or T4 or T5);

    /// <summary>Only events of the given types (or types derived from them).</summary>
    public Subscription ToEvents<T1, T2, T3, T4, T5, T6>()
        where T1 : Event
        where T2 : Event
        where T3 : Event
        where T4 : Event
        where T5 : Event
        where T6 : Event => Where(e => e is T1 or T2 or T3 or T4 or T5 or T6);

    /// <summary>How often to look for events written by other processes while caught up (250 ms by default).</summary>
    public Subscription WithPollInterval(TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        return new(_store, _afterPosition, _category, _eventFilter, interval);
    }

    /// <summary>
    /// The events one by one: first what is stored, then new events as they are appended. Never ends by itself;
    /// cancelling <paramref name="cancellationToken"/> ends it with <see cref="OperationCanceledException"/>.
    /// </summary>
    public async IAsyncEnumerable<RecordedEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var position = _afterPosition;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var read = false;
            await foreach (var recorded in _store.ReadAllAsync(position, cancellationToken).ConfigureAwait(false))
            {
                read = true;
                position = recorded.Position;
                if (Matches(recorded))
                {
                    yield return recorded;
                }
            }

            if (!read)
            {
                await WaitAsync(position, _pollInterval, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The events in batches of at most <paramref name="maxSize"/>: a batch is yielded when it is full, or when
    /// <paramref name="maxWait"/> has passed since its first event; batches are never empty. Never ends by itself.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<RecordedEvent>> ReadBatchesAsync(int maxSize, TimeSpan maxWait, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWait, TimeSpan.Zero);
        var position = _afterPosition;
        var batch = new List<RecordedEvent>(maxSize);
        long firstAt = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var read = false;
            await foreach (var recorded in _store.ReadAllAsync(position, cancellationToken).ConfigureAwait(false))
            {
                read = true;
                position = recorded.Position;
                if (!Matches(recorded))
                {
                    continue;
                }

                if (batch.Count == 0)
                {
                    firstAt = Environment.TickCount64;
                }

                batch.Add(recorded);
                if (batch.Count == maxSize)
                {
                    yield return batch.ToArray();
                    batch.Clear();
                }
            }

            if (batch.Count > 0 && Environment.TickCount64 - firstAt >= (long)maxWait.TotalMilliseconds)
            {
                yield return batch.ToArray();
                batch.Clear();
                continue;
            }

            if (!read)
            {
                // Caught up: wait for new events, but no longer than the open batch may wait.
                var wait = _pollInterval;
                if (batch.Count > 0)
                {
                    var left = TimeSpan.FromMilliseconds(Math.Max(0, (long)maxWait.TotalMilliseconds - (Environment.TickCount64 - firstAt)));
                    wait = left < wait ? left : wait;
                }

                await WaitAsync(position, wait, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private bool Matches(RecordedEvent recorded)
        => (_category is null || string.Equals(recorded.StreamId.Category, _category, StringComparison.Ordinal))
           && (_eventFilter is null || _eventFilter(recorded.Event));

    private Subscription Where(Func<Event, bool> filter)
    {
        var previous = _eventFilter;
        return new(_store, _afterPosition, _category, previous is null ? filter : e => previous(e) && filter(e), _pollInterval);
    }

    private async Task WaitAsync(long position, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return;
        }

        // The wait is a span of its own (`wait {category}`): a trace shows where a subscriber spent its time idle.
        using var activity = EventSourceryTelemetry.Source.HasListeners()
            ? EventSourceryTelemetry.Source.StartActivity(_category is null ? "wait" : $"wait {_category}")
            : null;
        activity?.SetTag(TelemetryTags.StreamCategory, _category);
        activity?.SetTag(TelemetryTags.Position, position);
        var signalled = false;
        if (_store is IAppendSignal signal)
        {
            try
            {
                await signal.WaitForAppendAsync(position, cancellationToken).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
                signalled = true;
            }
            catch (TimeoutException)
            {
                // Nothing appended here in time; look anyway (another process may have written).
            }
        }
        else
        {
            await Task.Delay(timeout, cancellationToken).ConfigureAwait(false);
        }

        activity?.SetTag(TelemetryTags.Signalled, signalled);
    }
}
