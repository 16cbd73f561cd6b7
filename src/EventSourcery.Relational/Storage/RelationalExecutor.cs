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
    /// <summary>The EF Core context whose model (and, over a user's context, whose connection and transaction) the store uses.</summary>
    public abstract DbContext Context { get; }

    /// <summary>
    /// Runs <paramref name="work"/> with a session: in the user's transaction when their context has one, otherwise in
    /// none (each statement sees what is committed). Transient errors are retried while nothing of the user's is at stake.
    /// </summary>
    public abstract Task<T> RunAsync<T>(Func<RelationalSession, CancellationToken, Task<T>> work, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> all-or-nothing: in a write transaction of the store's own, or inside the user's
    /// transaction (a savepoint) when their context has one. When the store's own transaction commits,
    /// <paramref name="committed"/> runs before the next operation of this store starts, so its effects follow commit order.
    /// </summary>
    public abstract Task<T> RunWriteAsync<T>(Func<RelationalSession, CancellationToken, Task<T>> work, Action<T>? committed, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/>, whose writes are one command that the database runs atomically by itself (see
    /// <see cref="RelationalStorage.AppendIsOneCommand"/>), like <see cref="RunWriteAsync{T}"/>; a provider may leave
    /// out a transaction of its own around it (and so its begin and commit) when the user's context has none.
    /// </summary>
    public virtual Task<T> RunOneCommandWriteAsync<T>(Func<RelationalSession, CancellationToken, Task<T>> work, Action<T>? committed, CancellationToken cancellationToken)
        => RunWriteAsync(work, committed, cancellationToken);

    /// <summary>Runs <paramref name="work"/> alone among this store's operations, without set-up: for ending a transaction begun through the store.</summary>
    public abstract Task ExclusiveAsync(Func<Task> work);

    /// <summary>Sets up the connection and creates the store's missing tables now rather than at the first operation.</summary>
    public abstract Task EnsureSchemaAsync(CancellationToken cancellationToken);

    /// <summary>Waits for running operations, then releases what the store opened.</summary>
    public abstract ValueTask DisposeAsync();
}
