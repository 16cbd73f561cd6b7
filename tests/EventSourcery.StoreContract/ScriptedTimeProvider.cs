namespace EventSourcery.StoreContract;

/// <summary>
/// A clock that answers a scripted series of times, one per call of <see cref="GetUtcNow"/>, then keeps the last: for
/// a clock that jumps or steps backwards (an NTP correction) at a chosen moment.
/// </summary>
public sealed class ScriptedTimeProvider(params DateTimeOffset[] times) : TimeProvider
{
    private readonly Queue<DateTimeOffset> _times = new(times.Length > 0 ? times : throw new ArgumentException("At least one time.", nameof(times)));
    private DateTimeOffset _last = times[0];

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        lock (_times)
        {
            if (_times.TryDequeue(out var next))
            {
                _last = next;
            }

            return _last;
        }
    }
}
