namespace EventSourcery;

/// <summary>
/// Handlers that run inside the append transaction, for every append through any view of one store: an exception
/// from a listener rolls the append back, so a listener can enforce a rule or keep a table exactly in step with the
/// events. Listeners must not call the store they listen to (the append holds its write lock).
/// </summary>
public sealed class EventListeners
{
    private readonly Lock _lock = new();
    private Listener[] _listeners = [];

    /// <summary>Whether any listener is registered.</summary>
    public bool IsEmpty => Volatile.Read(ref _listeners).Length == 0;

    /// <summary>Runs <paramref name="handler"/> for every appended event of type <typeparamref name="TEvent"/> (or derived from it).</summary>
    /// <returns>Dispose it to remove the listener.</returns>
    public IDisposable On<TEvent>(Func<RecordedEvent, CancellationToken, ValueTask> handler)
        where TEvent : Event
        => Add(e => e.Event is TEvent, handler);

    /// <summary>Runs <paramref name="handler"/> for every appended event of a stream in <paramref name="category"/>.</summary>
    /// <returns>Dispose it to remove the listener.</returns>
    public IDisposable OnCategory(string category, Func<RecordedEvent, CancellationToken, ValueTask> handler)
    {
        ArgumentNullException.ThrowIfNull(category);
        StreamId.ValidateCategory(category);
        return Add(e => string.Equals(e.StreamId.Category, category, StringComparison.Ordinal), handler);
    }

    /// <summary>Runs <paramref name="handler"/> for every appended event.</summary>
    /// <returns>Dispose it to remove the listener.</returns>
    public IDisposable OnAny(Func<RecordedEvent, CancellationToken, ValueTask> handler) => Add(_ => true, handler);

    /// <summary>Runs the matching listeners for each event, in order; the first exception stops and propagates.</summary>
    /// <remarks>Stores call it inside their appends, through <see cref="Storage.ListenerInvoker"/>.</remarks>
    internal async ValueTask InvokeAsync(IReadOnlyList<RecordedEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        var listeners = Volatile.Read(ref _listeners);
        if (listeners.Length == 0)
        {
            return;
        }

        foreach (var recorded in events)
        {
            foreach (var listener in listeners)
            {
                if (listener.Matches(recorded))
                {
                    await listener.Handler(recorded, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private Listener Add(Func<RecordedEvent, bool> matches, Func<RecordedEvent, CancellationToken, ValueTask> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var listener = new Listener(matches, handler, this);
        lock (_lock)
        {
            _listeners = [.. _listeners, listener];
        }

        return listener;
    }

    private void Remove(Listener listener)
    {
        lock (_lock)
        {
            _listeners = _listeners.Where(l => !ReferenceEquals(l, listener)).ToArray();
        }
    }

    private sealed class Listener(Func<RecordedEvent, bool> matches, Func<RecordedEvent, CancellationToken, ValueTask> handler, EventListeners owner) : IDisposable
    {
        public Func<RecordedEvent, bool> Matches { get; } = matches;

        public Func<RecordedEvent, CancellationToken, ValueTask> Handler { get; } = handler;

        public void Dispose() => owner.Remove(this);
    }
}
