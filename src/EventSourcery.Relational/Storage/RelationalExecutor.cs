using Microsoft.EntityFrameworkCore;

namespace EventSourcery.Relational.Storage;

/// <summary>
/// How a relational store runs an operation: which connection, set up how, with the schema in place, in whose
/// transaction, with which transient errors retried, and the provider's errors turned into the store's typed
/// exceptions (<see cref="EventStoreBusyException"/>, <see cref="EventStoreReadOnlyException"/>). One per store
/// instance, shared by its tenant views.
/// </summary>
internal abstract class RelationalExecutor : IAsyncDisposable
{
    /// <summary>The user's EF Core context whose connection and transaction the store uses; null for a store that owns its connection.</summary>
    public abstract DbContext? Context { get; }

    /// <summary>
    /// Whether operations run side by side, each on a connection of its own (a pool), so that a global read may fetch
    /// its next page while its consumer handles the current one. False where operations share one connection (SQLite,
    /// or a user's context, whose connection their own code uses between the events it is handed).
    /// </summary>
    public virtual bool RunsSideBySide => false;

    /// <summary>
    /// Runs <paramref name="work"/> with a session: in the user's transaction when their context has one, otherwise in
    /// none (each statement sees what is committed). Transient errors are retried while nothing of the user's is at stake.
    /// </summary>
    public abstract Task<T> RunAsync<T>(Func<RelationalSession, CancellationToken, Task<T>> work, CancellationToken cancellationToken);

    /// <summary>
    /// Begins a write (see <see cref="RelationalWrite"/>): in a transaction of the store's own, or inside the user's
    /// transaction (a savepoint) when their context has one. With <paramref name="oneCommand"/> (the write is one
    /// command that the database runs atomically by itself, see <see cref="RelationalStorage.AppendIsOneCommand"/>), a
    /// provider may leave its own transaction out, and so its begin and commit. Other operations of the store wait for
    /// the write where the provider runs one at a time.
    /// </summary>
    public abstract Task<RelationalWrite> BeginWriteAsync(bool oneCommand, CancellationToken cancellationToken);

    /// <summary>
    /// What to do after <paramref name="error"/> ended attempt <paramref name="attempt"/> (from 1) of an operation,
    /// whose write (if any) is disposed already: a transient error is retried while nothing of the user's is at stake,
    /// the provider's errors for a busy or read-only database become the store's typed exceptions.
    /// </summary>
    public abstract FailedAttempt Judge(Exception error, int attempt, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> all-or-nothing in a write (<see cref="BeginWriteAsync"/>), retried as
    /// <see cref="Judge"/> says. When the write's commit is final (not the user's transaction), <paramref name="committed"/>
    /// runs before the write gives its connection back, so its effects follow commit order.
    /// </summary>
    public Task<T> RunWriteAsync<T>(Func<RelationalSession, CancellationToken, Task<T>> work, Action<T>? committed, CancellationToken cancellationToken)
        => RetryAsync(
            async ct =>
            {
                await using var write = await BeginWriteAsync(oneCommand: false, ct).ConfigureAwait(false);
                var result = await work(write.Session, ct).ConfigureAwait(false);
                await write.CommitAsync(ct).ConfigureAwait(false);
                if (write.CommitIsFinal)
                {
                    committed?.Invoke(result);
                }

                return result;
            },
            cancellationToken);

    /// <summary>
    /// Runs <paramref name="attempt"/> again after each failure <see cref="Judge"/> says to retry, and throws what it
    /// says to throw instead; the attempt disposes what it opened before the next begins.
    /// </summary>
    protected async Task<T> RetryAsync<T>(Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        for (var number = 1; ; number++)
        {
            TimeSpan delay;
            try
            {
                return await attempt(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                if (!Judge(ex, number, cancellationToken).ShouldRetry(out delay))
                {
                    throw;
                }
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs <paramref name="work"/> alone among this store's operations, without set-up: for ending a transaction begun through the store.</summary>
    public abstract Task ExclusiveAsync(Func<Task> work);

    /// <summary>Sets up the connection and creates the store's missing tables now rather than at the first operation.</summary>
    public abstract Task EnsureSchemaAsync(CancellationToken cancellationToken);

    /// <summary>Waits for running operations, then releases what the store opened.</summary>
    public abstract ValueTask DisposeAsync();
}
