namespace EventSourcery;

/// <summary>
/// The event store's database cannot be written: for SQLite, it was opened read-only (<c>Mode=ReadOnly</c> in the
/// connection string), or the file, its directory or its medium is read-only (<c>SQLITE_READONLY</c>). The operation
/// wrote nothing; reads still work. Stores of other databases throw it for their own read-only state.
/// </summary>
public sealed class EventStoreReadOnlyException : Exception
{
    /// <summary>Creates the exception for a write the database refused.</summary>
    public EventStoreReadOnlyException(Exception? innerException = null)
        : base("The event store's database is read-only (opened with Mode=ReadOnly, or a read-only file, directory or medium): nothing was written. Open it read-write to append, publish, delete or run the outbox.", innerException)
    {
    }
}
