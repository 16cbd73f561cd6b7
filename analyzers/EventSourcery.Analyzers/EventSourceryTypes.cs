using Microsoft.CodeAnalysis;

namespace EventSourcery.Analyzers;

/// <summary>
/// The runtime types the analyzers look for, resolved once per compilation. <see cref="TryCreate"/> returns null when
/// the compilation does not reference EventSourcery, and every analyzer then registers nothing.
/// </summary>
internal sealed class EventSourceryTypes
{
    private EventSourceryTypes(Compilation compilation, INamedTypeSymbol @event, INamedTypeSymbol aggregate, INamedTypeSymbol? aggregateOfT, INamedTypeSymbol? eventNameAttribute)
    {
        Compilation = compilation;
        Event = @event;
        Aggregate = aggregate;
        AggregateOfT = aggregateOfT;
        EventNameAttribute = eventNameAttribute;
        JsonIgnoreAttribute = compilation.GetTypeByMetadataName("System.Text.Json.Serialization.JsonIgnoreAttribute");
        Snapshotable = compilation.GetTypeByMetadataName("EventSourcery.ISnapshotable`1");
        DataSubjectAttribute = compilation.GetTypeByMetadataName(DataSubjectAttributeName);
        PersonalDataAttribute = compilation.GetTypeByMetadataName(PersonalDataAttributeName);
    }

    /// <summary>Metadata name of <c>[DataSubject]</c>: the event property holding whose personal data the event's is.</summary>
    public const string DataSubjectAttributeName = "EventSourcery.PersonalData.DataSubjectAttribute";

    /// <summary>Metadata name of <c>[PersonalData]</c>: an event property encrypted per data subject.</summary>
    public const string PersonalDataAttributeName = "EventSourcery.PersonalData.PersonalDataAttribute";

    /// <summary>Metadata name of <c>EventSourcery.StreamId</c>, whose name and category are stored in plain text.</summary>
    public const string StreamIdName = "EventSourcery.StreamId";

    /// <summary>Metadata name of <c>EventSourcery.IEventStore</c>, whose <c>ForTenant</c> takes a tenant id stored in plain text.</summary>
    public const string EventStoreName = "EventSourcery.IEventStore";

    /// <summary><c>EventSourcery.PersonalData.DataSubjectAttribute</c>, or null in a compilation that predates it.</summary>
    public INamedTypeSymbol? DataSubjectAttribute { get; }

    /// <summary><c>EventSourcery.PersonalData.PersonalDataAttribute</c>, or null in a compilation that predates it.</summary>
    public INamedTypeSymbol? PersonalDataAttribute { get; }

    /// <summary><c>EventSourcery.ISnapshotable&lt;TSnapshot&gt;</c> (unbound definition).</summary>
    public INamedTypeSymbol? Snapshotable { get; }

    /// <summary>The <c>ISnapshotable&lt;TSnapshot&gt;</c> an aggregate declares itself (in its own base list), or null.</summary>
    public INamedTypeSymbol? GetDeclaredSnapshotInterface(INamedTypeSymbol type)
    {
        foreach (var candidate in type.Interfaces)
        {
            if (Snapshotable is not null && SymbolEqualityComparer.Default.Equals(candidate.OriginalDefinition, Snapshotable))
            {
                return candidate;
            }
        }

        return null;
    }

    public Compilation Compilation { get; }

    /// <summary><c>EventSourcery.Event</c>.</summary>
    public INamedTypeSymbol Event { get; }

    /// <summary><c>EventSourcery.Aggregate</c>.</summary>
    public INamedTypeSymbol Aggregate { get; }

    /// <summary><c>EventSourcery.Aggregate&lt;TEvent&gt;</c> (unbound definition).</summary>
    public INamedTypeSymbol? AggregateOfT { get; }

    /// <summary><c>EventSourcery.EventNameAttribute</c>.</summary>
    public INamedTypeSymbol? EventNameAttribute { get; }

    /// <summary><c>System.Text.Json.Serialization.JsonIgnoreAttribute</c>: the generator leaves such properties out.</summary>
    public INamedTypeSymbol? JsonIgnoreAttribute { get; }

    public static EventSourceryTypes? TryCreate(Compilation compilation)
    {
        var @event = compilation.GetTypeByMetadataName("EventSourcery.Event");
        var aggregate = compilation.GetTypeByMetadataName("EventSourcery.Aggregate");
        if (@event is null || aggregate is null)
        {
            return null;
        }

        return new EventSourceryTypes(
            compilation,
            @event,
            aggregate,
            compilation.GetTypeByMetadataName("EventSourcery.Aggregate`1"),
            compilation.GetTypeByMetadataName("EventSourcery.EventNameAttribute"));
    }

    /// <summary>True for classes and records deriving, directly or not, from <c>Event</c> (not <c>Event</c> itself).</summary>
    public bool IsEvent(ITypeSymbol? type) => type is INamedTypeSymbol { TypeKind: TypeKind.Class } && DerivesFrom(type, Event);

    /// <summary>
    /// True for the events the generator registers and writes codecs for: concrete, non-generic events that generated
    /// code can name.
    /// </summary>
    public bool IsRegisteredEvent(INamedTypeSymbol type) => IsEvent(type) && !type.IsAbstract && !type.IsGenericType && IsReachableFromAssembly(type);

    /// <summary>True for <c>Event</c> itself and for every type deriving from it.</summary>
    public bool IsEventOrBase(ITypeSymbol? type)
        => type is not null && (SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, Event) || IsEvent(type));

    /// <summary>True for classes deriving, directly or not, from <c>Aggregate</c> (not <c>Aggregate</c> or <c>Aggregate&lt;T&gt;</c> themselves).</summary>
    public bool IsAggregate(ITypeSymbol? type) => type is INamedTypeSymbol { TypeKind: TypeKind.Class } && DerivesFrom(type, Aggregate);

    /// <summary>The event family of an aggregate deriving from <c>Aggregate&lt;TEvent&gt;</c>, or null.</summary>
    public ITypeSymbol? GetEventFamily(INamedTypeSymbol aggregate)
    {
        if (AggregateOfT is null)
        {
            return null;
        }

        for (var current = aggregate.BaseType; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, AggregateOfT))
            {
                return current.TypeArguments.Length == 1 ? current.TypeArguments[0] : null;
            }
        }

        return null;
    }

    /// <summary>True when <paramref name="method"/> is <c>Aggregate.Emit</c> or one of <c>Aggregate&lt;TEvent&gt;.Emit</c>.</summary>
    public bool IsEmit(IMethodSymbol? method)
    {
        if (method is null || method.Name != "Emit")
        {
            return false;
        }

        var containing = method.OriginalDefinition.ContainingType?.OriginalDefinition;
        return SymbolEqualityComparer.Default.Equals(containing, Aggregate)
            || (AggregateOfT is not null && SymbolEqualityComparer.Default.Equals(containing, AggregateOfT));
    }

    /// <summary>The <c>[EventName]</c> name and version of a type, or null when it has no such attribute.</summary>
    public (string Name, int Version)? GetDeclaredName(INamedTypeSymbol type)
    {
        foreach (var attribute in type.GetAttributes())
        {
            if (EventNameAttribute is not null && SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, EventNameAttribute)
                && attribute.ConstructorArguments.Length == 1
                && attribute.ConstructorArguments[0].Value is string { Length: > 0 } name)
            {
                var version = 1;
                foreach (var argument in attribute.NamedArguments)
                {
                    if (argument.Key == "Version" && argument.Value.Value is int declared)
                    {
                        version = declared;
                    }
                }

                return (name, version);
            }
        }

        return null;
    }

    /// <summary>The event's stable name and schema version: the <c>[EventName]</c> arguments, else the type's simple name and 1.</summary>
    public (string Name, int Version) GetStoredName(INamedTypeSymbol type) => GetDeclaredName(type) ?? (type.Name, 1);

    /// <summary>The event's stable name: the <c>[EventName]</c> argument, else the type's simple name.</summary>
    public string GetStableName(INamedTypeSymbol type)
    {
        if (EventNameAttribute is not null)
        {
            foreach (var attribute in type.GetAttributes())
            {
                if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, EventNameAttribute)
                    && attribute.ConstructorArguments.Length == 1
                    && attribute.ConstructorArguments[0].Value is string name
                    && name.Length > 0)
                {
                    return name;
                }
            }
        }

        return type.Name;
    }

    /// <summary>True when <paramref name="symbol"/> has the attribute <paramref name="attributeType"/>.</summary>
    public static bool HasAttribute(ISymbol symbol, INamedTypeSymbol? attributeType)
    {
        if (attributeType is null)
        {
            return false;
        }

        foreach (var attribute in symbol.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, attributeType))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when <paramref name="type"/> is <paramref name="baseType"/> or derives from it.</summary>
    public static bool IsOrDerivesFrom(ITypeSymbol type, ITypeSymbol baseType)
        => SymbolEqualityComparer.Default.Equals(type, baseType) || DerivesFrom(type, baseType);

    /// <summary>True when a base class of <paramref name="type"/> (compared as original definitions) is <paramref name="baseType"/>.</summary>
    public static bool DerivesFrom(ITypeSymbol type, ITypeSymbol baseType)
    {
        var target = baseType.OriginalDefinition;
        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, target)
                && (SymbolEqualityComparer.Default.Equals(target, baseType) || SymbolEqualityComparer.Default.Equals(current, baseType)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when generated code at assembly level can name the type (the shared rule, <see cref="EventSourcery.Shapes.StoredMembers.IsReachableFromAssembly"/>).</summary>
    public static bool IsReachableFromAssembly(INamedTypeSymbol type) => EventSourcery.Shapes.StoredMembers.IsReachableFromAssembly(type);
}
