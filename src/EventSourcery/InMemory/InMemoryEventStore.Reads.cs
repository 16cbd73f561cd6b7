using System.Runtime.CompilerServices;
using EventSourcery.Storage;

namespace EventSourcery;

// Reading: streams, ReadAll and the wait for appends.
public sealed partial class InMemoryEventStore
{
    /// <inheritdoc />
    Task IAppendSignal.WaitForAppendAsync(long afterPosition, CancellationToken cancellationToken)
    {
        // The next commit's task first, then the head: a commit in between completes the task, so none is missed.
        var (next, _) = _state.Signal.Observe(_tenant);
        lock (_state.Lock)
        {
            return _state.LastPositionOf(_tenant) > afterPosition ? Task.CompletedTask : next.WaitAsync(cancellationToken);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RecordedEvent> ReadStreamAsync(StreamId streamId, long fromVersion = 1, long toVersion = long.MaxValue, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        streamId.ThrowIfDefault(nameof(streamId));
        ArgumentOutOfRangeException.ThrowIfLessThan(fromVersion, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fromVersion, toVersion);
        StoredEvent[] snapshot;
        lock (_state.Lock)
        {
            if (!_state.Streams.TryGetValue((_tenant, streamId), out var stream) || fromVersion > stream.Count)
            {
                yield break;
            }

            var start = (int)(fromVersion - 1);
            var count = (int)Math.Min(stream.Count - start, toVersion - fromVersion + 1);
            snapshot = stream.GetRange(start, count).ToArray();
        }

        var telemetry = ReadTelemetry.Start("in-memory", streamId, fromVersion, _tenant, remote: false);
        long read = 0;
        try
        {
            foreach (var stored in snapshot)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var recorded = await MaterializeAsync(stored, cancellationToken).ConfigureAwait(false);
                read++;
                yield return recorded;
            }
        }
        finally
        {
            telemetry.Ended(read);
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RecordedEvent> ReadAllAsync(long afterPosition = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterPosition);
        StoredEvent[] snapshot;
        lock (_state.Lock)
        {
            var start = _state.FirstIndexAfter(afterPosition);
            snapshot = _state.All.GetRange(start, _state.All.Count - start).Where(e => !e.Deleted && e.Tenant == _tenant).ToArray();
        }

        foreach (var stored in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return await MaterializeAsync(stored, cancellationToken).ConfigureAwait(false);
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
