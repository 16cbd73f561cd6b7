using EventSourcery.Serialization;

namespace EventSourcery;

/// <summary>How a <see cref="SqliteEventStore"/> serializes, stamps and waits.</summary>
public sealed class SqliteEventStoreOptions
{
    /// <summary>The registry of event types to store and read; <see cref="EventRegistry.Default"/> unless set.</summary>
    public EventRegistry Registry
    {
        // Resolved when read, not when the options are made: module initializers may still be registering types.
        get => field ?? EventRegistry.Default;
        init => field = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>The clock that stamps <see cref="RecordedEvent.RecordedAt"/>; <see cref="TimeProvider.System"/> unless set.</summary>
    public TimeProvider TimeProvider
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(value));
    } = TimeProvider.System;

    /// <summary>
    /// Which events <see cref="SqliteEventStore.PublishAsync"/> puts in the outbox, besides storing them: those for
    /// which it returns true. Null (the default) puts every published event there. It runs before anything is
    /// written, so an exception it throws fails the publish and writes nothing.
    /// </summary>
    public Func<Event, bool>? OutboxFilter { get; init; }

    /// <summary>
    /// The largest event an append accepts, as stored: UTF-8 JSON payload plus metadata. A larger one fails the append
    /// with <see cref="EventTooLargeException"/> and nothing of it is written. 1 MiB unless set (EventStoreDB's and
    /// Kafka's default): events are facts, large content belongs elsewhere with a reference in the event.
    /// </summary>
    public int MaxEventBytes
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = EventSerializer.DefaultMaxEventBytes;

    /// <summary>
    /// About how many bytes of stored events one page of a read holds (stream reads, <c>ReadAllAsync</c>, and so
    /// subscriptions and projections) and one outbox claim takes: a page ends after the event that reaches it, or at
    /// its row limit, whichever comes first. 4 MiB unless set; it bounds a reader's memory when events are large.
    /// </summary>
    public int PageBytes
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = 4 << 20;

    /// <summary>
    /// How hard SQLite pushes each commit to disk (<c>PRAGMA synchronous</c>) on a connection the store opens itself.
    /// <see cref="SqliteSynchronousMode.Full"/> (the default) loses no committed event on power loss.
    /// </summary>
    public SqliteSynchronousMode Synchronous { get; init; } = SqliteSynchronousMode.Full;

    /// <summary>
    /// How long a write waits for another connection's write lock before it gives up with
    /// <see cref="EventStoreBusyException"/> (after a few retries). Five seconds unless set; applies to connections
    /// the store opens itself.
    /// </summary>
    public TimeSpan BusyTimeout
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, TimeSpan.FromDays(1));
            field = value;
        }
    } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How many bytes of the database file SQLite reads through memory-mapped I/O (<c>PRAGMA mmap_size</c>) on a
    /// connection the store opens itself: 256 MiB unless set; 0 turns it off. Reads of a large store then copy less
    /// (docs/benchmarks.md, "Scale"); writes are unchanged. SQLite caps it at its compile-time maximum.
    /// </summary>
    public long MemoryMapSize
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    } = 256L * 1024 * 1024;
}

/// <summary>Values of SQLite's <c>PRAGMA synchronous</c> that are safe for an event store in WAL mode.</summary>
public enum SqliteSynchronousMode
{
    /// <summary>Sync the WAL on every commit: a committed event survives power loss.</summary>
    Full,

    /// <summary>Sync at checkpoints only: faster; the last commits may be lost on power loss (never corrupted).</summary>
    Normal,
}
