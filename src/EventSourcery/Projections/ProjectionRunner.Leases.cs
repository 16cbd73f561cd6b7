namespace EventSourcery;

// Single ownership: taking, renewing and giving up the projection's lease.
public sealed partial class ProjectionRunner
{
    /// <summary>
    /// Whether this runner owns the projection: holds a lease it took or renewed less than a third of
    /// <see cref="ProjectionOptions.LeaseDuration"/> ago, renewing it (a write to the store) only when that is due. An idle
    /// <see cref="RunAsync"/> therefore writes about three times per lease duration, not once per poll.
    /// </summary>
    private Task<bool> OwnAsync(CancellationToken cancellationToken)
        => _holding ? RenewLeaseIfDueAsync(cancellationToken) : TryLeaseAsync(cancellationToken);

    private async Task<bool> TryLeaseAsync(CancellationToken cancellationToken)
    {
        var time = _options.TimeProvider;
        _holding = false;
        var leased = await _leases!.TryAcquireProjectionLeaseAsync(_name, _owner, time.GetUtcNow(), _options.LeaseDuration, cancellationToken).ConfigureAwait(false);
        if (leased)
        {
            _leasedAt = time.GetTimestamp();
            _holding = true;
        }

        return leased;
    }

    /// <summary>While catching up: renews the lease once a third of it has gone. False when another runner took it over.</summary>
    private async Task<bool> RenewLeaseIfDueAsync(CancellationToken cancellationToken)
        => _leases is null
           || _options.TimeProvider.GetElapsedTime(_leasedAt) < _options.LeaseDuration / 3
           || await TryLeaseAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Gives the lease up so that a runner on standby takes over at once. Best effort: it runs out anyway.</summary>
    private async Task ReleaseLeaseAsync()
    {
        if (_leases is null)
        {
            return;
        }

        _holding = false;
        try
        {
            await _leases.ReleaseProjectionLeaseAsync(_name, _owner, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The lease ends by itself after LeaseDuration; the store's error is no reason to fail the run.
        }
    }
}
