using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;

namespace EventSourcery.Serialization;

/// <summary>
/// Looks up event types by stable name and by CLR type, both ways, without reflection or assembly scanning.
/// </summary>
/// <remarks>
/// Each assembly that references EventSourcery gets a generated module initializer that registers its event types
/// (and those of referenced assemblies that were generated too) with <see cref="Register"/>; <see cref="Default"/>
/// is the union of everything registered. The union does not depend on load order, and two types claiming one name
/// fail with <see cref="DuplicateEventNameException"/> instead of one silently replacing the other.
/// </remarks>
public sealed class EventRegistry
{
    private static readonly Lock RegistrationLock = new();
    private static readonly List<EventType> Registered = [];
    private static EventRegistry? _default;

    private readonly Dictionary<string, EventType> _byName;
    private readonly Dictionary<Type, EventType> _byType;

    /// <summary>Creates a registry of exactly <paramref name="eventTypes"/>.</summary>
    /// <exception cref="DuplicateEventNameException">Two different types share one name.</exception>
    public EventRegistry(IEnumerable<EventType> eventTypes)
    {
        ArgumentNullException.ThrowIfNull(eventTypes);
        _byName = new Dictionary<string, EventType>(StringComparer.Ordinal);
        _byType = [];
        foreach (var eventType in eventTypes)
        {
            if (_byType.ContainsKey(eventType.Type))
            {
                continue; // the same type registered by its own assembly and by one that references it
            }

            // Its current name, then the names older versions were stored under (an old name may be its current one).
            AddName(eventType.Name, eventType);
            foreach (var older in eventType.OlderVersions)
            {
                if (!_byName.TryGetValue(older.Name, out var owner) || owner != eventType)
                {
                    AddName(older.Name, eventType);
                }
            }

            _byType.Add(eventType.Type, eventType);
            HasPersonalData |= eventType.PersonalData is not null;
        }
    }

    /// <summary>Whether any registered type has personal data: when none has, appends look up no keys.</summary>
    public bool HasPersonalData { get; }

    private void AddName(string name, EventType eventType)
    {
        if (_byName.TryGetValue(name, out var existing))
        {
            throw new DuplicateEventNameException(name, existing.Type, eventType.Type);
        }

        _byName.Add(name, eventType);
    }

    /// <summary>Every event type registered by generated code in the assemblies loaded so far.</summary>
    /// <exception cref="DuplicateEventNameException">Two assemblies registered different types under one name.</exception>
    public static EventRegistry Default
    {
        get
        {
            var current = Volatile.Read(ref _default);
            if (current is not null)
            {
                return current;
            }

            lock (RegistrationLock)
            {
                return _default ??= new EventRegistry(Registered);
            }
        }
    }

    /// <summary>The registered event types.</summary>
    public IReadOnlyCollection<EventType> EventTypes => _byType.Values;

    /// <summary>Adds event types to <see cref="Default"/>. Called by generated module initializers.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void Register(IEnumerable<EventType> eventTypes)
    {
        ArgumentNullException.ThrowIfNull(eventTypes);
        lock (RegistrationLock)
        {
            Registered.AddRange(eventTypes);
            _default = null;
        }
    }

    /// <summary>
    /// Finds the event type stored under <paramref name="name"/>: its current name, or a name one of its older versions
    /// was stored under (<see cref="EventType.OlderVersions"/>).
    /// </summary>
    public bool TryGetByName(string name, [NotNullWhen(true)] out EventType? eventType)
        => _byName.TryGetValue(name, out eventType);

    /// <summary>Finds the registration of <paramref name="type"/>.</summary>
    public bool TryGetByType(Type type, [NotNullWhen(true)] out EventType? eventType)
    {
        ArgumentNullException.ThrowIfNull(type);
        return _byType.TryGetValue(type, out eventType);
    }

    /// <summary>The registration of <paramref name="type"/>.</summary>
    /// <exception cref="UnknownEventTypeException">The type has no registration.</exception>
    public EventType GetByType(Type type)
        => _byType.TryGetValue(type, out var eventType) ? eventType : throw new UnknownEventTypeException(type);

    /// <summary>The registration of <paramref name="event"/>'s runtime type.</summary>
    /// <exception cref="UnknownEventTypeException">The type has no registration.</exception>
    public EventType Get(Event @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        return GetByType(@event.GetType());
    }
}
