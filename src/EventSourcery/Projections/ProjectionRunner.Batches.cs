namespace EventSourcery;

// Handling a batch: in one projection transaction (exactly once) or with retries and checkpoint saves (at least once).
public sealed partial class ProjectionRunner
{
    private async Task<int> HandleBatchAsync(List<RecordedEvent> batch, CancellationToken cancellationToken)
    {
        // The handlers run inside the batch's span, which links to the appends of its events.
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var activity = ProjectionTelemetry.Start(_name, batch);
        try
        {
            var handled = _store is IProjectionTransactions transactions
                ? await HandleInTransactionAsync(transactions, batch, cancellationToken).ConfigureAwait(false)
                : await HandleAtLeastOnceAsync(batch, cancellationToken).ConfigureAwait(false);
            ProjectionTelemetry.Handled(activity, _name, handled, started);
            if (handled > 0 && ProjectionTelemetry.PositionsObserved)
            {
                var head = await _checkpoints.ReadHeadPositionAsync(cancellationToken).ConfigureAwait(false);
                ProjectionTelemetry.Positions(_name, batch[handled - 1], head, _options.TimeProvider.GetUtcNow());
            }

            return handled;
        }
        catch (Exception ex)
        {
            ProjectionTelemetry.Failed(activity, _name, ex, started);
            throw;
        }
    }

    /// <summary>
    /// Read-model changes and checkpoint in one transaction per attempt; a failed attempt leaves no trace. Only the
    /// handler's failures are retried here and end in <see cref="ProjectionException"/>; a failure of the store (a busy
    /// database at the start, a failed checkpoint write or commit) leaves as it is, with the batch rolled back, for
    /// <see cref="RunAsync"/> to report to <see cref="ProjectionOptions.OnError"/> and try again.
    /// </summary>
    private async Task<int> HandleInTransactionAsync(IProjectionTransactions transactions, List<RecordedEvent> batch, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var failure = await TryCommitAsync(transactions, batch, batch.Count, cancellationToken).ConfigureAwait(false);
            if (failure is null)
            {
                return _superseded ? 0 : batch.Count;
            }

            if (attempt < _options.MaxAttempts)
            {
                await Task.Delay(DelayBefore(attempt + 1), cancellationToken).ConfigureAwait(false);
                continue;
            }

            // Keep what succeeded before the failing event, then stop at it; if handing those over again fails too,
            // nothing of the batch is kept and the run stops at its first event.
            var done = failure.Done;
            if (done > 0 && await TryCommitAsync(transactions, batch, done, cancellationToken).ConfigureAwait(false) is not null)
            {
                done = 0;
            }

            if (_superseded)
            {
                return 0; // another runner is ahead: it meets the failing event itself
            }

            throw Fail(batch[done].Position, failure);
        }
    }

    /// <summary>
    /// Handles the first <paramref name="count"/> events of a batch in one projection transaction and commits them with
    /// the checkpoint, compared inside the transaction: returns null when committed, or when the checkpoint had moved
    /// (then nothing is committed and the run is superseded); returns the handler's failure, rolled back, otherwise.
    /// </summary>
    private async Task<PartialException?> TryCommitAsync(IProjectionTransactions transactions, List<RecordedEvent> batch, int count, CancellationToken cancellationToken)
    {
        var transaction = await transactions.BeginProjectionTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            try
            {
                await HandleAsync(batch, count, cancellationToken).ConfigureAwait(false);
            }
            catch (PartialException partial)
            {
                return partial; // disposing the transaction rolls the attempt back
            }

            var last = batch[count - 1].Position;
            if (!await _checkpoints.TrySaveCheckpointAsync(_name, _saved, last, cancellationToken).ConfigureAwait(false))
            {
                _superseded = true; // another runner committed these events (or the projection was reset): roll back
                return null;
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            _handled = _saved = last;
            _savedAt = _options.TimeProvider.GetTimestamp();
            return null;
        }
    }

    /// <summary>
    /// Event by event, checkpoint once per <see cref="ProjectionOptions.CheckpointInterval"/>; a failing event is retried
    /// alone, with the checkpoint saved just before it.
    /// </summary>
    private async Task<int> HandleAtLeastOnceAsync(List<RecordedEvent> batch, CancellationToken cancellationToken)
    {
        var done = 0;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                done += await HandleAsync(batch.GetRange(done, batch.Count - done), batch.Count - done, cancellationToken, trackHandled: true).ConfigureAwait(false);
                if (_options.TimeProvider.GetElapsedTime(_savedAt) >= _options.CheckpointInterval)
                {
                    await SaveHandledAsync(cancellationToken).ConfigureAwait(false);
                }

                return batch.Count;
            }
            catch (PartialException partial) when (!IsOurCancellation(partial.InnerException!, cancellationToken))
            {
                done += partial.Done;
                await SaveHandledAsync(cancellationToken).ConfigureAwait(false);
                if (_superseded)
                {
                    return done; // another runner is ahead: it meets the failing event itself
                }

                if (attempt >= _options.MaxAttempts)
                {
                    throw Fail(batch[done].Position, partial.InnerException!);
                }

                await Task.Delay(DelayBefore(attempt + 1), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Saves the checkpoint of the last event handled, unless it is saved already, and only over the one this run
    /// loaded or saved last: when it moved meanwhile (another runner of the projection, or a reset), the run is
    /// superseded and saves nothing more, so a checkpoint never moves backwards and a reset is never undone.
    /// </summary>
    private async Task SaveHandledAsync(CancellationToken cancellationToken)
    {
        if (_handled > _saved && !_superseded)
        {
            if (!await _checkpoints.TrySaveCheckpointAsync(_name, _saved, _handled, cancellationToken).ConfigureAwait(false))
            {
                _superseded = true;
                return;
            }

            _saved = _handled;
            _savedAt = _options.TimeProvider.GetTimestamp();
        }
    }

    /// <summary>
    /// Handles the first <paramref name="count"/> events; returns how many, or throws <see cref="PartialException"/>
    /// saying how many succeeded. With <paramref name="trackHandled"/>, each success moves <see cref="_handled"/>, so a
    /// failure or a cancellation partway through knows exactly what was done.
    /// </summary>
    private async Task<int> HandleAsync(List<RecordedEvent> events, int count, CancellationToken cancellationToken, bool trackHandled = false)
    {
        if (_handleBatch is not null)
        {
            try
            {
                await _handleBatch(count == events.Count ? events : events.GetRange(0, count), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!IsOurCancellation(ex, cancellationToken))
            {
                throw new PartialException(0, ex);
            }

            if (trackHandled)
            {
                _handled = events[count - 1].Position;
            }

            return count;
        }

        for (var i = 0; i < count; i++)
        {
            try
            {
                await _handleOne!(events[i], cancellationToken).ConfigureAwait(false);
                if (trackHandled)
                {
                    _handled = events[i].Position;
                }
            }
            catch (Exception ex) when (!IsOurCancellation(ex, cancellationToken))
            {
                throw new PartialException(i, ex);
            }
        }

        return count;
    }

    private ProjectionException Fail(long position, Exception error)
    {
        var inner = error is PartialException partial ? partial.InnerException! : error;
        _lastError = new ProjectionException(_name, position, inner);
        return _lastError;
    }

    private TimeSpan DelayBefore(int attempt) => _options.RetryDelay * Math.Pow(2, attempt - 2);

    /// <summary>A handler failed after <see cref="Done"/> events of the slice succeeded.</summary>
    private sealed class PartialException(int done, Exception inner) : Exception(inner.Message, inner)
    {
        public int Done { get; } = done;
    }
}
