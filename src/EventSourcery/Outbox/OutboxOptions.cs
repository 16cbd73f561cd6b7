namespace EventSourcery;

/// <summary>How an <see cref="Outbox"/> delivers.</summary>
public sealed record OutboxOptions
{
    /// <summary>The most entries one <see cref="Outbox.RunOnceAsync"/> claims (100 by default).</summary>
    public int BatchSize { get; init => field = Positive(value, nameof(BatchSize)); } = 100;

    /// <summary>Every delivery attempt counts, the first included; after this many failures an entry is dead-lettered (10 by default).</summary>
    public int MaxAttempts { get; init => field = Positive(value, nameof(MaxAttempts)); } = 10;

    /// <summary>The wait after the first failure (200 ms by default; zero retries at once). It doubles with each failure.</summary>
    public TimeSpan InitialBackoff { get; init => field = NotNegative(value, nameof(InitialBackoff)); } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait between attempts (30 s by default).</summary>
    public TimeSpan MaxBackoff { get; init => field = NotNegative(value, nameof(MaxBackoff)); } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How much of each wait is random, from 0 (exact doubling) to 1 (anywhere from zero to the full wait); 0.2 by
    /// default, so runners that failed together do not retry in lockstep.
    /// </summary>
    public double Jitter
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(Jitter));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1, nameof(Jitter));
            field = value;
        }
    } = 0.2;

    /// <summary>How long <see cref="Outbox.RunAsync"/> waits when there is nothing to deliver (1 s by default).</summary>
    public TimeSpan PollInterval { get; init => field = NotNegative(value, nameof(PollInterval)); } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a claim lasts if its runner dies mid-batch (30 s by default); then another runner takes over. A runner
    /// hands over no entry after 80% of its lease, so keep it well above the slowest single delivery.
    /// </summary>
    public TimeSpan LeaseDuration { get; init => field = Positive(value, nameof(LeaseDuration)); } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many delivered entries are completed (removed from the outbox) together: 1 by default, each right after its
    /// delivery, so a crash repeats at most the delivery it interrupted. With n, a crash can repeat up to n deliveries,
    /// and every n deliveries cost one commit instead of n (docs/outbox.md). What a batch delivered is always completed
    /// before <see cref="Outbox.RunOnceAsync"/> returns, also when it is cancelled.
    /// </summary>
    public int CompletionBatchSize { get; init => field = Positive(value, nameof(CompletionBatchSize)); } = 1;

    /// <summary>The clock for backoff and leases (the system clock by default; a fake one in tests).</summary>
    public TimeProvider TimeProvider { get; init => field = value ?? throw new ArgumentNullException(nameof(TimeProvider)); } = TimeProvider.System;

    /// <summary>Called by <see cref="Outbox.RunAsync"/> when a pass fails for a reason other than the publisher (the store was unreachable, say); the loop goes on.</summary>
    public Action<Exception>? OnError { get; init; }

    /// <summary>The wait before the attempt after <paramref name="failures"/> failures, without jitter.</summary>
    internal TimeSpan BackoffFor(int failures)
    {
        var ticks = InitialBackoff.Ticks * Math.Pow(2, Math.Min(failures - 1, 62));
        return ticks >= MaxBackoff.Ticks ? MaxBackoff : TimeSpan.FromTicks((long)ticks);
    }

    private static int Positive(int value, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, name);
        return value;
    }

    private static TimeSpan Positive(TimeSpan value, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero, name);
        return value;
    }

    private static TimeSpan NotNegative(TimeSpan value, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero, name);
        return value;
    }
}
