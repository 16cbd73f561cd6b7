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

    /// <summary>
    /// Creates the exception after <paramref name="attempts"/> attempts when the database's own timeout ended the wait
    /// (PostgreSQL's <c>lock_timeout</c> or <c>statement_timeout</c>); <paramref name="reason"/> says which, and
    /// <see cref="BusyTimeout"/> is zero.
    /// </summary>
    public EventStoreBusyException(int attempts, string reason, Exception? innerException = null)
        : base($"The event store's database was busy: {reason}. Gave up after {attempts} attempt(s). Nothing was written.", innerException)
    {
        Attempts = attempts;
    }

    /// <summary>How many times the operation was tried.</summary>
    public int Attempts { get; }

    /// <summary>How long each attempt waited for the lock; zero when the database's own timeout ended the wait.</summary>
    public TimeSpan BusyTimeout { get; }
}
