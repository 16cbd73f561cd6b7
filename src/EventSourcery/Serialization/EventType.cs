using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

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
public readonly record struct EventHeader(Guid Id, DateTimeOffset CreatedAt, EventMetadata Metadata)
{
    /// <summary>The header of a new event: a fresh UUIDv7, now, and no metadata (an event read from JSON other than the store's).</summary>
    public static EventHeader New() => new(Guid.CreateVersion7(), DateTimeOffset.UtcNow, EventMetadata.Empty);
}

/// <summary>
/// One registered event type: its CLR type, stable name, schema version and generated JSON reader and writer.
/// The EventSourcery generator creates one per concrete event record; nothing here uses reflection.
/// </summary>
public sealed class EventType
{
    private readonly EventPayloadWriter _write;
    private readonly EventPayloadReader _read;
    private readonly Dictionary<int, EventVersion>? _older;
    private readonly Func<JsonSerializerOptions, JsonTypeInfo>? _jsonTypeInfo;

    /// <summary>Describes an event type (normally called by generated code only).</summary>
    public EventType(Type type, string name, int schemaVersion, EventPayloadWriter write, EventPayloadReader read)
        : this(type, name, schemaVersion, write, read, [])
    {
    }

    /// <summary>
    /// Describes an event type with the older versions it reads (normally called by generated code only, from the
    /// <see cref="UpcasterAttribute"/> steps of the type).
    /// </summary>
    /// <exception cref="ArgumentException">An older version is not below <paramref name="schemaVersion"/>, or two share a version.</exception>
    public EventType(Type type, string name, int schemaVersion, EventPayloadWriter write, EventPayloadReader read, IReadOnlyList<EventVersion> olderVersions)
        : this(type, name, schemaVersion, write, read, olderVersions, jsonTypeInfo: null)
    {
    }

    private EventType(Type type, string name, int schemaVersion, EventPayloadWriter write, EventPayloadReader read, IReadOnlyList<EventVersion> olderVersions, Func<JsonSerializerOptions, JsonTypeInfo>? jsonTypeInfo)
    {
        _jsonTypeInfo = jsonTypeInfo;
        ArgumentNullException.ThrowIfNull(olderVersions);
        ArgumentNullException.ThrowIfNull(type);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(schemaVersion, 1);
        Type = type;
        Name = name;
        SchemaVersion = schemaVersion;
        _write = write ?? throw new ArgumentNullException(nameof(write));
        _read = read ?? throw new ArgumentNullException(nameof(read));
        OlderVersions = olderVersions;
        if (olderVersions.Count > 0)
        {
            _older = new Dictionary<int, EventVersion>(olderVersions.Count);
            foreach (var older in olderVersions)
            {
                ArgumentNullException.ThrowIfNull(older, nameof(olderVersions));
                if (older.SchemaVersion >= schemaVersion)
                {
                    throw new ArgumentException($"{name}: the older version {older} is not below the current version {schemaVersion}.", nameof(olderVersions));
                }

                if (!_older.TryAdd(older.SchemaVersion, older))
                {
                    throw new ArgumentException($"{name}: two readers of version {older.SchemaVersion} ({_older[older.SchemaVersion]} and {older}).", nameof(olderVersions));
                }
            }
        }
    }

    /// <summary>
    /// Describes the event type <typeparamref name="T"/> over its generated codec (normally called by generated code
    /// only): one call per event, with no adapter of its own between <see cref="Event"/> and <typeparamref name="T"/>,
    /// and with the event's System.Text.Json metadata (<see cref="CreateJsonTypeInfo"/>).
    /// </summary>
    /// <param name="name">The stable name the event is stored under.</param>
    /// <param name="schemaVersion">The version of its current shape, 1 or more.</param>
    /// <param name="write">Writes the event's own properties as one JSON object.</param>
    /// <param name="read">Reads the event from a JSON object.</param>
    /// <param name="olderVersions">The older versions it reads, through its upcasters; null for none.</param>
    /// <param name="personalData">Its personal data and their subject; null for none.</param>
    /// <exception cref="ArgumentException">An older version is not below <paramref name="schemaVersion"/>, or two share a version.</exception>
    public static EventType Create<T>(string name, int schemaVersion, JsonValueWriter<T> write, EventPayloadReader read, IReadOnlyList<EventVersion>? olderVersions = null, PersonalDataShape? personalData = null)
        where T : Event
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(read);
        EventPayloadWriter writeEvent = (writer, @event) => write(writer, (T)@event);
        return new EventType(typeof(T), name, schemaVersion, writeEvent, read, olderVersions ?? [], options => JsonMetadataServices.CreateValueInfo<T>(options, new EventCodecJsonConverter<T>(writeEvent, read)))
        {
            PersonalData = personalData,
        };
    }

    /// <summary>
    /// New System.Text.Json metadata of the event type over its codec, for <paramref name="options"/>: the JSON is the
    /// payload the store keeps (personal data in plain text). Null for a type described by a constructor, which does
    /// not know the type at compile time; <see cref="Create{T}"/> does.
    /// </summary>
    public JsonTypeInfo? CreateJsonTypeInfo(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return _jsonTypeInfo?.Invoke(options);
    }

    /// <summary>The event's CLR type.</summary>
    public Type Type { get; }

    /// <summary>The stable name stored with each event of this type.</summary>
    public string Name { get; }

    /// <summary>The schema version stored with each event of this type.</summary>
    public int SchemaVersion { get; }

    /// <summary>
    /// The type's personal data (its <see cref="PersonalData.PersonalDataAttribute"/> properties and their subject), or
    /// null when it has none. Set by generated code.
    /// </summary>
    public Serialization.PersonalDataShape? PersonalData { get; init; }

    /// <summary>Writes the event's own properties as a JSON object (personal data in plain text: see <see cref="Serialization.PersonalDataCipher.Plain"/>).</summary>
    public void WritePayload(Utf8JsonWriter writer, Event @event) => _write(writer, @event);

    /// <summary>Writes the event's own properties as a JSON object, its personal data through <paramref name="cipher"/>.</summary>
    internal void WritePayload(Utf8JsonWriter writer, Event @event, Serialization.PersonalDataCipher? cipher)
    {
        if (cipher is not null && PersonalData is { } personal)
        {
            personal.Write(writer, @event, cipher);
        }
        else
        {
            _write(writer, @event);
        }
    }

    /// <summary>Reads an event of this type from a JSON object, completing it with <paramref name="header"/>.</summary>
    /// <exception cref="JsonException">The JSON is malformed or does not fit the type.</exception>
    public Event ReadPayload(ReadOnlySpan<byte> utf8Json, in EventHeader header) => ReadPayload(utf8Json, header, cipher: null);

    private Event ReadPayload(ReadOnlySpan<byte> utf8Json, in EventHeader header, Serialization.PersonalDataCipher? cipher)
    {
        var reader = new Utf8JsonReader(utf8Json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"The payload of a {Name} event must be a JSON object.");
        }

        var result = cipher is not null && PersonalData is { } personal
            ? Event.Restore(personal.Read, ref reader, header, cipher)
            : Event.Restore(_read, ref reader, header);
        if (reader.Read())
        {
            throw new JsonException($"The payload of a {Name} event has data after its end.");
        }

        return result;
    }

    /// <summary>The older stored versions this type reads, each through its upcasters; empty when there are none.</summary>
    public IReadOnlyList<EventVersion> OlderVersions { get; }

    /// <summary>
    /// Reads an event stored with <paramref name="schemaVersion"/> as this type: through the older version's upcasters
    /// when one is registered for it (JSON steps first, then the typed shape and its steps), with the stored id,
    /// creation time and metadata; otherwise as <see cref="ReadPayload(ReadOnlySpan{byte}, in EventHeader)"/> does
    /// (the current version, or one whose change needed no upcaster).
    /// </summary>
    /// <exception cref="JsonException">The JSON is malformed or does not fit the version's shape.</exception>
    /// <exception cref="EventUpcastException">An upcaster failed.</exception>
    public Event ReadPayload(ReadOnlySpan<byte> utf8Json, int schemaVersion, in EventHeader header) => ReadPayload(utf8Json, schemaVersion, header, cipher: null);

    /// <summary>
    /// Reads like <see cref="ReadPayload(ReadOnlySpan{byte}, int, in EventHeader)"/>, the current version's personal
    /// data through <paramref name="cipher"/> (older typed versions read theirs in plain text).
    /// </summary>
    internal Event ReadPayload(ReadOnlySpan<byte> utf8Json, int schemaVersion, in EventHeader header, Serialization.PersonalDataCipher? cipher)
    {
        if (_older is null || schemaVersion == SchemaVersion || !_older.TryGetValue(schemaVersion, out var older))
        {
            return ReadPayload(utf8Json, header, cipher);
        }

        if (!older.IsJsonStep)
        {
            return ReadOlder(older, utf8Json, header);
        }

        var payload = JsonNode.Parse(utf8Json) as JsonObject ?? throw new JsonException($"The payload of a {older.Name} v{schemaVersion} event must be a JSON object.");
        var version = schemaVersion;
        while (_older.TryGetValue(version, out var step) && step.IsJsonStep)
        {
            try
            {
                payload = step.Step(payload) ?? throw new InvalidOperationException("it returned null.");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new EventUpcastException(step, ex);
            }

            version++;
        }

        var buffer = new ArrayBufferWriter<byte>(utf8Json.Length + 64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            payload.WriteTo(writer);
        }

        return version != SchemaVersion && _older.TryGetValue(version, out var typed)
            ? ReadOlder(typed, buffer.WrittenSpan, header)
            : ReadPayload(buffer.WrittenSpan, header, cipher);
    }

    /// <summary>A typed older version through its chain, completed with the stored header.</summary>
    private static Event ReadOlder(EventVersion older, ReadOnlySpan<byte> utf8Json, in EventHeader header)
    {
        var reader = new Utf8JsonReader(utf8Json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"The payload of a {older.Name} v{older.SchemaVersion} event must be a JSON object.");
        }

        Event result;
        try
        {
            result = older.Read(ref reader, header);
        }
        catch (Exception ex) when (ex is not (JsonException or OperationCanceledException))
        {
            throw new EventUpcastException(older, ex);
        }

        if (reader.Read())
        {
            throw new JsonException($"The payload of a {older.Name} v{older.SchemaVersion} event has data after its end.");
        }

        return result with { Id = header.Id, CreatedAt = header.CreatedAt, Metadata = header.Metadata };
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} (v{SchemaVersion}, {Type.FullName})";
}
