using System.Runtime.CompilerServices;
using System.Text;
using EventSourcery.Serialization;

namespace EventSourcery;

/// <summary>
/// An <see cref="IEventStore"/> held in memory, with the same semantics as the SQLite store: the same concurrency
/// checks, versions and positions, and every event serialized and read back through the generated JSON metadata,
/// so tests of domain code catch the mistakes a real store would.
/// </summary>
public sealed class InMemoryEventStore : IEventStore
{
    private readonly Lock _lock = new();
    private readonly EventSerializer _serializer;
    private readonly TimeProvider _time;
    private readonly Dictionary<StreamId, List<StoredEvent>> _streams = [];
    private readonly List<StoredEvent> _all = [];
    private readonly List<long> _outbox = [];
    private long _lastPosition;

    /// <summary>Creates an empty store over the default registry of generated event types.</summary>
    public InMemoryEventStore()
        : this(EventRegistry.Default)
    {
    }

    /// <summary>Creates an empty store over <paramref name="registry"/>, optionally with a clock for recorded times.</summary>
    public InMemoryEventStore(EventRegistry registry, TimeProvider? timeProvider = null)
    {
        _serializer = new EventSerializer(registry);
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public ValueTask<AppendResult> AppendAsync(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(Append(streamId, events, expectedVersion, toOutbox: false, cancellationToken));

    /// <inheritdoc />
    public ValueTask<AppendResult> PublishAsync(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(Append(streamId, events, expectedVersion, toOutbox: true, cancellationToken));

    /// <inheritdoc />
    public async IAsyncEnumerable<RecordedEvent> ReadStreamAsync(StreamId streamId, long fromVersion = 1, long toVersion = long.MaxValue, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        streamId.ThrowIfDefault(nameof(streamId));
        ArgumentOutOfRangeException.ThrowIfLessThan(fromVersion, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fromVersion, toVersion);
        StoredEvent[] snapshot;
        lock (_lock)
        {
            if (!_streams.TryGetValue(streamId, out var stream) || fromVersion > stream.Count)
            {
                yield break;
            }

            var start = (int)(fromVersion - 1);
            var count = (int)Math.Min(stream.Count - start, toVersion - fromVersion + 1);
            snapshot = stream.GetRange(start, count).ToArray();
        }

        foreach (var stored in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return Materialize(stored);
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RecordedEvent> ReadAllAsync(long afterPosition = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterPosition);
        StoredEvent[] snapshot;
        lock (_lock)
        {
            var start = FirstIndexAfter(afterPosition);
            snapshot = _all.GetRange(start, _all.Count - start).Where(e => !e.Deleted).ToArray();
        }

        foreach (var stored in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return Materialize(stored);
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteStreamAsync(StreamId streamId, ExpectedVersion expectedVersion = default, CancellationToken cancellationToken = default)
    {
        streamId.ThrowIfDefault(nameof(streamId));
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var current = _streams.TryGetValue(streamId, out var stream) ? stream.Count : (long?)null;
            if (!expectedVersion.IsSatisfiedBy(current))
            {
                throw new ConcurrencyException(streamId, expectedVersion, current);
            }

            if (stream is null)
            {
                return ValueTask.FromResult(false);
            }

            foreach (var stored in stream)
            {
                stored.Deleted = true;
            }

            _streams.Remove(streamId);
            return ValueTask.FromResult(true);
        }
    }

    /// <summary>The positions of the events put in the outbox by <see cref="PublishAsync"/>, in order.</summary>
    internal IReadOnlyList<long> OutboxPositions
    {
        get
        {
            lock (_lock)
            {
                return _outbox.ToArray();
            }
        }
    }

    private AppendResult Append(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, bool toOutbox, CancellationToken cancellationToken)
    {
        streamId.ThrowIfDefault(nameof(streamId));
        AppendValidation.ThrowIfInvalid(events);
        cancellationToken.ThrowIfCancellationRequested();

        // Serialize before taking the lock: an unknown type or a failing writer must leave the store untouched.
        var serialized = new SerializedEvent[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            serialized[i] = _serializer.Serialize(events[i]);
        }

        lock (_lock)
        {
            var current = _streams.TryGetValue(streamId, out var stream) ? stream.Count : (long?)null;
            if (!expectedVersion.IsSatisfiedBy(current))
            {
                throw new ConcurrencyException(streamId, expectedVersion, current);
            }

            if (stream is null)
            {
                stream = [];
                _streams.Add(streamId, stream);
            }

            var recordedAt = _time.GetUtcNow();
            for (var i = 0; i < events.Count; i++)
            {
                var e = events[i];
                var stored = new StoredEvent(
                    streamId,
                    stream.Count + 1,
                    ++_lastPosition,
                    serialized[i].Type.Name,
                    serialized[i].Type.SchemaVersion,
                    Encoding.UTF8.GetBytes(serialized[i].Payload),
                    serialized[i].Metadata is { } metadata ? Encoding.UTF8.GetBytes(metadata) : [],
                    e.Id,
                    e.CreatedAt,
                    recordedAt);
                stream.Add(stored);
                _all.Add(stored);
                if (toOutbox)
                {
                    _outbox.Add(stored.Position);
                }
            }

            return new AppendResult(stream.Count, _lastPosition);
        }
    }

    private int FirstIndexAfter(long position)
    {
        int lo = 0, hi = _all.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_all[mid].Position <= position)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private RecordedEvent Materialize(StoredEvent stored)
    {
        var @event = _serializer.Deserialize(stored.StreamId, stored.Version, stored.Position, stored.Name, stored.Payload, stored.Id, stored.CreatedAt, stored.Metadata);
        return new RecordedEvent(stored.StreamId, stored.Version, stored.Position, @event, stored.Name, stored.SchemaVersion, stored.RecordedAt);
    }

    private sealed record StoredEvent(
        StreamId StreamId,
        long Version,
        long Position,
        string Name,
        int SchemaVersion,
        byte[] Payload,
        byte[] Metadata,
        Guid Id,
        DateTimeOffset CreatedAt,
        DateTimeOffset RecordedAt)
    {
        public bool Deleted { get; set; }
    }
}

/// <summary>Argument checks shared by every store's append.</summary>
internal static class AppendValidation
{
    public static void ThrowIfInvalid(IReadOnlyList<Event> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            throw new ArgumentException("An append needs at least one event.", nameof(events));
        }

        for (var i = 0; i < events.Count; i++)
        {
            if (events[i] is null)
            {
                throw new ArgumentException($"events[{i}] is null.", nameof(events));
            }
        }
    }
}
