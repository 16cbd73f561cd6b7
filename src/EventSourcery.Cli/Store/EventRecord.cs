using System.Data.Common;


namespace EventSourcery.Cli.Store;

/// <summary>A row of <c>es_events</c>, with the payload and metadata as the raw JSON text the store wrote.</summary>
/// <param name="Position">The global position.</param>
/// <param name="Version">The version within its stream.</param>
/// <param name="EventId">The event's id, upper-case (as SQLite stores it).</param>
/// <param name="Name">The event's stable name.</param>
/// <param name="SchemaVersion">The event type's schema version.</param>
/// <param name="CreatedAt">When the event was created, as round-trip text with its offset.</param>
/// <param name="RecordedAt">When the store committed it, as round-trip text.</param>
/// <param name="Payload">The event's JSON.</param>
/// <param name="Metadata">The metadata's JSON, or null.</param>
internal sealed record EventRecord(long Position, long Version, string EventId, string Name, long SchemaVersion, string CreatedAt, string RecordedAt, string Payload, string? Metadata)
{
    /// <summary>
    /// The columns <see cref="Read"/> expects, in order, from <c>es_events</c> aliased <c>e</c>: on PostgreSQL the
    /// creation time is three columns (the instant to the microsecond, the ticks below it, the offset), on SQLite one
    /// round-trip text, followed by two zeros in their place.
    /// </summary>
    public static string Columns(StoreConnection store)
        => $"e.position, e.version, e.event_id, e.event_name, e.schema_version, e.created_at, {(store.IsPostgreSql ? "e.created_at_ticks, e.created_at_offset" : "0, 0")}, e.recorded_at, e.payload, e.metadata";

    /// <summary>How many columns <see cref="Columns"/> has.</summary>
    public const int ColumnCount = 11;

    public static EventRecord Read(DbDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetInt64(1),
        StoreConnection.GuidText(reader, 2),
        reader.GetString(3),
        reader.IsDBNull(4) ? 0 : StoreConnection.Int64(reader, 4),
        StoreConnection.CreatedAtText(reader, 5),
        StoreConnection.TimeText(reader, 8),
        reader.GetString(9),
        reader.IsDBNull(10) ? null : reader.GetString(10));

    /// <summary>Writes the event's properties into the JSON object the writer is in.</summary>
    public void WriteProperties(System.Text.Json.Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumber("position", Position);
        writer.WriteNumber("version", Version);
        writer.WriteString("name", Name);
        writer.WriteNumber("schemaVersion", SchemaVersion);
        writer.WriteString("eventId", EventId);
        writer.WriteString("createdAt", CreatedAt);
        writer.WriteString("recordedAt", RecordedAt);
        Output.Terminal.WriteRawOrString(writer, "payload", Payload);
        Output.Terminal.WriteRawOrString(writer, "metadata", Metadata);
    }
}
