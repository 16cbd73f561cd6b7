
namespace EventSourcery;

// Projection checkpoints, ownership leases and the head position.
public sealed partial class InMemoryEventStore
{
    /// <inheritdoc />
    public ValueTask<long> LoadCheckpointAsync(string projection, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projection);
        lock (_state.Lock)
        {
            return ValueTask.FromResult(_state.Checkpoints.GetValueOrDefault((_tenant, projection)));
        }
    }

    /// <inheritdoc />
    public ValueTask SaveCheckpointAsync(string projection, long position, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projection);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        lock (_state.Lock)
        {
            _state.Checkpoints[(_tenant, projection)] = position;
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<bool> TrySaveCheckpointAsync(string projection, long expected, long position, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projection);
        ArgumentOutOfRangeException.ThrowIfNegative(expected);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        lock (_state.Lock)
        {
            var key = (_tenant, projection);
            if (_state.Checkpoints.GetValueOrDefault(key) != expected)
            {
                return ValueTask.FromResult(false);
            }

            _state.Checkpoints[key] = position;
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> TryAcquireProjectionLeaseAsync(string projection, string owner, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projection);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_state.Lock)
        {
            var key = (_tenant, projection);
            if (_state.Leases.TryGetValue(key, out var lease) && lease.Owner != owner && lease.Until > now)
            {
                return ValueTask.FromResult(false);
            }

            _state.Leases[key] = (owner, now + duration);
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask ReleaseProjectionLeaseAsync(string projection, string owner, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projection);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        lock (_state.Lock)
        {
            var key = (_tenant, projection);
            if (_state.Leases.TryGetValue(key, out var lease) && lease.Owner == owner)
            {
                _state.Leases.Remove(key);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DeleteCheckpointAsync(string projection, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projection);
        lock (_state.Lock)
        {
            _state.Checkpoints.Remove((_tenant, projection));
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<long> ReadHeadPositionAsync(CancellationToken cancellationToken = default)
    {
        lock (_state.Lock)
        {
            // The last event of this view that is still stored (a deleted stream's events no longer count).
            for (var i = _state.All.Count - 1; i >= 0; i--)
            {
                if (_state.All[i].Tenant == _tenant && !_state.All[i].Deleted)
                {
                    return ValueTask.FromResult(_state.All[i].Position);
                }
            }

            return ValueTask.FromResult(0L);
        }
    }
}
