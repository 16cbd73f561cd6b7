namespace EventSourcery;

/// <summary>How a <see cref="SqliteEventStore"/> serializes, stamps and waits: the options of every relational store, and SQLite's own.</summary>
public sealed record SqliteEventStoreOptions : RelationalEventStoreOptions
{
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
