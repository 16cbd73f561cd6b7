using System.Buffers;
using System.Text;
using System.Text.Json;
using EventSourcery.PersonalData;

namespace EventSourcery.Serialization;

/// <summary>An event turned into what a store keeps: its registration, JSON payload and JSON metadata.</summary>
/// <param name="Type">The event's registration (name and schema version).</param>
/// <param name="Payload">The event's own properties as a JSON object.</param>
/// <param name="Metadata">The metadata as a JSON object, or null when it is empty.</param>
public readonly record struct SerializedEvent(EventType Type, string Payload, string? Metadata);

/// <summary>
/// Turns events into stored JSON and back through the generated metadata of an <see cref="EventRegistry"/>.
/// Every store uses it, so the in-memory store catches the same serialization mistakes as SQLite.
/// </summary>
public sealed class EventSerializer
{
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    /// <summary>The default of <see cref="MaxEventBytes"/>: 1 MiB, EventStoreDB's and Kafka's default limit.</summary>
    public const int DefaultMaxEventBytes = 1 << 20;

    /// <summary>Creates a serializer over <paramref name="registry"/>.</summary>
    /// <param name="registry">The registry that names the event types.</param>
    /// <param name="maxEventBytes">The largest event <see cref="Serialize(StreamId, Event)"/> accepts (see <see cref="MaxEventBytes"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxEventBytes"/> is not positive.</exception>
    public EventSerializer(EventRegistry registry, int maxEventBytes = DefaultMaxEventBytes)
        : this(registry, maxEventBytes, protector: null)
    {
    }

    /// <summary>Creates a serializer over <paramref name="registry"/> that encrypts personal data through <paramref name="protector"/>.</summary>
    /// <param name="registry">The registry that names the event types.</param>
    /// <param name="maxEventBytes">The largest event <see cref="Serialize(StreamId, Event)"/> accepts (see <see cref="MaxEventBytes"/>).</param>
    /// <param name="protector">
    /// The keys of the data subjects: with one, personal data is stored encrypted and read decrypted (or masked once
    /// shredded); without, it is written in plain text (a message for a broker) and an encrypted value cannot be read.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxEventBytes"/> is not positive.</exception>
    public EventSerializer(EventRegistry registry, int maxEventBytes, PersonalDataProtector? protector)
    {
        Registry = registry ?? throw new ArgumentNullException(nameof(registry));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEventBytes, 1);
        MaxEventBytes = maxEventBytes;
        Protector = protector;
    }

    /// <summary>The keys personal data is encrypted with, or null when it is written in plain text.</summary>
    public PersonalDataProtector? Protector { get; }

    /// <summary>The registry that names the event types.</summary>
    public EventRegistry Registry { get; }

    /// <summary>
    /// The most bytes an event to be appended may take as stored: its UTF-8 JSON payload plus its metadata. A store's
    /// pages, outbox claims and projection batches hold a bounded number of events, so this also bounds their memory.
    /// </summary>
    public int MaxEventBytes { get; }

    /// <summary>Serializes <paramref name="event"/>, whatever its size.</summary>
    /// <exception cref="UnknownEventTypeException">The event's type is not registered.</exception>
    public SerializedEvent Serialize(Event @event) => Serialize(@event, out _, traceParent: null, keys: null);

    /// <summary>Serializes <paramref name="event"/> to be appended to <paramref name="streamId"/>, refusing it when it is larger than <see cref="MaxEventBytes"/>.</summary>
    /// <exception cref="UnknownEventTypeException">The event's type is not registered.</exception>
    /// <exception cref="EventTooLargeException">The payload and metadata together take more than <see cref="MaxEventBytes"/> bytes.</exception>
    public SerializedEvent Serialize(StreamId streamId, Event @event) => Serialize(streamId, @event, traceParent: null);

    /// <summary>
    /// Serializes <paramref name="event"/> like <see cref="Serialize(StreamId, Event)"/>, keeping
    /// <paramref name="traceParent"/> (the appending activity's W3C id) in its metadata under
    /// <see cref="EventMetadata.TraceParentKey"/> unless the event carries one already.
    /// </summary>
    /// <exception cref="UnknownEventTypeException">The event's type is not registered.</exception>
    /// <exception cref="EventTooLargeException">The payload and metadata together take more than <see cref="MaxEventBytes"/> bytes.</exception>
    public SerializedEvent Serialize(StreamId streamId, Event @event, string? traceParent) => Serialize(streamId, @event, traceParent, keys: null);

    /// <summary>
    /// Serializes <paramref name="event"/> like <see cref="Serialize(StreamId, Event, string?)"/>, its personal data
    /// encrypted with its subject's key from <paramref name="keys"/> (what <see cref="PersonalDataProtector.PrepareAsync"/>
    /// returned for the append's events).
    /// </summary>
    /// <exception cref="UnknownEventTypeException">The event's type is not registered.</exception>
    /// <exception cref="EventTooLargeException">The payload and metadata together take more than <see cref="MaxEventBytes"/> bytes.</exception>
    /// <exception cref="DataSubjectMissingException">The event has personal data and no subject.</exception>
    /// <exception cref="InvalidOperationException">The event has personal data and <paramref name="keys"/> lacks its subject's key.</exception>
    public SerializedEvent Serialize(StreamId streamId, Event @event, string? traceParent, IReadOnlyDictionary<string, PersonalDataKey>? keys)
    {
        var serialized = Serialize(@event, out var payloadBytes, traceParent, keys);
        long size = payloadBytes + (serialized.Metadata is { } metadata ? Encoding.UTF8.GetByteCount(metadata) : 0);
        if (size > MaxEventBytes)
        {
            throw new EventTooLargeException(streamId, @event.Id, serialized.Type.Name, size, MaxEventBytes);
        }

        return serialized;
    }

    private SerializedEvent Serialize(Event @event, out int payloadBytes, string? traceParent, IReadOnlyDictionary<string, PersonalDataKey>? keys)
    {
        ArgumentNullException.ThrowIfNull(@event);
        var type = Registry.Get(@event);
        var cipher = WriteCipher(type, @event, keys);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            type.WritePayload(writer, @event, cipher);
        }

        payloadBytes = buffer.WrittenCount;
        var payload = Encoding.UTF8.GetString(buffer.WrittenSpan);
        return new SerializedEvent(type, payload, SerializeMetadata(@event.Metadata, traceParent));
    }

    /// <summary>The cipher that encrypts <paramref name="event"/>'s personal data, or null when it has none or this serializer has no protector.</summary>
    private PersonalDataCipher? WriteCipher(EventType type, Event @event, IReadOnlyDictionary<string, PersonalDataKey>? keys)
    {
        if (Protector is null || type.PersonalData is not { } shape)
        {
            return null;
        }

        var subject = shape.SubjectOf(@event) ?? throw new DataSubjectMissingException(type.Name, @event.Id, shape.Properties[0], shape.SubjectProperty);
        var key = keys is not null && keys.TryGetValue(subject, out var found)
            ? found
            : throw new InvalidOperationException($"The key of data subject '{subject}' was not loaded before event '{type.Name}' ({@event.Id}) was serialized: a store loads it with PersonalDataProtector.PrepareAsync.");
        return PersonalDataCipher.For(type.Name, key, tenantId: null, subject);
    }

    /// <summary>
    /// Reads a stored event back as the current version of its type.
    /// </summary>
    /// <exception cref="EventReadException">The name is unknown or missing, or the payload or metadata is not valid for the type.</exception>
    public Event Deserialize(StreamId streamId, long version, long position, string? eventName, ReadOnlySpan<byte> payload, Guid id, DateTimeOffset createdAt, ReadOnlySpan<byte> metadata)
        => Deserialize(streamId, version, position, eventName, schemaVersion: 0, payload, id, createdAt, metadata);

    /// <summary>
    /// Reads a stored event back, upcasting it from <paramref name="schemaVersion"/> (the version stored with it) to the
    /// current version of its type when its type registers upcasters for that version (<see cref="EventType.ReadPayload(ReadOnlySpan{byte}, int, in EventHeader)"/>).
    /// </summary>
    /// <exception cref="EventReadException">The name is unknown or missing, the payload or metadata is not valid for the version's shape, or an upcaster failed (its <see cref="EventUpcastException"/> inside).</exception>
    public Event Deserialize(StreamId streamId, long version, long position, string? eventName, int schemaVersion, ReadOnlySpan<byte> payload, Guid id, DateTimeOffset createdAt, ReadOnlySpan<byte> metadata)
        => Deserialize(streamId, version, position, eventName, schemaVersion, payload, id, createdAt, metadata, tenantId: null);

    /// <summary>
    /// Reads a stored event back like <see cref="Deserialize(StreamId, long, long, string?, int, ReadOnlySpan{byte}, Guid, DateTimeOffset, ReadOnlySpan{byte})"/>,
    /// decrypting its personal data with the key of its subject in <paramref name="tenantId"/> (or reading the mask values
    /// when the subject was shredded).
    /// </summary>
    /// <exception cref="EventReadException">The name is unknown or missing, the payload or metadata is not valid for the version's shape, an encrypted value was damaged, or an upcaster failed.</exception>
    /// <exception cref="PersonalDataKeyNeededException">The subject's key is not cached: load it (<see cref="PersonalDataProtector.LoadKeyAsync"/>) and read the event again.</exception>
    public Event Deserialize(StreamId streamId, long version, long position, string? eventName, int schemaVersion, ReadOnlySpan<byte> payload, Guid id, DateTimeOffset createdAt, ReadOnlySpan<byte> metadata, string? tenantId)
    {
        if (eventName is null)
        {
            throw new EventReadException(streamId, version, position, eventName, "no event name is stored.");
        }

        if (!Registry.TryGetByName(eventName, out var type))
        {
            throw new EventReadException(streamId, version, position, eventName, "no registered event type has this name (was the type renamed without an [EventName], or is its assembly not loaded?).");
        }

        PersonalDataCipher? cipher = null;
        try
        {
            if (Protector is not null && type.PersonalData is { } shape)
            {
                cipher = Protector.ReadCipher(tenantId, eventName, shape, payload);
            }

            var header = new EventHeader(id, createdAt, metadata.IsEmpty ? EventMetadata.Empty : DeserializeMetadata(metadata));
            return type.ReadPayload(payload, schemaVersion, header, cipher);
        }
        catch (EventUpcastException ex)
        {
            throw new EventReadException(streamId, version, position, eventName, $"version {schemaVersion} could not be upcast to {type.Type.Name} v{type.SchemaVersion}: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or ArgumentException)
        {
            throw new EventReadException(streamId, version, position, eventName, $"the stored JSON does not fit {type.Type.Name}: {ex.Message}", ex);
        }

    }

    /// <summary>Serializes metadata as a JSON object, or returns null for empty metadata.</summary>
    /// <exception cref="ArgumentException">An <see cref="EventMetadata.Extra"/> entry has a null value, or a key or value with an unpaired UTF-16 surrogate (it would not read back unchanged).</exception>
    public static string? SerializeMetadata(EventMetadata metadata) => SerializeMetadata(metadata, traceParent: null);

    private static string? SerializeMetadata(EventMetadata metadata, string? traceParent)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (traceParent is not null && metadata.Extra.ContainsKey(EventMetadata.TraceParentKey))
        {
            traceParent = null; // the event's own wins
        }

        if (metadata.CorrelationId is null && metadata.CausationId is null && metadata.Extra.Count == 0 && traceParent is null)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            if (metadata.CorrelationId is { } correlation)
            {
                writer.WriteString("correlationId"u8, correlation);
            }

            if (metadata.CausationId is { } causation)
            {
                writer.WriteString("causationId"u8, causation);
            }

            if (metadata.Extra.Count > 0 || traceParent is not null)
            {
                writer.WriteStartObject("extra"u8);
                foreach (var (key, value) in metadata.Extra)
                {
                    if (Unstorable(key, value) is { } problem)
                    {
                        throw new ArgumentException(problem, nameof(metadata));
                    }

                    writer.WriteString(key, value);
                }

                if (traceParent is not null)
                {
                    writer.WriteString(EventMetadata.TraceParentKey, traceParent);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Why an <see cref="EventMetadata.Extra"/> entry would not read back as it is, or null when it would.</summary>
    private static string? Unstorable(string key, string? value)
    {
        const string CannotStore = "it cannot be stored as UTF-8 JSON without changing it.";
        if (JsonPrimitives.IndexOfUnpairedSurrogate(key) is >= 0 and var keyIndex)
        {
            return $"The metadata key '{JsonPrimitives.Escape(key)}' has an unpaired UTF-16 surrogate at index {keyIndex}; {CannotStore}";
        }

        if (value is null)
        {
            return $"The metadata entry '{key}' has a null value; Extra values are strings.";
        }

        return JsonPrimitives.IndexOfUnpairedSurrogate(value) is >= 0 and var valueIndex
            ? $"The value of metadata entry '{key}' has an unpaired UTF-16 surrogate at index {valueIndex}; {CannotStore}"
            : null;
    }

    /// <summary>Reads metadata written by <see cref="SerializeMetadata(EventMetadata)"/>.</summary>
    /// <exception cref="JsonException">The JSON is not a metadata object.</exception>
    public static EventMetadata DeserializeMetadata(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json);
        Expect(ref reader, JsonTokenType.StartObject);
        Guid? correlation = null, causation = null;
        Dictionary<string, string>? extra = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("correlationId"u8))
            {
                reader.Read();
                correlation = reader.TokenType == JsonTokenType.Null ? null : reader.GetGuid();
            }
            else if (reader.ValueTextEquals("causationId"u8))
            {
                reader.Read();
                causation = reader.TokenType == JsonTokenType.Null ? null : reader.GetGuid();
            }
            else if (reader.ValueTextEquals("extra"u8))
            {
                Expect(ref reader, JsonTokenType.StartObject);
                extra = [];
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var key = reader.GetString()!;
                    Expect(ref reader, JsonTokenType.String);
                    extra[key] = reader.GetString()!;
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            throw new JsonException("The event metadata is not a complete JSON object.");
        }

        return new EventMetadata
        {
            CorrelationId = correlation,
            CausationId = causation,
            Extra = extra ?? EventMetadata.Empty.Extra,
        };
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType token)
    {
        if (!reader.Read() || reader.TokenType != token)
        {
            throw new JsonException($"Expected {token} in the event metadata but found {reader.TokenType}.");
        }
    }
}
