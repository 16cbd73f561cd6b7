namespace EventSourcery.Relational.Storage;

/// <summary>
/// A write in progress, begun by <see cref="RelationalExecutor.BeginWriteAsync"/>: a connection set up with the schema
/// in place, and a transaction of the store's own, a savepoint in the user's transaction, or (for a one-command write)
/// none. Disposing it undoes whatever was not committed and gives the connection back.
/// </summary>
internal abstract class RelationalWrite : IAsyncDisposable
{
    /// <summary>The session the write's statements run in.</summary>
    public abstract RelationalSession Session { get; }

    /// <summary>
    /// Whether <see cref="CommitAsync"/> makes the write visible to others: true for a transaction of the store's own
    /// (or none), false for a savepoint in the user's transaction, which their commit decides.
    /// </summary>
    public abstract bool CommitIsFinal { get; }

    /// <summary>Commits the store's transaction, or releases the savepoint in the user's; nothing to do without either.</summary>
    public abstract Task CommitAsync(CancellationToken cancellationToken);

    /// <summary>Rolls back what was not committed (to the savepoint, in the user's transaction), then gives the connection back.</summary>
    public abstract ValueTask DisposeAsync();
}

/// <summary>
/// What an executor makes of an error that ended an attempt at an operation (<see cref="RelationalExecutor.Judge"/>):
/// run it again after <see cref="RetryAfter"/>, throw <see cref="Replacement"/> (a typed exception of the store's), or
/// neither (the error goes to the caller as it is).
/// </summary>
internal readonly record struct FailedAttempt(TimeSpan? RetryAfter, Exception? Replacement)
{
    /// <summary>The error goes to the caller unchanged.</summary>
    public static FailedAttempt Surface => default;

    /// <summary>Run the operation again after <paramref name="delay"/>.</summary>
    public static FailedAttempt Retry(TimeSpan delay) => new(delay, null);

    /// <summary>Throw <paramref name="replacement"/> instead.</summary>
    public static FailedAttempt Replace(Exception replacement) => new(null, replacement);

    /// <summary>Throws the replacement, or returns the delay before the next attempt; false when the error should surface as it is.</summary>
    public bool ShouldRetry(out TimeSpan delay)
    {
        if (Replacement is { } replacement)
        {
            throw replacement;
        }

        delay = RetryAfter ?? TimeSpan.Zero;
        return RetryAfter is not null;
    }
}
