using System.Text.Json.Nodes;

namespace EventSourcery.Serialization;

/// <summary>
/// One older stored version of a registered event type, and how it reads: as a typed old shape turned into the current
/// event by the generated chain of <see cref="UpcasterAttribute"/> steps, or as a JSON rewrite of its payload into the
/// next version's. Created by generated code; see <see cref="EventType.OlderVersions"/>.
/// </summary>
public sealed class EventVersion
{
    private readonly EventPayloadReader? _read;
    private readonly Func<JsonObject, JsonObject>? _step;

    private EventVersion(string name, int schemaVersion, EventPayloadReader? read, Func<JsonObject, JsonObject>? step)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(schemaVersion, 1);
        Name = name;
        SchemaVersion = schemaVersion;
        _read = read;
        _step = step;
    }

    /// <summary>The name events of this version were stored under.</summary>
    public string Name { get; }

    /// <summary>The schema version stored with events of this version.</summary>
    public int SchemaVersion { get; }

    /// <summary>Whether this version is read by a JSON step (into the next version's payload) rather than as a typed shape.</summary>
    public bool IsJsonStep => _step is not null;

    /// <summary>
    /// A version read as a typed old shape: <paramref name="read"/> reads the payload (the reader on its start token,
    /// as for <see cref="EventPayloadReader"/>) and returns the current event the chain makes of it.
    /// </summary>
    public static EventVersion Typed(string name, int schemaVersion, EventPayloadReader read)
        => new(name, schemaVersion, read ?? throw new ArgumentNullException(nameof(read)), null);

    /// <summary>A version read by rewriting its payload as the next version's (<paramref name="step"/>, a JSON upcaster).</summary>
    public static EventVersion Json(string name, int schemaVersion, Func<JsonObject, JsonObject> step)
        => new(name, schemaVersion, null, step ?? throw new ArgumentNullException(nameof(step)));

    internal Event Read(ref System.Text.Json.Utf8JsonReader reader, in EventHeader header) => _read!(ref reader, header);

    internal JsonObject Step(JsonObject payload) => _step!(payload);

    /// <inheritdoc />
    public override string ToString() => $"{Name} (v{SchemaVersion}, {(IsJsonStep ? "JSON step" : "typed")})";
}
