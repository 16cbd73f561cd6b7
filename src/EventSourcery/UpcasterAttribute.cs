namespace EventSourcery;

/// <summary>
/// Marks a static method that reads a stored older version of an event as the next version, so that events stored
/// before a change to their shape keep reading. The generator chains the steps of one event (v1 → v2 → … → current)
/// and registers them; stored rows are never rewritten, and every read path returns only current versions.
/// </summary>
/// <remarks>
/// <para>
/// A <b>typed step</b> (<c>[Upcaster]</c>) takes the old shape and returns the next: <c>static OrderPlaced
/// Upcast(OrderPlacedV1 old)</c>. The old shape is a record kept for reading only, named with the stored name and
/// version it had: <c>[EventName("order_placed", Version = 1)]</c>. It may derive from <see cref="Event"/> (a copy of
/// the old class) or not; either way it is not registered as an event of its own. The step's id, creation time and
/// metadata are the stored event's, whatever the method sets.
/// </para>
/// <para>
/// A <b>JSON step</b> (<c>[Upcaster(typeof(OrderPlaced), fromVersion: 1)]</c>) rewrites the stored payload of one
/// version as the next, for a shape that no longer exists as a type: <c>static JsonObject V1ToV2(JsonObject
/// payload)</c>. JSON steps run first; the chain goes on with the typed shape (or the current event) at the version they
/// reach.
/// </para>
/// </remarks>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class UpcasterAttribute : Attribute
{
    /// <summary>Marks a typed step: the method's parameter is the old shape, its return type the next.</summary>
    public UpcasterAttribute()
    {
    }

    /// <summary>Marks a JSON step of <paramref name="eventType"/> from <paramref name="fromVersion"/> to the version after it.</summary>
    /// <param name="eventType">The current event type whose stored payloads the step rewrites.</param>
    /// <param name="fromVersion">The schema version the step reads; it returns the payload of <c>fromVersion + 1</c>.</param>
    public UpcasterAttribute(Type eventType, int fromVersion)
    {
        EventType = eventType;
        FromVersion = fromVersion;
    }

    /// <summary>For a JSON step, the current event type; null for a typed step.</summary>
    public Type? EventType { get; }

    /// <summary>For a JSON step, the schema version it reads; 0 for a typed step.</summary>
    public int FromVersion { get; }

    /// <summary>
    /// For a JSON step, the name the event was stored under at <see cref="FromVersion"/> when it differs from the
    /// current one (the type was renamed and its stored name changed with it); null for the current name.
    /// </summary>
    public string? Name { get; init; }
}
