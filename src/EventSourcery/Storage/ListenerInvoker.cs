namespace EventSourcery.Storage;

/// <summary>
/// For store authors: runs a store's <see cref="EventListeners"/> inside an append, after its events are written and
/// before the commit. Applications register listeners (<see cref="EventListeners.On{TEvent}"/>) and never call this.
/// </summary>
public static class ListenerInvoker
{
    /// <summary>
    /// Runs the matching listeners for each of <paramref name="events"/>, in order. The first exception stops and
    /// propagates unchanged: the store then rolls the append back.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="listeners"/> or <paramref name="events"/> is null.</exception>
    public static ValueTask InvokeAsync(EventListeners listeners, IReadOnlyList<RecordedEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(listeners);
        return listeners.InvokeAsync(events, cancellationToken);
    }
}
