using Microsoft.CodeAnalysis;

namespace EventSourcery.Shapes;

// Compiled into both the generator and the analyzer, as StoredMembers.cs is (see there).

/// <summary>Which types can be stored as objects of their own, and names of types compared without building them.</summary>
internal static partial class StoredMembers
{
    /// <summary>
    /// Why <paramref name="type"/> cannot be stored as an object of its own (a JSON object written and read by a
    /// generated codec: what a snapshot is, and what an event's property of a user type is), or null when it can. Its
    /// members are not looked at here. The generator builds a codec exactly for the types this accepts.
    /// </summary>
    public static string? ObjectProblem(ITypeSymbol type)
    {
        // The type's name only when there is a problem to report: the generator asks this of every property's type.
        if (type is not INamedTypeSymbol named)
        {
            return $"'{Display(type)}' is not a class, record or struct";
        }

        switch (named.TypeKind)
        {
            case TypeKind.Delegate:
                return $"'{Display(type)}' is a delegate";
            case TypeKind.Interface:
                return $"'{Display(type)}' is an interface, not a concrete type";
            case TypeKind.Enum:
                return $"'{Display(type)}' is an enum, not a class, record or struct";
            case not (TypeKind.Class or TypeKind.Struct):
                return $"'{Display(type)}' is not a supported type";
        }

        if (named.IsRefLikeType)
        {
            return $"'{Display(type)}' is a ref struct";
        }

        if (IsFrameworkType(named))
        {
            return $"'{Display(type)}' is not one of the framework types the generator supports";
        }

        if (InheritsFrom(named, EventMetadataName))
        {
            return $"'{Display(type)}' is an event; an event inside another event would lose its own id, time and metadata (store its id instead)";
        }

        if (named.IsAbstract)
        {
            return $"'{Display(type)}' is abstract, not a concrete type";
        }

        if (named.ContainingNamespace is null || !IsReachableFromAssembly(named))
        {
            return $"'{Display(type)}' is private or protected, so generated code cannot name it";
        }

        foreach (var argument in named.TypeArguments)
        {
            if (argument is ITypeParameterSymbol)
            {
                return $"'{argument.Name}' is an open type parameter";
            }
        }

        return named.IsUnboundGenericType ? $"'{Display(type)}' is an unbound generic type" : null;
    }

    private static string Display(ITypeSymbol type)
        => type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);

    /// <summary>A type of .NET's own (<c>System.*</c>, <c>Microsoft.*</c>): serialized only as the primitives and collections the generator knows.</summary>
    public static bool IsFrameworkType(INamedTypeSymbol type)
    {
        // The outermost namespace decides: System (or System.*) or Microsoft.* (not Microsoft itself).
        var ns = type.ContainingNamespace;
        if (ns is null || ns.IsGlobalNamespace)
        {
            return false;
        }

        var nested = false;
        while (ns.ContainingNamespace is { IsGlobalNamespace: false } parent)
        {
            ns = parent;
            nested = true;
        }

        return ns.Name == "System" || (nested && ns.Name == "Microsoft");
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
    /// <summary>
    /// True when the original definition of <paramref name="type"/> is <paramref name="metadataName"/> (its namespace, a dot,
    /// its metadata name; containing types are not part of it), compared without building the name: generators ask this on
    /// every edit.
    /// </summary>
    public static bool HasMetadataName(ITypeSymbol type, string metadataName)
    {
        var original = type.OriginalDefinition;
        var name = original.MetadataName;
        var dot = metadataName.Length - name.Length - 1;
        if (dot < 1 || metadataName[dot] != '.' || string.CompareOrdinal(metadataName, dot + 1, name, 0, name.Length) != 0)
        {
            return false;
        }

        for (var ns = original.ContainingNamespace; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace)
        {
            var segment = ns.Name;
            var start = dot - segment.Length;
            if (start < 0 || string.CompareOrdinal(metadataName, start, segment, 0, segment.Length) != 0)
            {
                return false;
            }

            if (start == 0)
            {
                return ns.ContainingNamespace is { IsGlobalNamespace: true };
            }

            if (metadataName[start - 1] != '.')
            {
                return false;
            }

            dot = start - 1;
        }

        return false;
    }

    private static bool InheritsFrom(INamedTypeSymbol type, string metadataName)
    {
        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (HasMetadataName(current, metadataName))
            {
                return true;
            }
        }

        return false;
    }
}
