using System.Text.Json;

namespace EventSourcery.Serialization;

/// <summary>Writes an event's own properties (not Id, CreatedAt or Metadata) as one JSON object.</summary>
public delegate void EventPayloadWriter(Utf8JsonWriter writer, Event @event);

/// <summary>
/// Reads an event from a JSON object: the reader is on the object's start token and must end on its end token.
/// The header supplies the properties every event has.
/// </summary>
public delegate Event EventPayloadReader(ref Utf8JsonReader reader, in EventHeader header);

/// <summary>The properties every event has, stored beside the payload rather than inside it.</summary>
/// <param name="Id">The event's id.</param>
/// <param name="CreatedAt">When the event was created.</param>
/// <param name="Metadata">The event's tracing metadata.</param>
public readonly record struct EventHeader(Guid Id, DateTimeOffset CreatedAt, EventMetadata Metadata);

/// <summary>
/// One registered event type: its CLR type, stable name, schema version and generated JSON reader and writer.
/// The EventSourcery generator creates one per concrete event record; nothing here uses reflection.
/// </summary>
public sealed class EventType
{
    private readonly EventPayloadWriter _write;
    private readonly EventPayloadReader _read;

    /// <summary>Describes an event type (normally called by generated code only).</summary>
    public EventType(Type type, string name, int schemaVersion, EventPayloadWriter write, EventPayloadReader read)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(schemaVersion, 1);
        Type = type;
        Name = name;
        SchemaVersion = schemaVersion;
        _write = write ?? throw new ArgumentNullException(nameof(write));
        _read = read ?? throw new ArgumentNullException(nameof(read));
    }

    /// <summary>The event's CLR type.</summary>
    public Type Type { get; }

    /// <summary>The stable name stored with each event of this type.</summary>
    public string Name { get; }

    /// <summary>The schema version stored with each event of this type.</summary>
    public int SchemaVersion { get; }

    /// <summary>Writes the event's own properties as a JSON object.</summary>
    public void WritePayload(Utf8JsonWriter writer, Event @event) => _write(writer, @event);

    /// <summary>Reads an event of this type from a JSON object, completing it with <paramref name="header"/>.</summary>
    /// <exception cref="JsonException">The JSON is malformed or does not fit the type.</exception>
    public Event ReadPayload(ReadOnlySpan<byte> utf8Json, in EventHeader header)
    {
        var reader = new Utf8JsonReader(utf8Json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"The payload of a {Name} event must be a JSON object.");
        }

        var result = Event.Restore(_read, ref reader, header);
        if (reader.Read())
        {
            throw new JsonException($"The payload of a {Name} event has data after its end.");
        }

        return result;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} (v{SchemaVersion}, {Type.FullName})";
}
