using EventSourcery.Serialization;
using EventSourcery.Relational.Schema;

namespace EventSourcery.Relational.Storage;

/// <summary>
/// Turns the rows the store reads into events, recorded events and outbox entries: the raw values of a row (kept raw by
/// <see cref="RelationalStorage"/> so that a damaged one can be named) through the serializer, with every failure an
/// <see cref="EventReadException"/> that names the row's stream, version, position and stored name.
/// </summary>
/// <param name="serializer">The store's serializer.</param>
/// <param name="recordedTenant">The tenant of the view reading (null for the default view), stamped on what it reads.</param>
internal sealed class RowMaterializer(EventSerializer serializer, string? recordedTenant)
{
    /// <summary>A stored event row as a recorded event.</summary>
    /// <exception cref="EventReadException">The row cannot be read; names it.</exception>
    public RecordedEvent Materialize(StoredEventRow row, StreamId? streamId, string rowName = "the stored row", StreamIdMemo? streamIds = null)
    {
        var id = streamId ?? default;
        try
        {
            id = streamId ?? streamIds?.Read(row) ?? ReadStreamId(row);
            var @event = ReadEvent(id, row.Version, row.Position, row.EventName, checked((int)row.SchemaVersion), row.Payload, row.EventId, row.CreatedAt, row.Metadata);
            var recordedAt = row.RecordedAt.ParseTime("no recording time is stored.");
            return new RecordedEvent(id, row.Version, row.Position, @event, row.EventName!, checked((int)row.SchemaVersion), recordedAt, recordedTenant);
        }
        catch (Exception ex) when (ex is not EventReadException and not OperationCanceledException and not PersonalData.PersonalDataKeyNeededException)
        {
            throw new EventReadException(id, row.Version, row.Position, row.EventName, $"{rowName} is corrupt: {ex.Message}", ex);
        }
    }

    /// <summary>The event of a stored row, from its raw values (the id and creation time as the provider read them).</summary>
    /// <exception cref="EventReadException">The name is unknown, or the payload or metadata does not fit the type.</exception>
    /// <exception cref="FormatException">The id or creation time is missing or malformed (the caller names the row).</exception>
    public Event ReadEvent(StreamId streamId, long version, long position, string? eventName, int schemaVersion, byte[]? payload, StoredValue eventId, StoredValue createdAt, byte[]? metadata)
        => serializer.Deserialize(
            streamId,
            version,
            position,
            eventName,
            schemaVersion,
            payload ?? [],
            eventId.ParseGuid("no event id is stored."),
            createdAt.ParseTime("no creation time is stored."),
            metadata ?? [],
            recordedTenant);

    /// <summary>The event of a row read to rebuild an aggregate.</summary>
    /// <exception cref="EventReadException">The name is unknown, or the payload or metadata does not fit the type.</exception>
    /// <exception cref="FormatException">The id or creation time is missing or malformed (the caller names the row).</exception>
    public Event ReadEvent(StreamId streamId, in StoredStreamEventRow row)
        => ReadEvent(streamId, row.Version, row.Position, row.EventName, row.SchemaVersion, row.Payload, row.EventId, row.CreatedAt, row.Metadata);

    /// <summary>
    /// An outbox row as an entry: its event from the row's own copy, named as the stream was when it was published. A
    /// row whose event (or delivery state) cannot be read becomes an <see cref="OutboxEntry.Unreadable"/> entry rather
    /// than an exception, so that it is dead-lettered alone instead of failing the claim of every stream.
    /// </summary>
    /// <exception cref="PersonalData.PersonalDataKeyNeededException">The event's subject key is not cached (unless <paramref name="keyLoaded"/>: then the entry is unreadable).</exception>
    public OutboxEntry MaterializeEntry(StoredOutboxRow row, bool keyLoaded = false)
    {
        var rowName = $"outbox entry {row.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        RecordedEvent recorded;
        try
        {
            recorded = Materialize(row.Event, streamId: null, rowName);
            return new OutboxEntry(
                row.Id,
                recorded,
                checked((int)row.Attempts),
                row.LastError,
                row.RetryAtTicks is { } retryAt ? StoredValues.FromUtcTicks(retryAt) : null,
                row.DeadLetteredAt.IsNull ? null : row.DeadLetteredAt.ParseTime(""));
        }
        catch (Exception ex) when (ex is not OperationCanceledException && (keyLoaded || ex is not PersonalData.PersonalDataKeyNeededException))
        {
            var error = ex as EventReadException ?? new EventReadException(ReadStreamIdOrDefault(row.Event), row.Event.Version, row.Event.Position, row.Event.EventName, $"{rowName} is corrupt: {ex.Message}", ex);
            return OutboxEntry.Unreadable(
                row.Id,
                error,
                row.Event.Payload is { } payload ? System.Text.Encoding.UTF8.GetString(payload) : null,
                row.Event.RecordedAt.TryParseTime() ?? default,
                recordedTenant,
                (int)Math.Clamp(row.Attempts, 0, int.MaxValue),
                row.LastError,
                row.RetryAtTicks is { } retryAt && retryAt >= DateTimeOffset.MinValue.UtcTicks && retryAt <= DateTimeOffset.MaxValue.UtcTicks ? StoredValues.FromUtcTicks(retryAt) : null,
                row.DeadLetteredAt.TryParseTime());
        }
    }

    /// <summary>The stream id of a row, or the default id when the row's stream columns are damaged too.</summary>
    private static StreamId ReadStreamIdOrDefault(StoredEventRow row)
    {
        try
        {
            return ReadStreamId(row);
        }
        catch (FormatException)
        {
            return default;
        }
    }

    /// <summary>
    /// The id a stream read through <paramref name="requested"/> was created with: the same guid and category, with
    /// the stored name (or none), whatever name the caller's id carried.
    /// </summary>
    public static StreamId WithStoredName(StreamId requested, string? storedName)
    {
        if (string.Equals(requested.Name, storedName, StringComparison.Ordinal))
        {
            return requested;
        }

        if (!string.IsNullOrEmpty(storedName))
        {
            var named = StreamId.FromName(storedName, requested.Category);
            if (named.Value == requested.Value)
            {
                return named;
            }
        }

        return new StreamId(requested.Value, requested.Category);
    }

    /// <summary>
    /// The stream ids of named streams already read from one page of rows: <see cref="ReadStreamId(StoredEventRow)"/> checks a stored
    /// name against its guid with a SHA-1 (about 0.9 µs), which a page of a few streams' events would repeat for every
    /// row. Unnamed streams cost only a guid parse and are not kept.
    /// </summary>
    public sealed class StreamIdMemo
    {
        private readonly Dictionary<(Guid Guid, string? Category, string Name), StreamId> _named = [];

        public StreamId Read(StoredEventRow row)
        {
            if (row.StreamName is not { } name)
            {
                return ReadStreamId(row);
            }

            var key = (ReadStreamGuid(row), row.Category, name);
            if (!_named.TryGetValue(key, out var id))
            {
                id = ReadStreamId(row, key.Item1);
                _named.Add(key, id);
            }

            return id;
        }

        /// <summary>Forgets the page's streams, so the memo never holds more than one page's.</summary>
        public void Clear() => _named.Clear();
    }

    private static Guid ReadStreamGuid(StoredEventRow row) => row.StreamGuid.ParseGuid("no stream id is stored.");

    private static StreamId ReadStreamId(StoredEventRow row) => ReadStreamId(row, ReadStreamGuid(row));

    private static StreamId ReadStreamId(StoredEventRow row, Guid guid)
    {
        var category = string.IsNullOrEmpty(row.Category) ? null : row.Category;
        if (row.StreamName is { } name)
        {
            // Keep the name the stream was made from; a row whose guid does not match its name keeps the stored guid.
            var named = StreamId.FromName(name, category);
            if (named.Value == guid)
            {
                return named;
            }
        }

        return new StreamId(guid, category);
    }
}
