namespace EventSourcery.Relational.Storage;

/// <summary>Identifies a stream row: the tenant ('' for the default view), category ('' for none), guid and optional name.</summary>
internal readonly record struct StreamKey(string TenantId, string Category, Guid StreamGuid, string? Name)
{
    public static StreamKey From(StreamId id, string tenantId) => new(tenantId, id.Category ?? "", id.Value, id.Name);
}

/// <summary>A stream row found by <see cref="RelationalStorage.FindStreamAsync"/>, with the name it was created with.</summary>
internal readonly record struct StreamState(long Key, long Version, string? Name);

/// <summary>
/// An event row as read, before it is turned into a <see cref="RecordedEvent"/>: values that can be corrupt are kept
/// raw so that the failure surfaces at that row, naming it, and not for the whole page.
/// </summary>
internal sealed record StoredEventRow(
    long Position,
    long Version,
    StoredValue EventId,
    string? EventName,
    long SchemaVersion,
    byte[]? Payload,
    byte[]? Metadata,
    StoredValue CreatedAt,
    StoredValue RecordedAt,
    string? TenantId,
    string? Category,
    StoredValue StreamGuid,
    string? StreamName);

/// <summary>
/// An event row read to rebuild an aggregate (<see cref="RelationalStorage.ReadStreamEventsPageAsync"/>): only what that
/// needs, and the position to name the row by if it cannot be read (0 when the provider does not read it: the store
/// then finds it through the full read). The id and creation time are kept as the provider reads them most cheaply (a
/// load reads them for every event).
/// </summary>
internal readonly record struct StoredStreamEventRow(long Position, long Version, StoredValue EventId, string? EventName, int SchemaVersion, byte[]? Payload, byte[]? Metadata, StoredValue CreatedAt);

/// <summary>
/// An outbox row as read: the event's copy (as in <see cref="StoredEventRow"/>, with the stream columns of the row
/// itself) and its delivery state, kept raw like the event's values.
/// </summary>
internal sealed record StoredOutboxRow(long Id, StoredEventRow Event, long Attempts, string? LastError, long? RetryAtTicks, StoredValue DeadLetteredAt);

/// <summary>
/// One page of a read: its rows, and whether more may follow (the page reached its row limit, or its byte budget, see
/// <see cref="RelationalEventStoreOptions.PageBytes"/>). A page that is not full was the last one. A page that ends at
/// a row that could not be read holds the rows before it and the <paramref name="Failure"/>, which the read throws
/// once it has returned them.
/// </summary>
internal readonly record struct RowPage<T>(List<T> Rows, bool Full, EventReadException? Failure = null);

/// <summary>
/// Turns a row of a stream read into its event while the provider reads the page, so that a page holds events rather
/// than raw rows (a 1,000-event load's raw rows would fill an array on the large object heap).
/// </summary>
/// <exception cref="EventReadException">The row cannot be read; names it.</exception>
internal delegate VersionedEvent ReadStreamRow(in StoredStreamEventRow row);

/// <summary>A snapshot row as read; values that can be corrupt are kept raw, as in <see cref="StoredEventRow"/>.</summary>
internal sealed record StoredSnapshotRow(long Version, StoredValue EventId, string? Type, string? Fingerprint, byte[]? Payload);

/// <summary>What became of an append at the database (<see cref="RelationalStorage.AppendAsync"/>).</summary>
/// <param name="Refused">The stream's version did not satisfy the expectation: nothing was written.</param>
/// <param name="CurrentVersion">The stream's version before the append (null: no stream).</param>
/// <param name="StreamName">The name the stream was created with (or is created with now).</param>
/// <param name="FirstVersion">The version of the first event written.</param>
/// <param name="LastPosition">The last event's position; null when the stream moved on between the read and the write (a lost race).</param>
internal readonly record struct AppendOutcome(bool Refused, long? CurrentVersion, string? StreamName, long FirstVersion, long? LastPosition)
{
    public static AppendOutcome Refuse(long? currentVersion) => new(Refused: true, currentVersion, null, 0, null);
}
