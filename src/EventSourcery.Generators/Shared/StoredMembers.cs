using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace EventSourcery.Shapes;

// This file is compiled into both the generator and the analyzer (linked from
// analyzers/EventSourcery.Analyzers/EventSourcery.Analyzers.csproj), so the code that is generated and the errors that
// are reported come from one rule and cannot disagree. The rule is docs/decisions/0007-stored-member-shapes.md:
// every instance member of an event, a snapshot or a type they hold that holds state is stored, or refused (ES0010).

/// <summary>A member that holds state but would not be stored, and why (a sentence fragment for ES0010 and #error).</summary>
internal readonly struct UnstoredMember
{
    public UnstoredMember(ISymbol member, string kind, string reason)
    {
        Member = member;
        Kind = kind;
        Reason = reason;
    }

    /// <summary>The field or property.</summary>
    public ISymbol Member { get; }

    /// <summary>"field" or "property".</summary>
    public string Kind { get; }

    /// <summary>Why it would not be stored, and what to do instead.</summary>
    public string Reason { get; }
}

/// <summary>Which members of a serialized type are written and read back, and which hold state that would be lost.</summary>
internal static partial class StoredMembers
{
    public const string EventMetadataName = "EventSourcery.Event";
    public const string JsonIgnoreAttribute = "System.Text.Json.Serialization.JsonIgnoreAttribute";

    public const string JsonPropertyNameAttribute = "System.Text.Json.Serialization.JsonPropertyNameAttribute";

    /// <summary>The name a property has in the stored JSON: its <c>[JsonPropertyName]</c>, else its name in camelCase.</summary>
    public static string JsonName(IPropertySymbol property)
    {
        foreach (var attribute in property.GetAttributes())
        {
            if (attribute.AttributeClass is { ContainingType: null } attributeClass && HasMetadataName(attributeClass, JsonPropertyNameAttribute)
                && attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string { Length: > 0 } name)
            {
                return name;
            }
        }

        var clrName = property.Name;
        if (!char.IsUpper(clrName[0]))
        {
            return clrName;
        }

        var camel = clrName.ToCharArray();
        camel[0] = char.ToLowerInvariant(camel[0]);
        return new string(camel);
    }

    /// <summary>
    /// The properties the generated codec writes, most derived first, one per name: instance, not an indexer, with a
    /// getter that generated code in <paramref name="assembly"/> can call, not <c>[JsonIgnore]</c>d.
    /// </summary>
    public static List<IPropertySymbol> SerializedProperties(INamedTypeSymbol type, IAssemblySymbol assembly)
        => SerializedProperties(type, assembly, type.GetMembers());

    /// <summary><see cref="SerializedProperties(INamedTypeSymbol, IAssemblySymbol)"/> given the type's own <paramref name="members"/>.</summary>
    public static List<IPropertySymbol> SerializedProperties(INamedTypeSymbol type, IAssemblySymbol assembly, ImmutableArray<ISymbol> members)
    {
        var properties = new List<IPropertySymbol>();
        HashSet<string>? seen = null; // the names one type declares are distinct: needed from its first base type on
        var isBase = false;
        for (var current = type; current is not null && !IsStopType(current); current = current.BaseType, isBase = true)
        {
            if (isBase && seen is null)
            {
                seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in properties)
                {
                    seen.Add(property.Name);
                }
            }

            foreach (var member in isBase ? current.GetMembers() : members)
            {
                if (member is IPropertySymbol property && IsSerialized(property, assembly) && (seen is null || seen.Add(property.Name)))
                {
                    properties.Add(property);
                }
            }
        }

        return properties;
    }

    /// <summary>True when the generated codec writes <paramref name="property"/> (see <see cref="SerializedProperties(INamedTypeSymbol, IAssemblySymbol)"/>).</summary>
    public static bool IsSerialized(IPropertySymbol property, IAssemblySymbol assembly)
        => !property.IsStatic
           && !property.IsIndexer
           && property.GetMethod is { } getter
           && IsAccessible(property, assembly)
           && IsAccessible(getter, assembly)
           && !IsIgnored(property);

    /// <summary>
    /// True when the reader sets <paramref name="property"/> through an <c>[UnsafeAccessor]</c> to its setter: it has a
    /// <c>set</c> or <c>init</c> accessor that generated code in <paramref name="assembly"/> cannot call directly.
    /// </summary>
    public static bool NeedsSetterAccessor(IPropertySymbol property, IAssemblySymbol assembly)
        => property.SetMethod is { } setter && !IsAccessible(setter, assembly);

    /// <summary>
    /// Every member of <paramref name="type"/> (and its bases, up to <c>Event</c>) that holds state the generated code
    /// would not store, in declaration order, most derived first.
    /// </summary>
    public static List<UnstoredMember> FindUnstored(INamedTypeSymbol type, IAssemblySymbol assembly)
    {
        var members = type.GetMembers();
        var properties = SerializedProperties(type, assembly, members);
        return FindUnstored(type, assembly, members, properties, ChooseConstructor(type, type.InstanceConstructors, properties, assembly));
    }

    /// <summary>
    /// <see cref="FindUnstored(INamedTypeSymbol, IAssemblySymbol)"/> given the type's <see cref="SerializedProperties(INamedTypeSymbol, IAssemblySymbol)"/> and the
    /// constructor <see cref="ChooseConstructor(INamedTypeSymbol, IReadOnlyCollection{string}, IAssemblySymbol)"/> picks for all of their names, when the caller has them already
    /// (and the type's own <paramref name="ownMembers"/>).
    /// </summary>
    public static List<UnstoredMember> FindUnstored(
        INamedTypeSymbol type, IAssemblySymbol assembly, ImmutableArray<ISymbol> ownMembers, List<IPropertySymbol> properties, IMethodSymbol? constructor)
    {
        List<UnstoredMember>? unstored = null;

        // One member per name, the first: within the type itself only a duplicate declaration (a compile error) repeats
        // a name, so that is checked for a member about to be reported; from its first base type on, a set of names.
        HashSet<string>? seen = null;
        var isBase = false;
        for (var current = type; current is not null && !IsStopType(current); current = current.BaseType, isBase = true)
        {
            var members = isBase ? current.GetMembers() : ownMembers;
            if (isBase && seen is null)
            {
                seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var member in ownMembers)
                {
                    _ = member.IsStatic || member.IsImplicitlyDeclared || seen.Add(member.Name);
                }
            }

            for (var i = 0; i < members.Length; i++)
            {
                var member = members[i];
                if (member.IsStatic || member.IsImplicitlyDeclared || (seen is not null && !seen.Add(member.Name)) || IsIgnored(member))
                {
                    continue;
                }

                var reason = member switch
                {
                    IFieldSymbol field => WhyFieldIsNotStored(field, properties, constructor),
                    IPropertySymbol property => WhyPropertyIsNotStored(property, constructor, assembly),
                    _ => null,
                };
                if (reason is not null && (seen is not null || !IsNamedEarlier(members, i)))
                {
                    (unstored ??= []).Add(new UnstoredMember(member, member is IFieldSymbol ? "field" : "property", reason));
                }
            }
        }

        return unstored ?? [];
    }

    private static bool IsNamedEarlier(ImmutableArray<ISymbol> members, int index)
    {
        for (var i = 0; i < index; i++)
        {
            if (!members[i].IsStatic && !members[i].IsImplicitlyDeclared && members[i].Name == members[index].Name)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The names of <paramref name="properties"/>, in order.</summary>
    public static List<string> NamesOf(List<IPropertySymbol> properties)
    {
        var names = new List<string>(properties.Count);
        foreach (var property in properties)
        {
            names.Add(property.Name);
        }

        return names;
    }


    /// <summary>The type, then its base types, stopping before <c>object</c>, <c>ValueType</c> and <c>Event</c>.</summary>
    public static IEnumerable<INamedTypeSymbol> TypeAndBases(INamedTypeSymbol type)
    {
        for (var current = type; current is not null && !IsStopType(current); current = current.BaseType)
        {
            yield return current;
        }
    }

    /// <summary>True for <c>object</c>, <c>ValueType</c> and <c>EventSourcery.Event</c> (its members are stored as columns).</summary>
    public static bool IsStopType(INamedTypeSymbol type)
        => type.SpecialType is SpecialType.System_Object or SpecialType.System_ValueType || HasMetadataName(type, EventMetadataName);


    /// <summary>True for an auto-property or a <c>field</c>-backed property: one the compiler gave a backing field.</summary>
    public static bool HasBackingField(IPropertySymbol property)
    {
        foreach (var member in property.ContainingType.GetMembers())
        {
            if (member is IFieldSymbol field && SymbolEqualityComparer.Default.Equals(field.AssociatedSymbol, property))
            {
                return true;
            }
        }

        return false;
    }

    public static bool IsAccessible(ISymbol symbol, IAssemblySymbol assembly) => symbol.DeclaredAccessibility switch
    {
        Accessibility.Public => true,
        Accessibility.Internal or Accessibility.ProtectedOrInternal => SymbolEqualityComparer.Default.Equals(symbol.ContainingAssembly, assembly),
        _ => false,
    };

    /// <summary>
    /// True when <paramref name="field"/> is the storage behind a stored property of its type: one the reader sets (a
    /// set/init accessor, or a constructor parameter of its name) whose accessors name the field, as in
    /// <c>public int Count { get => _count; init => _count = value; }</c>. The property's value is stored, and
    /// setting it on reading restores the field.
    /// </summary>
    public static bool IsBehindStoredProperty(IFieldSymbol field, IEnumerable<IPropertySymbol> properties, IMethodSymbol? constructor)
    {
        foreach (var property in properties)
        {
            if (!SymbolEqualityComparer.Default.Equals(property.ContainingType, field.ContainingType)
                || (property.SetMethod is null && ParameterFor(constructor, property) is null))
            {
                continue;
            }

            foreach (var reference in property.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax().DescendantNodes().OfType<IdentifierNameSyntax>().Any(n => n.Identifier.ValueText == field.Name))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary><see cref="IsBehindStoredProperty(IFieldSymbol, IEnumerable{IPropertySymbol}, IMethodSymbol?)"/> for a field alone.</summary>
    public static bool IsBehindStoredProperty(IFieldSymbol field, IAssemblySymbol assembly)
    {
        var properties = SerializedProperties(field.ContainingType, assembly);
        var constructor = ChooseConstructor(field.ContainingType, NamesOf(properties), assembly);
        return IsBehindStoredProperty(field, properties, constructor);
    }

    private static string? WhyFieldIsNotStored(IFieldSymbol field, List<IPropertySymbol> properties, IMethodSymbol? constructor)
    {
        if (field.IsConst || field.AssociatedSymbol is not null || IsBehindStoredProperty(field, properties, constructor))
        {
            return null; // a constant holds no instance state; a backing field is its property's
        }

        return "only properties are stored; make it a property with an init accessor "
               + "(or mark it [JsonIgnore] if it must not be stored)";
    }

    private static string? WhyPropertyIsNotStored(IPropertySymbol property, IMethodSymbol? constructor, IAssemblySymbol assembly)
    {
        if (property.IsIndexer)
        {
            return null;
        }

        if (!IsSerialized(property, assembly))
        {
            return property.SetMethod is not null || HasBackingField(property) // holds state
                ? "its getter is not public or internal, so the generated code cannot read it; make the getter public or internal "
                  + "(or mark it [JsonIgnore] if it must not be stored)"
                : null; // computed from other members
        }

        if (property.SetMethod is not null || ParameterFor(constructor, property) is not null || !HasBackingField(property))
        {
            return null; // set by its accessor (directly or through [UnsafeAccessor]) or by the constructor, or computed
        }

        return "it is get-only and no parameter of the constructor the reader calls sets it; add an init accessor "
               + "(a private one will do) or a constructor parameter of the same name";
    }

    private static bool IsIgnored(ISymbol member)
    {
        foreach (var attribute in member.GetAttributes())
        {
            if (attribute.AttributeClass is { } attributeClass && HasMetadataName(attributeClass, JsonIgnoreAttribute))
            {
                return true;
            }
        }

        return false;
    }
}
