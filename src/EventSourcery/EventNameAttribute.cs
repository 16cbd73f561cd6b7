namespace EventSourcery;

/// <summary>
/// Gives an event type a stable stored name (and schema version) that survives renaming or moving the type.
/// Without it the stored name is the type's simple name.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
public sealed class EventNameAttribute : Attribute
{
    /// <summary>Names the event type.</summary>
    /// <param name="name">The stable name stored with every event of this type, e.g. <c>"sprint_started"</c>.</param>
    public EventNameAttribute(string name) => Name = name;

    /// <summary>The stable name stored with every event of this type.</summary>
    public string Name { get; }

    /// <summary>The schema version stored with every event of this type (1 unless set); raise it when the payload's shape changes.</summary>
    public int Version { get; init; } = 1;
}
