namespace EventSourcery.Storage;

/// <summary>
/// For store authors: the in-process half of <see cref="IAppendSignal"/>. A task completed (and replaced) on every
/// append a store instance commits, and per tenant the last position it committed, so that a subscriber that looks
/// just after a commit learns that it missed one. Writers in other processes are found by the subscriber's polling.
/// </summary>
/// <remarks>
/// A store's <c>WaitForAppendAsync</c> calls <see cref="Observe"/>; when the last position it reports lies after the
/// subscriber's, the store checks its head (the events may have been deleted since) and calls <see cref="Lower"/> if
/// they are gone, else returns at once; otherwise it awaits the task. Thread-safe.
/// </remarks>
public sealed class AppendNotifier
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, long> _lastAppended = new(StringComparer.Ordinal);
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The task the next commit completes, and the last position committed in <paramref name="tenant"/>'s view (0 if none).</summary>
    public (Task Next, long LastAppended) Observe(string tenant)
    {
        lock (_lock)
        {
            return (_next.Task, _lastAppended.GetValueOrDefault(tenant));
        }
    }

    /// <summary>After a commit of <paramref name="tenant"/>'s events up to <paramref name="lastPosition"/>: wakes every waiter.</summary>
    public void Appended(string tenant, long lastPosition)
    {
        TaskCompletionSource appended;
        lock (_lock)
        {
            if (lastPosition > _lastAppended.GetValueOrDefault(tenant))
            {
                _lastAppended[tenant] = lastPosition;
            }

            appended = _next;
            _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        appended.SetResult();
    }

    /// <summary>
    /// The events after <paramref name="head"/> that <see cref="Observe"/> reported as <paramref name="observed"/>
    /// are gone (their streams were deleted): forget them, unless a newer commit came since.
    /// </summary>
    public void Lower(string tenant, long observed, long head)
    {
        lock (_lock)
        {
            if (_lastAppended.GetValueOrDefault(tenant) == observed)
            {
                _lastAppended[tenant] = head;
            }
        }
    }
}
