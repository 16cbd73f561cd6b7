namespace EventSourcery;

/// <summary>
/// How a <see cref="PostgreSqlEventStore"/> serializes, stamps and pages (the options of every relational store), and
/// where its tables live and how long it waits: PostgreSQL's own.
/// </summary>
public sealed record PostgreSqlEventStoreOptions : RelationalEventStoreOptions
{
    /// <summary>
    /// The schema that holds the store's tables: <c>public</c> unless set. Created on first use when it does not exist.
    /// A store over your own <c>DbContext</c> must name the schema its model maps the tables to
    /// (<c>modelBuilder.AddEventSourcery(schema)</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The value is null, empty, whitespace or longer than PostgreSQL's 63-byte identifiers.</exception>
    public string Schema
    {
        get;
        init
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(System.Text.Encoding.UTF8.GetByteCount(value), 63, nameof(value));
            field = value;
        }
    } = "public";

    /// <summary>
    /// How many times an operation that failed with a transient error (a serialization failure, a deadlock, a dropped
    /// connection) is tried in all before the error surfaces, when nothing of the caller's (their transaction) is at
    /// stake. 3 unless set.
    /// </summary>
    public int MaxAttempts
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = 3;
}
