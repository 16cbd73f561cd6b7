namespace EventSourcery;

/// <summary>
/// Lets a store wake up its subscribers as soon as something is appended, instead of leaving them to poll. Optional:
/// subscriptions poll stores that do not implement it, and always poll too for writers in other processes.
/// </summary>
public interface IAppendSignal
{
    /// <summary>Completes when an event after <paramref name="afterPosition"/> may have been appended (at once if one already was).</summary>
    Task WaitForAppendAsync(long afterPosition, CancellationToken cancellationToken);
}
