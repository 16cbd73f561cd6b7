using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace EventSourcery.Serialization;

/// <summary>
/// System.Text.Json metadata for <see cref="Event"/> (any registered event, written with its stable name as
/// <c>"$type"</c> before its own properties), each registered event's own type (its payload, as the store keeps it),
/// <see cref="RecordedEvent"/> (its position in the store and its event) and
/// the lists and arrays of both, through the generated codecs of <see cref="EventRegistry"/>: no reflection, so an
/// ASP.NET Core endpoint returns <c>Results.Ok(events)</c> with every event's own data under NativeAOT. Each
/// generated <c>EventJsonContext_&lt;Assembly&gt;</c> falls back to <see cref="Default"/>.
/// </summary>
public sealed class EventJsonTypeInfoResolver : IJsonTypeInfoResolver
{
    /// <summary>The resolver over <see cref="EventRegistry.Default"/>.</summary>
    public static EventJsonTypeInfoResolver Default { get; } = new(registry: null);

    private readonly EventRegistry? _registry;

    /// <summary>A resolver over <paramref name="registry"/> (null: <see cref="EventRegistry.Default"/>, looked up when used).</summary>
    public EventJsonTypeInfoResolver(EventRegistry? registry) => _registry = registry;

    private EventRegistry Registry => _registry ?? EventRegistry.Default;

    /// <inheritdoc />
    public JsonTypeInfo? GetTypeInfo(Type type, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(options);
        if (type == typeof(Event))
        {
            return Value(options, new EventConverter(this));
        }

        if (type == typeof(RecordedEvent))
        {
            return Value(options, new RecordedEventConverter(this));
        }

        // A registered event's own type: its payload, as its codec writes it.
        if (Registry.TryGetByType(type, out var eventType) && eventType.CreateJsonTypeInfo(options) is { } info)
        {
            info.OriginatingResolver = this;
            return info;
        }

        return ListOf<Event>(type, options, new EventConverter(this)) ?? ListOf<RecordedEvent>(type, options, new RecordedEventConverter(this));
    }

    private JsonTypeInfo<T> Value<T>(JsonSerializerOptions options, JsonConverter<T> converter)
    {
        var info = JsonMetadataServices.CreateValueInfo<T>(options, converter);
        info.OriginatingResolver = this;
        return info;
    }

    /// <summary>A <c>List&lt;T&gt;</c>, <c>T[]</c>, <c>IReadOnlyList&lt;T&gt;</c>, <c>IReadOnlyCollection&lt;T&gt;</c>, <c>IList&lt;T&gt;</c> or <c>IEnumerable&lt;T&gt;</c> of <typeparamref name="T"/>, or null for another type.</summary>
    private JsonTypeInfo? ListOf<T>(Type type, JsonSerializerOptions options, JsonConverter<T> item)
        => type == typeof(List<T>) ? Value(options, new ListConverter<List<T>, T>(item, static list => list))
        : type == typeof(T[]) ? Value(options, new ListConverter<T[], T>(item, static list => [.. list]))
        : type == typeof(IReadOnlyList<T>) ? Value(options, new ListConverter<IReadOnlyList<T>, T>(item, static list => list))
        : type == typeof(IReadOnlyCollection<T>) ? Value(options, new ListConverter<IReadOnlyCollection<T>, T>(item, static list => list))
        : type == typeof(IList<T>) ? Value(options, new ListConverter<IList<T>, T>(item, static list => list))
        : type == typeof(IEnumerable<T>) ? Value(options, new ListConverter<IEnumerable<T>, T>(item, static list => list))
        : null;

    /// <summary>An event as <c>{"$type":"TurnedOn", …its payload's properties}</c>.</summary>
    private sealed class EventConverter(EventJsonTypeInfoResolver resolver) : JsonConverter<Event>
    {
        public override Event? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return null;
            }

            // The object's bytes, read once to find "$type" wherever it is, then read by the type's codec (which skips it).
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("$type"u8, out var name) || name.ValueKind != JsonValueKind.String)
            {
                throw new JsonException("An event's JSON names its type as \"$type\", its stable name.");
            }

            var typeName = name.GetString()!;
            if (!resolver.Registry.TryGetByName(typeName, out var eventType))
            {
                throw new JsonException($"No registered event type has the name '{typeName}'.");
            }

            return eventType.ReadPayload(System.Text.Encoding.UTF8.GetBytes(document.RootElement.GetRawText()), EventHeader.New());
        }

        public override void Write(Utf8JsonWriter writer, Event value, JsonSerializerOptions options)
        {
            var type = resolver.Registry.Get(value);
            var payload = new ArrayBufferWriter<byte>(256);
            using (var payloadWriter = new Utf8JsonWriter(payload))
            {
                type.WritePayload(payloadWriter, value);
            }

            // {"$type":"Name", then the payload's own properties: its bytes after its opening brace.
            var name = JsonEncodedText.Encode(type.Name);
            var written = payload.WrittenSpan;
            var json = new ArrayBufferWriter<byte>(written.Length + name.EncodedUtf8Bytes.Length + 12);
            json.Write("{\"$type\":\""u8);
            json.Write(name.EncodedUtf8Bytes);
            json.Write(written.Length > 2 ? "\","u8 : "\""u8);
            json.Write(written[1..]);
            writer.WriteRawValue(json.WrittenSpan, skipInputValidation: true);
        }
    }

    /// <summary>
    /// A recorded event as <c>{"streamId":…,"category":…,"streamName":…,"version":…,"position":…,"eventName":…,
    /// "schemaVersion":…,"recordedAt":…,"tenantId":…,"eventId":…,"createdAt":…,"event":{…}}</c>.
    /// </summary>
    private sealed class RecordedEventConverter(EventJsonTypeInfoResolver resolver) : JsonConverter<RecordedEvent>
    {
        private readonly EventConverter _events = new(resolver);

        public override RecordedEvent? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return null;
            }

            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            var streamGuid = root.GetProperty("streamId"u8).GetGuid();
            var category = root.TryGetProperty("category"u8, out var c) ? c.GetString() : null;
            var streamName = root.TryGetProperty("streamName"u8, out var n) ? n.GetString() : null;
            var streamId = streamName is not null && StreamId.FromName(streamName, category) is var named && named.Value == streamGuid ? named : new StreamId(streamGuid, category);
            var eventReader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(root.GetProperty("event"u8).GetRawText()));
            eventReader.Read();
            var @event = _events.Read(ref eventReader, typeof(Event), options)!;
            if (root.TryGetProperty("eventId"u8, out var eventId) && root.TryGetProperty("createdAt"u8, out var createdAt))
            {
                @event = @event with { Id = eventId.GetGuid(), CreatedAt = createdAt.GetDateTimeOffset() };
            }

            return new RecordedEvent(
                streamId,
                root.GetProperty("version"u8).GetInt64(),
                root.GetProperty("position"u8).GetInt64(),
                @event,
                root.GetProperty("eventName"u8).GetString()!,
                root.GetProperty("schemaVersion"u8).GetInt32(),
                root.GetProperty("recordedAt"u8).GetDateTimeOffset(),
                root.TryGetProperty("tenantId"u8, out var tenant) ? tenant.GetString() : null);
        }

        public override void Write(Utf8JsonWriter writer, RecordedEvent value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteString("streamId"u8, value.StreamId.Value);
            WriteIfSet(writer, "category"u8, value.StreamId.Category);
            WriteIfSet(writer, "streamName"u8, value.StreamId.Name);
            writer.WriteNumber("version"u8, value.Version);
            writer.WriteNumber("position"u8, value.Position);
            writer.WriteString("eventName"u8, value.EventName);
            writer.WriteNumber("schemaVersion"u8, value.SchemaVersion);
            writer.WriteString("recordedAt"u8, value.RecordedAt);
            WriteIfSet(writer, "tenantId"u8, value.TenantId);
            writer.WriteString("eventId"u8, value.Event.Id);
            writer.WriteString("createdAt"u8, value.Event.CreatedAt);
            writer.WritePropertyName("event"u8);
            _events.Write(writer, value.Event, options);
            writer.WriteEndObject();
        }

        private static void WriteIfSet(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
        {
            if (value is not null)
            {
                writer.WriteString(name, value);
            }
        }
    }

    /// <summary>A JSON array of <typeparamref name="T"/>, read into a list that <paramref name="create"/> turns into <typeparamref name="TList"/>.</summary>
    private sealed class ListConverter<TList, T>(JsonConverter<T> item, Func<List<T>, TList> create) : JsonConverter<TList>
        where TList : IEnumerable<T>
    {
        public override TList? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return default;
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw new JsonException($"Expected a JSON array of {typeof(T).Name}, found {reader.TokenType}.");
            }

            var items = new List<T>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                items.Add(item.Read(ref reader, typeof(T), options)!);
            }

            return create(items);
        }

        public override void Write(Utf8JsonWriter writer, TList value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (var element in value)
            {
                if (element is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    item.Write(writer, element, options);
                }
            }

            writer.WriteEndArray();
        }
    }
}
