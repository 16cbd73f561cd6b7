using System;
using System.Collections.Generic;
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
internal static class StoredMembers
{
    public const string EventMetadataName = "EventSourcery.Event";
    public const string JsonIgnoreAttribute = "System.Text.Json.Serialization.JsonIgnoreAttribute";

    public const string JsonPropertyNameAttribute = "System.Text.Json.Serialization.JsonPropertyNameAttribute";

    /// <summary>The name a property has in the stored JSON: its <c>[JsonPropertyName]</c>, else its name in camelCase.</summary>
    public static string JsonName(IPropertySymbol property)
    {
        foreach (var attribute in property.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == JsonPropertyNameAttribute
                && attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string { Length: > 0 } name)
            {
                return name;
            }
        }

        var clrName = property.Name;
        return char.IsUpper(clrName[0]) ? char.ToLowerInvariant(clrName[0]) + clrName.Substring(1) : clrName;
    }

    /// <summary>
    /// The properties the generated codec writes, most derived first, one per name: instance, not an indexer, with a
    /// getter that generated code in <paramref name="assembly"/> can call, not <c>[JsonIgnore]</c>d.
    /// </summary>
    public static List<IPropertySymbol> SerializedProperties(INamedTypeSymbol type, IAssemblySymbol assembly)
    {
        var properties = new List<IPropertySymbol>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var current in TypeAndBases(type))
        {
            foreach (var member in current.GetMembers())
            {
                if (member is IPropertySymbol property && IsSerialized(property, assembly) && seen.Add(property.Name))
                {
                    properties.Add(property);
                }
            }
        }

        return properties;
    }

    /// <summary>True when the generated codec writes <paramref name="property"/> (see <see cref="SerializedProperties"/>).</summary>
    public static bool IsSerialized(IPropertySymbol property, IAssemblySymbol assembly)
        => !property.IsStatic
           && !property.IsIndexer
           && property.GetMethod is { } getter
           && IsAccessible(property, assembly)
           && IsAccessible(getter, assembly)
           && !IsIgnored(property);

    /// <summary>
    /// The constructor the generated reader calls: the longest accessible one whose parameters all name serialized
    /// properties, else the parameterless one, else the longest accessible one.
    /// </summary>
    public static IMethodSymbol? ChooseConstructor(INamedTypeSymbol type, IReadOnlyCollection<string> propertyNames, IAssemblySymbol assembly)
    {
        var candidates = type.InstanceConstructors
            .Where(c => IsAccessible(c, assembly) && !IsCopyConstructor(type, c))
            .ToList();
        var matching = candidates
            .Where(c => c.Parameters.Length > 0 && c.Parameters.All(p => propertyNames.Contains(p.Name, StringComparer.OrdinalIgnoreCase)))
            .OrderByDescending(c => c.Parameters.Length)
            .FirstOrDefault();
        return matching
            ?? candidates.FirstOrDefault(c => c.Parameters.Length == 0)
            ?? candidates.OrderByDescending(c => c.Parameters.Length).FirstOrDefault();
    }

    /// <summary>The parameter of <paramref name="constructor"/> that sets <paramref name="property"/>: same name (any case), same type.</summary>
    public static IParameterSymbol? ParameterFor(IMethodSymbol? constructor, IPropertySymbol property)
        => constructor?.Parameters.FirstOrDefault(p =>
            string.Equals(p.Name, property.Name, StringComparison.OrdinalIgnoreCase)
            && SymbolEqualityComparer.Default.Equals(
                p.Type.WithNullableAnnotation(NullableAnnotation.NotAnnotated),
                property.Type.WithNullableAnnotation(NullableAnnotation.NotAnnotated)));

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
        var properties = SerializedProperties(type, assembly);
        var constructor = ChooseConstructor(type, properties.Select(p => p.Name).ToList(), assembly);
        var unstored = new List<UnstoredMember>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var current in TypeAndBases(type))
        {
            foreach (var member in current.GetMembers())
            {
                if (member.IsStatic || member.IsImplicitlyDeclared || !seen.Add(member.Name) || IsIgnored(member))
                {
                    continue;
                }

                var reason = member switch
                {
                    IFieldSymbol field => WhyFieldIsNotStored(field, properties, constructor),
                    IPropertySymbol property => WhyPropertyIsNotStored(property, constructor, assembly),
                    _ => null,
                };
                if (reason is not null)
                {
                    unstored.Add(new UnstoredMember(member, member is IFieldSymbol ? "field" : "property", reason));
                }
            }
        }

        return unstored;
    }

    /// <summary>
    /// Why <paramref name="type"/> cannot be stored as an object of its own (a JSON object written and read by a
    /// generated codec: what a snapshot is, and what an event's property of a user type is), or null when it can. Its
    /// members are not looked at here. The generator builds a codec exactly for the types this accepts.
    /// </summary>
    public static string? ObjectProblem(ITypeSymbol type)
    {
        var display = type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
        if (type is not INamedTypeSymbol named)
        {
            return $"'{display}' is not a class, record or struct";
        }

        switch (named.TypeKind)
        {
            case TypeKind.Delegate:
                return $"'{display}' is a delegate";
            case TypeKind.Interface:
                return $"'{display}' is an interface, not a concrete type";
            case TypeKind.Enum:
                return $"'{display}' is an enum, not a class, record or struct";
            case not (TypeKind.Class or TypeKind.Struct):
                return $"'{display}' is not a supported type";
        }

        if (named.IsRefLikeType)
        {
            return $"'{display}' is a ref struct";
        }

        if (IsFrameworkType(named))
        {
            return $"'{display}' is not one of the framework types the generator supports";
        }

        if (InheritsFrom(named, EventMetadataName))
        {
            return $"'{display}' is an event; an event inside another event would lose its own id, time and metadata (store its id instead)";
        }

        if (named.IsAbstract)
        {
            return $"'{display}' is abstract, not a concrete type";
        }

        if (named.ContainingNamespace is null || !IsReachableFromAssembly(named))
        {
            return $"'{display}' is private or protected, so generated code cannot name it";
        }

        foreach (var argument in named.TypeArguments)
        {
            if (argument is ITypeParameterSymbol)
            {
                return $"'{argument.Name}' is an open type parameter";
            }
        }

        return named.IsUnboundGenericType ? $"'{display}' is an unbound generic type" : null;
    }

    /// <summary>A type of .NET's own (<c>System.*</c>, <c>Microsoft.*</c>): serialized only as the primitives and collections the generator knows.</summary>
    public static bool IsFrameworkType(INamedTypeSymbol type)
    {
        var ns = type.ContainingNamespace?.ToDisplayString() ?? string.Empty;
        return ns == "System" || ns.StartsWith("System.", StringComparison.Ordinal) || ns.StartsWith("Microsoft.", StringComparison.Ordinal);
    }

    /// <summary>
    /// True when generated code at assembly level can name the type: no private or protected type on the way out
    /// (the generator registers and serializes only such types).
    /// </summary>
    public static bool IsReachableFromAssembly(INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
        {
            if (current.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
            {
                return false;
            }
        }

        return true;
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
        => type.SpecialType is SpecialType.System_Object or SpecialType.System_ValueType
           || (type.OriginalDefinition.ContainingNamespace?.ToDisplayString() + "." + type.OriginalDefinition.MetadataName) == EventMetadataName;

    /// <summary>True for an auto-property or a <c>field</c>-backed property: one the compiler gave a backing field.</summary>
    public static bool HasBackingField(IPropertySymbol property)
        => property.ContainingType.GetMembers().OfType<IFieldSymbol>()
            .Any(f => SymbolEqualityComparer.Default.Equals(f.AssociatedSymbol, property));

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
        var constructor = ChooseConstructor(field.ContainingType, properties.Select(p => p.Name).ToList(), assembly);
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

        var holdsState = HasBackingField(property) || property.SetMethod is not null;
        if (!IsSerialized(property, assembly))
        {
            return holdsState
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
        => member.GetAttributes().Any(a => a.AttributeClass is { } c
            && (c.ContainingNamespace?.ToDisplayString() + "." + c.MetadataName) == JsonIgnoreAttribute);

    private static bool IsCopyConstructor(INamedTypeSymbol type, IMethodSymbol constructor)
        => constructor.Parameters.Length == 1 && SymbolEqualityComparer.Default.Equals(constructor.Parameters[0].Type, type);

    private static bool InheritsFrom(INamedTypeSymbol type, string metadataName)
    {
        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (current.OriginalDefinition.ContainingNamespace?.ToDisplayString() + "." + current.OriginalDefinition.MetadataName == metadataName)
            {
                return true;
            }
        }

        return false;
    }
}
