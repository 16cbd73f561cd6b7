using EventSourcery.Relational.Schema;
using EventSourcery.Relational.Storage;

namespace EventSourcery;

// Projection checkpoints, ownership leases and the head position (<see cref="ICheckpointStore"/>, <see cref="IProjectionLeases"/>).
public abstract partial class RelationalEventStore
{
    /// <inheritdoc />
    public async ValueTask<long> LoadCheckpointAsync(string projection, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projection);
        cancellationToken.ThrowIfCancellationRequested();
        var storage = _shared.Storage;
        var tenant = _tenant;
        return await RunAsync((session, ct) => storage.LoadCheckpointAsync(session, tenant, projection, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>Inside a transaction on the user's context (a store over its <see cref="Microsoft.EntityFrameworkCore.DbContext"/>) the checkpoint commits or rolls back with it.</remarks>
    public async ValueTask SaveCheckpointAsync(string projection, long position, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projection);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        cancellationToken.ThrowIfCancellationRequested();
        var storage = _shared.Storage;
        var tenant = _tenant;
        var updatedAt = storage.StoredInstant(_shared.Time.GetUtcNow());
        await RunWriteAsync(
            async (session, ct) =>
            {
                await storage.SaveCheckpointAsync(session, tenant, projection, position, updatedAt, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>Inside a transaction on the user's context (a store over its <see cref="Microsoft.EntityFrameworkCore.DbContext"/>) the comparison and the write are part of it.</remarks>
    public async ValueTask<bool> TrySaveCheckpointAsync(string projection, long expected, long position, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projection);
        ArgumentOutOfRangeException.ThrowIfNegative(expected);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        cancellationToken.ThrowIfCancellationRequested();
        var storage = _shared.Storage;
        var tenant = _tenant;
        var updatedAt = storage.StoredInstant(_shared.Time.GetUtcNow());
        return await RunWriteAsync(
            (session, ct) => storage.TrySaveCheckpointAsync(session, tenant, projection, expected, position, updatedAt, ct),
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>Works across store instances and processes on one file: the lease is a row of <c>es_projection_leases</c>, written under SQLite's write lock.</remarks>
    public async ValueTask<bool> TryAcquireProjectionLeaseAsync(string projection, string owner, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projection);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        var storage = _shared.Storage;
        var tenant = _tenant;
        var nowTicks = StoredValues.ToUtcTicks(now);
        var untilTicks = StoredValues.ToUtcTicks(now + duration);
        return await RunWriteAsync(
            (session, ct) => storage.TryAcquireProjectionLeaseAsync(session, tenant, projection, owner, nowTicks, untilTicks, ct),
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask ReleaseProjectionLeaseAsync(string projection, string owner, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projection);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        var storage = _shared.Storage;
        var tenant = _tenant;
        await RunWriteAsync(
            async (session, ct) =>
            {
                await storage.ReleaseProjectionLeaseAsync(session, tenant, projection, owner, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DeleteCheckpointAsync(string projection, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projection);
        cancellationToken.ThrowIfCancellationRequested();
        var storage = _shared.Storage;
        var tenant = _tenant;
        await RunWriteAsync(
            async (session, ct) =>
            {
                await storage.DeleteCheckpointAsync(session, tenant, projection, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>The last event that is still stored: a deleted stream's events no longer count. Index-backed; no scan of the events.</remarks>
    public async ValueTask<long> ReadHeadPositionAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var storage = _shared.Storage;
        var tenant = _tenant;
        return await RunAsync((session, ct) => storage.ReadHeadPositionAsync(session, tenant, ct), cancellationToken).ConfigureAwait(false);
    }
}
