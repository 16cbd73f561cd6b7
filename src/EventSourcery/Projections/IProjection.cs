namespace EventSourcery;

/// <summary>A named read-model builder that handles events one at a time; <see cref="ProjectionRunner"/> runs it.</summary>
public interface IProjection
{
    /// <summary>The projection's name: its checkpoint is kept under it, so keep it stable.</summary>
    string Name { get; }

    /// <summary>Applies one event to the read model.</summary>
    ValueTask HandleAsync(RecordedEvent recorded, CancellationToken cancellationToken);
}

/// <summary>
/// A projection (<see cref="IProjection"/> or <see cref="IBatchProjection"/>) that can empty its read model, so that
/// <see cref="ProjectionRunner.RebuildAsync"/> (and the host's <c>projections rebuild</c> command) starts it afresh.
/// </summary>
public interface IResettableProjection
{
    /// <summary>Empties the read model (called before a rebuild handles the first event again).</summary>
    ValueTask ResetAsync(CancellationToken cancellationToken);
}

/// <summary>Where a run of a projection is: reported after each batch to the <see cref="IProgress{T}"/> given to <see cref="ProjectionRunner.RunOnceAsync(IProgress{ProjectionProgress}, CancellationToken)"/>.</summary>
/// <param name="Name">The projection's name.</param>
/// <param name="Handled">Events handled so far in this run.</param>
/// <param name="Position">The position of the last event handled.</param>
/// <param name="Start">The checkpoint the run started from.</param>
/// <param name="Head">The highest position when the run started: the run ends there.</param>
public readonly record struct ProjectionProgress(string Name, int Handled, long Position, long Start, long Head)
{
    /// <summary>How much of the run is done, from 0 to 1 (1 when there was nothing to do).</summary>
    public double Fraction => Head <= Start ? 1 : Math.Clamp((double)(Position - Start) / (Head - Start), 0, 1);
}

/// <summary>A named read-model builder that handles events a batch at a time (fewer round trips to its database).</summary>
public interface IBatchProjection
{
    /// <summary>The projection's name: its checkpoint is kept under it, so keep it stable.</summary>
    string Name { get; }

    /// <summary>Applies a batch of events, in position order, to the read model.</summary>
    ValueTask HandleAsync(IReadOnlyList<RecordedEvent> batch, CancellationToken cancellationToken);
}

/// <summary>A store that keeps projection checkpoints beside its events (per tenant view).</summary>
public interface ICheckpointStore
{
    /// <summary>The position of the last event <paramref name="projection"/> handled, or 0.</summary>
    ValueTask<long> LoadCheckpointAsync(string projection, CancellationToken cancellationToken = default);

    /// <summary>Records that <paramref name="projection"/> has handled every event up to <paramref name="position"/>.</summary>
    ValueTask SaveCheckpointAsync(string projection, long position, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves <paramref name="projection"/>'s checkpoint from <paramref name="expected"/> to <paramref name="position"/>,
    /// atomically, only if it is still at <paramref name="expected"/> (0 also matches no checkpoint at all); inside a
    /// projection transaction the comparison is part of that transaction. Returns false, changing nothing, when the
    /// checkpoint moved meanwhile (another runner of the projection got there first, or it was reset).
    /// </summary>
    ValueTask<bool> TrySaveCheckpointAsync(string projection, long expected, long position, CancellationToken cancellationToken = default);

    /// <summary>Forgets <paramref name="projection"/>'s checkpoint.</summary>
    ValueTask DeleteCheckpointAsync(string projection, CancellationToken cancellationToken = default);

    /// <summary>The position of the last event in this view, or 0 when it has none.</summary>
    ValueTask<long> ReadHeadPositionAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// A store that lets one runner of a projection at a time own it (per tenant view), across processes: a lease with an
/// owner and an end time, kept beside the checkpoints. <see cref="ProjectionRunner"/> takes it before handling events,
/// renews it as it goes, and gives it up when it stops; another runner takes over when it is given up or runs out.
/// </summary>
public interface IProjectionLeases
{
    /// <summary>
    /// Takes <paramref name="projection"/>'s lease for <paramref name="owner"/> until <paramref name="now"/> plus
    /// <paramref name="duration"/>, or renews it, if nobody else holds it or their lease ended by <paramref name="now"/>.
    /// Returns whether <paramref name="owner"/> holds it now.
    /// </summary>
    ValueTask<bool> TryAcquireProjectionLeaseAsync(string projection, string owner, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken = default);

    /// <summary>Gives up <paramref name="projection"/>'s lease if <paramref name="owner"/> holds it (else does nothing).</summary>
    ValueTask ReleaseProjectionLeaseAsync(string projection, string owner, CancellationToken cancellationToken = default);
}

/// <summary>
/// A store that can commit a projection's read-model change and its checkpoint in one transaction (the SQLite store
/// over your DbContext): each event's effect then happens exactly once.
/// </summary>
public interface IProjectionTransactions
{
    /// <summary>Begins a transaction that the store's checkpoint writes and the projection's own writes join.</summary>
    ValueTask<IProjectionTransaction> BeginProjectionTransactionAsync(CancellationToken cancellationToken = default);
}

/// <summary>A transaction begun by <see cref="IProjectionTransactions"/>; disposing it without committing rolls back.</summary>
public interface IProjectionTransaction : IAsyncDisposable
{
    /// <summary>Commits the read-model changes and the checkpoint together.</summary>
    ValueTask CommitAsync(CancellationToken cancellationToken = default);
}

/// <summary>A projection's handler failed on an event after every retry; the checkpoint stays at the last event it handled.</summary>
public sealed class ProjectionException : Exception
{
    /// <summary>Creates the exception for <paramref name="projection"/> failing at <paramref name="position"/>.</summary>
    public ProjectionException(string projection, long position, Exception innerException)
        : base($"Projection '{projection}' failed at position {position}: {innerException?.Message}", innerException)
    {
        ProjectionName = projection;
        Position = position;
    }

    /// <summary>The projection's name.</summary>
    public string ProjectionName { get; }

    /// <summary>The position of the event the handler failed on.</summary>
    public long Position { get; }
}

/// <summary>Where a projection stands.</summary>
/// <param name="Name">The projection's name.</param>
/// <param name="Checkpoint">The position of the last event it handled (0 before any).</param>
/// <param name="HeadPosition">The position of the last event in the store's view.</param>
/// <param name="LastError">The last failure that stopped a run, or null after a clean run.</param>
public sealed record ProjectionStatus(string Name, long Checkpoint, long HeadPosition, ProjectionException? LastError)
{
    /// <summary>How far behind the head it is, in positions (0 when caught up).</summary>
    public long Lag => Math.Max(0, HeadPosition - Checkpoint);
}

/// <summary>How a <see cref="ProjectionRunner"/> runs.</summary>
public sealed record ProjectionOptions
{
    /// <summary>
    /// Events handed over together: the size of an <see cref="IBatchProjection"/>'s batches, and of each transaction
    /// when the read model commits with the checkpoint (100 by default).
    /// </summary>
    public int BatchSize { get; init { ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(BatchSize)); field = value; } } = 100;

    /// <summary>Attempts at an event (or batch) before the run stops with <see cref="ProjectionException"/> (3 by default).</summary>
    public int MaxAttempts { get; init { ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(MaxAttempts)); field = value; } } = 3;

    /// <summary>The wait before the second attempt; it doubles for each further one (100 ms by default).</summary>
    public TimeSpan RetryDelay { get; init { ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero, nameof(RetryDelay)); field = value; } } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// At least-once delivery only: how often the checkpoint is saved while a run catches up (1 s by default). It is
    /// always saved at the end of a run, before the run stops on a failing event, and when the run is cancelled; a
    /// crash re-handles at most this much work. <see cref="TimeSpan.Zero"/> saves it after every batch. (When the read
    /// model commits with the checkpoint, every batch commits both, whatever this says.)
    /// </summary>
    public TimeSpan CheckpointInterval { get; init { ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero, nameof(CheckpointInterval)); field = value; } } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Called by <see cref="ProjectionRunner.RunAsync"/> when a pass fails because of the store rather than the handler
    /// (a read or checkpoint write failed, the database was busy too long); the run tries again after
    /// <see cref="PollInterval"/>. Handler failures stop the run with <see cref="ProjectionException"/> instead.
    /// </summary>
    public Action<Exception>? OnError { get; init; }

    /// <summary>The clock behind <see cref="CheckpointInterval"/> and the waits of <see cref="ProjectionRunner.RunAsync"/> (the system's by default).</summary>
    public TimeProvider TimeProvider { get; init { ArgumentNullException.ThrowIfNull(value, nameof(TimeProvider)); field = value; } } = TimeProvider.System;

    /// <summary>
    /// Whether one runner at a time owns the projection (true by default), when the store keeps leases
    /// (<see cref="IProjectionLeases"/>: the in-memory and SQLite stores do). Two hosts, or two runners in one process,
    /// then never handle the same events side by side: the others wait on standby and take over within
    /// <see cref="LeaseDuration"/> (plus <see cref="PollInterval"/>) when the owner dies, and at once when it stops.
    /// </summary>
    public bool SingleOwner { get; init; } = true;

    /// <summary>
    /// How long an owner's lease lasts without renewal (10 s by default). The owner renews it at every pass and, while
    /// catching up, after every batch once a third of it has gone; a batch that takes longer than this can let another
    /// runner take over (on the exactly-once path the checkpoint's comparison still applies each event once).
    /// </summary>
    public TimeSpan LeaseDuration { get; init { ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero, nameof(LeaseDuration)); field = value; } } = TimeSpan.FromSeconds(10);

    /// <summary>How long <see cref="ProjectionRunner.RunAsync"/> waits for new events when caught up, at most (1 s by default).</summary>
    public TimeSpan PollInterval { get; init { ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero, nameof(PollInterval)); field = value; } } = TimeSpan.FromSeconds(1);
}
