namespace EventSourcery;

/// <summary>
/// The database stayed locked by another writer for longer than the store was willing to wait, even after retrying.
/// Nothing was written; the operation can be tried again later.
/// </summary>
public sealed class EventStoreBusyException : Exception
{
    /// <summary>Creates the exception after <paramref name="attempts"/> attempts.</summary>
    public EventStoreBusyException(int attempts, TimeSpan busyTimeout, Exception? innerException = null)
        : base($"The event store's database stayed locked by another connection: gave up after {attempts} attempt(s) of up to {busyTimeout.TotalSeconds:0.###} s each. Nothing was written.", innerException)
    {
        Attempts = attempts;
        BusyTimeout = busyTimeout;
    }

    /// <summary>How many times the operation was tried.</summary>
    public int Attempts { get; }

    /// <summary>How long each attempt waited for the lock.</summary>
    public TimeSpan BusyTimeout { get; }
}
