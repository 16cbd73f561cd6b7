using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EventSourcery.Serialization;

/// <summary>Reads a value from JSON, the reader on its first token (a generated codec's reader).</summary>
public delegate T JsonValueReader<out T>(ref Utf8JsonReader reader);

/// <summary>
/// A System.Text.Json converter over a generated codec of a record, class, struct or enum. Created by the generated
/// <c>EventJsonContext_&lt;Assembly&gt;</c>; not meant for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class CodecJsonConverter<T>(JsonValueWriter<T> write, JsonValueReader<T> read) : JsonConverter<T>
{
    private readonly JsonValueWriter<T> _write = write ?? throw new ArgumentNullException(nameof(write));
    private readonly JsonValueReader<T> _read = read ?? throw new ArgumentNullException(nameof(read));

    /// <inheritdoc />
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => _read(ref reader);

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => _write(writer, value);
}

/// <summary>
/// A System.Text.Json converter over a generated event codec: the JSON is the payload the store keeps (personal data in
/// plain text); an event read from it is new (<see cref="EventHeader.New"/>). Created by
/// <see cref="EventType.CreateJsonTypeInfo"/> for a type registered through <see cref="EventType.Create{T}"/>; not meant
/// for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class EventCodecJsonConverter<T>(EventPayloadWriter write, EventPayloadReader read) : JsonConverter<T>
    where T : Event
{
    private readonly EventPayloadWriter _write = write ?? throw new ArgumentNullException(nameof(write));
    private readonly EventPayloadReader _read = read ?? throw new ArgumentNullException(nameof(read));

    /// <inheritdoc />
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => (T)_read(ref reader, EventHeader.New());

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => _write(writer, value);
}
