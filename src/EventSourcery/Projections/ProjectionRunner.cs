namespace EventSourcery;

/// <summary>
/// Runs one projection over a store (or tenant view), keeping its checkpoint in the store's database: a new runner
/// on a reopened store continues where the last one stopped, and several projections run side by side, each with
/// its own checkpoint.
/// </summary>
/// <remarks>
/// Delivery: when the store implements <see cref="IProjectionTransactions"/> (the SQLite store over your DbContext)
/// and the projection writes through that same DbContext, each batch's read-model changes and checkpoint commit
/// together, so every event takes effect exactly once. Otherwise events are handled at least once: the checkpoint is
/// saved once per <see cref="ProjectionOptions.CheckpointInterval"/> while catching up and at the end of every run, so
/// a crash hands over again at most the events handled since the last save. A runner does one run at a time.
/// <para>
/// Several runners of one projection (two hosts, or two runners in one process) never move its checkpoint backwards
/// or undo a reset: every save compares the stored checkpoint with the one the run started from, and a run whose
/// checkpoint moved under it ends, leaving the work to the runner that is ahead. On the exactly-once path the
/// comparison is inside the batch's transaction, so a batch another runner already committed is rolled back, never
/// applied twice.
/// </para>
/// </remarks>
public sealed partial class ProjectionRunner
{
    private readonly IEventStore _store;
    private readonly ICheckpointStore _checkpoints;
    private readonly string _name;
    private readonly Func<RecordedEvent, CancellationToken, ValueTask>? _handleOne;
    private readonly Func<IReadOnlyList<RecordedEvent>, CancellationToken, ValueTask>? _handleBatch;
    private readonly IResettableProjection? _resettable;
    private readonly ProjectionOptions _options;
    private readonly IProjectionLeases? _leases; // null when the store keeps none, or SingleOwner is off
    private readonly string _owner = Guid.NewGuid().ToString("N");
    private long _leasedAt; // when the lease was last taken or renewed, as a TimeProvider timestamp
    private bool _holding; // this runner holds the lease (as of _leasedAt)
    private ProjectionException? _lastError;
    private long _handled; // the last position handled in this run
    private long _saved; // the last checkpoint saved (or loaded) in this run
    private long _savedAt; // when it was saved, as a TimeProvider timestamp
    private bool _superseded; // the stored checkpoint moved under this run (another runner, or a reset): the run ends

    /// <summary>Runs a projection that handles events one at a time.</summary>
    /// <exception cref="ArgumentException">The store keeps no checkpoints, or the projection has no name.</exception>
    public ProjectionRunner(IEventStore store, IProjection projection, ProjectionOptions? options = null)
        : this(store, projection?.Name, options)
    {
        _handleOne = projection!.HandleAsync;
        _resettable = projection as IResettableProjection;
    }

    /// <summary>Runs a projection that handles events in batches.</summary>
    /// <exception cref="ArgumentException">The store keeps no checkpoints, or the projection has no name.</exception>
    public ProjectionRunner(IEventStore store, IBatchProjection projection, ProjectionOptions? options = null)
        : this(store, projection?.Name, options)
    {
        _handleBatch = projection!.HandleAsync;
        _resettable = projection as IResettableProjection;
    }

    private ProjectionRunner(IEventStore store, string? name, ProjectionOptions? options)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(name, "projection");
        _store = store;
        _checkpoints = store as ICheckpointStore ?? throw new ArgumentException($"{store.GetType().Name} keeps no checkpoints (it is not an ICheckpointStore).", nameof(store));
        _name = name;
        _options = options ?? new ProjectionOptions();
        _leases = _options.SingleOwner ? store as IProjectionLeases : null;
    }

    /// <summary>The projection's name.</summary>
    public string Name => _name;

    /// <summary>
    /// Handles, in position order, every event after the checkpoint that is stored when the run starts, saving the
    /// checkpoint as it goes and when it ends (also when cancelled). Returns how many events it handled.
    /// </summary>
    /// <remarks>
    /// With <see cref="ProjectionOptions.SingleOwner"/> (the default) over a store that keeps leases, the run first takes
    /// the projection's lease and gives it up when it ends; while another runner owns the projection it returns 0 at once.
    /// </remarks>
    /// <exception cref="ProjectionException">The handler kept failing on an event, or a stored event cannot be read (its <see cref="EventReadException"/> is the inner exception); the checkpoint stays at the last event handled.</exception>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
        => (await RunPassAsync(keepLease: false, progress: null, cancellationToken).ConfigureAwait(false)).Handled;

    /// <summary>
    /// <see cref="RunOnceAsync(CancellationToken)"/>, reporting to <paramref name="progress"/> after each batch where the
    /// run is (for a progress bar: <see cref="ProjectionProgress.Fraction"/>).
    /// </summary>
    /// <exception cref="ProjectionException">As for <see cref="RunOnceAsync(CancellationToken)"/>.</exception>
    public async Task<int> RunOnceAsync(IProgress<ProjectionProgress> progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(progress);
        return (await RunPassAsync(keepLease: false, progress, cancellationToken).ConfigureAwait(false)).Handled;
    }

    /// <summary>
    /// Rebuilds the read model from the first event: empties it when the projection is an
    /// <see cref="IResettableProjection"/>, forgets the checkpoint, then runs once to the head, reporting to
    /// <paramref name="progress"/>. Returns how many events it handled. Stop the projection's other runners first.
    /// </summary>
    /// <exception cref="ProjectionException">As for <see cref="RunOnceAsync(CancellationToken)"/>.</exception>
    public async Task<int> RebuildAsync(IProgress<ProjectionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (_resettable is not null)
        {
            await _resettable.ResetAsync(cancellationToken).ConfigureAwait(false);
        }

        await ResetAsync(cancellationToken).ConfigureAwait(false);
        return (await RunPassAsync(keepLease: false, progress, cancellationToken).ConfigureAwait(false)).Handled;
    }

    /// <summary>Whether <see cref="RebuildAsync"/> empties the read model first (the projection is an <see cref="IResettableProjection"/>).</summary>
    public bool CanResetReadModel => _resettable is not null;

    /// <summary>One run, under the projection's lease when there is one. Owned is false when another runner holds it.</summary>
    private async Task<(int Handled, bool Owned)> RunPassAsync(bool keepLease, IProgress<ProjectionProgress>? progress, CancellationToken cancellationToken)
    {
        if (_leases is not null && !await OwnAsync(cancellationToken).ConfigureAwait(false))
        {
            return (0, false);
        }

        try
        {
            return (await RunLeasedAsync(progress, cancellationToken).ConfigureAwait(false), true);
        }
        finally
        {
            if (!keepLease)
            {
                await ReleaseLeaseAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<int> RunLeasedAsync(IProgress<ProjectionProgress>? progress, CancellationToken cancellationToken)
    {
        var checkpoint = await _checkpoints.LoadCheckpointAsync(_name, cancellationToken).ConfigureAwait(false);
        var head = await _checkpoints.ReadHeadPositionAsync(cancellationToken).ConfigureAwait(false);
        _saved = _handled = checkpoint;
        _savedAt = _options.TimeProvider.GetTimestamp();
        _superseded = false;
        var handled = 0;
        var batch = new List<RecordedEvent>(_options.BatchSize);
        try
        {
            EventReadException? unreadable = null;
            var events = _store.ReadAllAsync(checkpoint, cancellationToken).GetAsyncEnumerator(cancellationToken);
            await using (events.ConfigureAwait(false))
            {
                while (true)
                {
                    try
                    {
                        if (!await events.MoveNextAsync().ConfigureAwait(false))
                        {
                            break;
                        }
                    }
                    catch (EventReadException ex)
                    {
                        unreadable = ex; // handle what came before it, then stop at it
                        break;
                    }

                    var recorded = events.Current;
                    if (recorded.Position > head)
                    {
                        break;
                    }

                    batch.Add(recorded);
                    if (batch.Count == _options.BatchSize)
                    {
                        handled += await HandleBatchAsync(batch, cancellationToken).ConfigureAwait(false);
                        progress?.Report(new ProjectionProgress(_name, handled, _handled, checkpoint, head));
                        batch.Clear();
                        if (!_superseded && !await RenewLeaseIfDueAsync(cancellationToken).ConfigureAwait(false))
                        {
                            _superseded = true; // the lease ran out and another runner took the projection over
                            await SaveHandledAsync(cancellationToken).ConfigureAwait(false);
                        }

                        if (_superseded)
                        {
                            return handled; // another runner is ahead: it carries on from the stored checkpoint
                        }
                    }
                }
            }

            if (batch.Count > 0)
            {
                handled += await HandleBatchAsync(batch, cancellationToken).ConfigureAwait(false);
            }

            await SaveHandledAsync(cancellationToken).ConfigureAwait(false);
            progress?.Report(new ProjectionProgress(_name, handled, Math.Max(_handled, checkpoint), checkpoint, head));
            if (unreadable is not null && !_superseded)
            {
                // A stored event that cannot be read will not heal by retrying: the run stops at it.
                throw Fail(unreadable.Position, unreadable);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Keep what was handled, so a stop (a host shutting down) costs no repeats. Best effort: at-least-once
            // delivery allows the repeats if this fails too.
            try
            {
                await SaveHandledAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The cancellation is what the caller asked for; the store's error would only hide it.
            }

            throw;
        }

        _lastError = null;
        return handled;
    }

    /// <summary>
    /// Runs until cancelled: catches up, then waits for new events; with <see cref="ProjectionOptions.SingleOwner"/> only
    /// while it owns the projection (on standby otherwise), giving the lease up when it stops. Returns normally when cancelled; throws
    /// <see cref="ProjectionException"/> (and stops) when the handler keeps failing. A failure of the store itself (a
    /// read or a checkpoint write that fails, the database busy for too long) is passed to
    /// <see cref="ProjectionOptions.OnError"/>, and the run tries again after <see cref="ProjectionOptions.PollInterval"/>
    /// from the stored checkpoint (at least once: events handled since the last save may be handed over again).
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await RunLoopAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await ReleaseLeaseAsync().ConfigureAwait(false);
        }
    }

    private async Task RunLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var (handled, owned) = await RunPassAsync(keepLease: true, progress: null, cancellationToken).ConfigureAwait(false);
                if (!owned)
                {
                    // On standby: another runner owns the projection; look again for its lease to end.
                    await Task.Delay(_options.PollInterval, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
                }
                else if (handled == 0)
                {
                    var position = await _checkpoints.LoadCheckpointAsync(_name, cancellationToken).ConfigureAwait(false);
                    await WaitForEventsAsync(position, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not ProjectionException)
            {
                _options.OnError?.Invoke(ex);
                try
                {
                    await Task.Delay(_options.PollInterval, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }

    /// <summary>The position of the last event the projection handled (0 before any).</summary>
    public async Task<long> GetCheckpointAsync(CancellationToken cancellationToken = default)
        => await _checkpoints.LoadCheckpointAsync(_name, cancellationToken).ConfigureAwait(false);

    /// <summary>Where the projection stands: checkpoint, head, lag and the error that last stopped it.</summary>
    public async Task<ProjectionStatus> GetStatusAsync(CancellationToken cancellationToken = default)
        => new(
            _name,
            await _checkpoints.LoadCheckpointAsync(_name, cancellationToken).ConfigureAwait(false),
            await _checkpoints.ReadHeadPositionAsync(cancellationToken).ConfigureAwait(false),
            _lastError);

    /// <summary>Forgets the checkpoint, so the next run rebuilds the read model from the first event (clear the read model first).</summary>
    public async Task ResetAsync(CancellationToken cancellationToken = default)
        => await _checkpoints.DeleteCheckpointAsync(_name, cancellationToken).ConfigureAwait(false);

    private async Task WaitForEventsAsync(long position, CancellationToken cancellationToken)
    {
        if (_store is IAppendSignal signal)
        {
            try
            {
                await signal.WaitForAppendAsync(position, cancellationToken).WaitAsync(_options.PollInterval, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Look anyway: another process may have written.
            }
        }
        else
        {
            await Task.Delay(_options.PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsOurCancellation(Exception ex, CancellationToken cancellationToken)
        => ex is OperationCanceledException && cancellationToken.IsCancellationRequested;
}
