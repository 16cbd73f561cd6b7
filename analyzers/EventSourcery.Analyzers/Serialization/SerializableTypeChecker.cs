using System;
using System.Collections.Generic;
using System.Threading;
using EventSourcery.Shapes;
using Microsoft.CodeAnalysis;

namespace EventSourcery.Analyzers.Serialization;

/// <summary>
/// Decides whether the generated JSON metadata can write and read a property type (ES0008). The accepted shapes are
/// exactly those the EventSourcery generator serializes (src/EventSourcery.Generators/Parsing/CodecBuilder.cs):
/// primitives and well-known value types, enums, <c>Nullable&lt;T&gt;</c>, one-dimensional arrays, a fixed set of
/// collection and dictionary types, and concrete user classes, records and structs made of supported properties.
/// </summary>
internal sealed class SerializableTypeChecker
{
    private static readonly HashSet<string> WellKnownValueTypes = new(StringComparer.Ordinal)
    {
        "System.Guid", "System.DateTimeOffset", "System.DateOnly", "System.TimeOnly", "System.TimeSpan", "System.Uri",
    };

    private static readonly HashSet<string> Collections = new(StringComparer.Ordinal)
    {
        "System.Collections.Generic.List`1", "System.Collections.Generic.IList`1", "System.Collections.Generic.IReadOnlyList`1",
        "System.Collections.Generic.ICollection`1", "System.Collections.Generic.IReadOnlyCollection`1",
        "System.Collections.Generic.IEnumerable`1", "System.Collections.Generic.HashSet`1", "System.Collections.Generic.ISet`1",
        "System.Collections.Generic.IReadOnlySet`1", "System.Collections.Immutable.ImmutableArray`1",
    };

    private static readonly HashSet<string> Dictionaries = new(StringComparer.Ordinal)
    {
        "System.Collections.Generic.Dictionary`2", "System.Collections.Generic.IDictionary`2",
        "System.Collections.Generic.IReadOnlyDictionary`2",
    };

    private static readonly SymbolDisplayFormat DisplayFormat = SymbolDisplayFormat.MinimallyQualifiedFormat;

    private readonly EventSourceryTypes _types;
    private readonly IAssemblySymbol _assembly;

    public SerializableTypeChecker(EventSourceryTypes types)
    {
        _types = types;
        _assembly = types.Compilation.Assembly;
    }

    /// <summary>
    /// Returns why <paramref name="type"/> cannot be serialized (naming the offending inner type), or null when it can,
    /// or when the code is incomplete and the compiler reports the problem.
    /// </summary>
    public string? GetProblem(ITypeSymbol type, CancellationToken cancellationToken)
        => GetProblem(type, new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default), cancellationToken);

    /// <summary>True when the generator serializes <paramref name="property"/>: an accessible instance getter, not ignored.</summary>
    public bool IsSerialized(IPropertySymbol property) => StoredMembers.IsSerialized(property, _assembly);

    private string? GetProblem(ITypeSymbol type, HashSet<ITypeSymbol> visiting, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (type.TypeKind == TypeKind.Error || IsPrimitive(type))
        {
            return null;
        }

        switch (type)
        {
            case IDynamicTypeSymbol:
                return "'dynamic' has no fixed shape to write";
            case ITypeParameterSymbol:
                return $"'{type.Name}' is an open type parameter";
            case IPointerTypeSymbol:
                return $"'{Display(type)}' is a pointer";
            case IFunctionPointerTypeSymbol:
                return $"'{Display(type)}' is a function pointer";
            case IArrayTypeSymbol array:
                return array.Rank == 1
                    ? GetProblem(array.ElementType, visiting, cancellationToken)
                    : $"'{Display(type)}' is a multi-dimensional array";
            case INamedTypeSymbol named:
                return GetNamedTypeProblem(named, visiting, cancellationToken);
            default:
                return $"'{Display(type)}' is not a supported type";
        }
    }

    private string? GetNamedTypeProblem(INamedTypeSymbol type, HashSet<ITypeSymbol> visiting, CancellationToken cancellationToken)
    {
        if (type.SpecialType == SpecialType.System_Object)
        {
            return "'object' has no fixed shape to write";
        }

        if (type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T)
        {
            return GetProblem(type.TypeArguments[0], visiting, cancellationToken);
        }

        if (type.TypeKind == TypeKind.Enum)
        {
            return null;
        }

        var definition = MetadataName(type.OriginalDefinition);
        if (type.TypeArguments.Length == 1 && Collections.Contains(definition))
        {
            return GetProblem(type.TypeArguments[0], visiting, cancellationToken);
        }

        if (type.TypeArguments.Length == 2 && Dictionaries.Contains(definition))
        {
            var key = type.TypeArguments[0];
            if (key.TypeKind != TypeKind.Error
                && key.SpecialType is not (SpecialType.System_String or SpecialType.System_Int32 or SpecialType.System_Int64)
                && MetadataName(key) != "System.Guid")
            {
                return $"dictionary key type '{Display(key)}' is not string, int, long or Guid";
            }

            return GetProblem(type.TypeArguments[1], visiting, cancellationToken);
        }

        // The shared rule for a type of its own (the generator builds a codec exactly for these); then its members.
        if (StoredMembers.ObjectProblem(type) is { } notAnObject)
        {
            return notAnObject;
        }

        // A class, record or struct of our own: every serialized property must be supported too.
        if (!visiting.Add(type))
        {
            return null; // already being checked further up: a recursive shape is fine
        }

        for (var current = type; current is not null && !IsStopType(current); current = current.BaseType)
        {
            foreach (var member in current.GetMembers())
            {
                if (member is IPropertySymbol property && IsSerialized(property)
                    && GetProblem(property.Type, visiting, cancellationToken) is { } problem)
                {
                    return problem;
                }
            }
        }

        // The same stored-member rule as for events and snapshots (ES0010), reported here on the property that holds it.
        foreach (var unstored in StoredMembers.FindUnstored(type, _assembly))
        {
            return $"{unstored.Kind} '{unstored.Member.Name}' of '{Display(unstored.Member.ContainingType)}' would not be stored ({unstored.Reason})";
        }

        return null;
    }

    private bool IsStopType(INamedTypeSymbol type)
        => type.SpecialType is SpecialType.System_Object or SpecialType.System_ValueType
           || SymbolEqualityComparer.Default.Equals(type, _types.Event);

    private static bool IsPrimitive(ITypeSymbol type)
    {
        switch (type.SpecialType)
        {
            case SpecialType.System_Boolean:
            case SpecialType.System_Byte:
            case SpecialType.System_SByte:
            case SpecialType.System_Int16:
            case SpecialType.System_UInt16:
            case SpecialType.System_Int32:
            case SpecialType.System_UInt32:
            case SpecialType.System_Int64:
            case SpecialType.System_UInt64:
            case SpecialType.System_Single:
            case SpecialType.System_Double:
            case SpecialType.System_Decimal:
            case SpecialType.System_Char:
            case SpecialType.System_String:
            case SpecialType.System_DateTime:
                return true;
        }

        return type is INamedTypeSymbol { TypeArguments.Length: 0 } named && WellKnownValueTypes.Contains(MetadataName(named));
    }

    private static string MetadataName(ITypeSymbol type)
    {
        var ns = type.ContainingNamespace;
        var name = type.MetadataName;
        for (var parent = type.ContainingType; parent is not null; parent = parent.ContainingType)
        {
            name = parent.MetadataName + "+" + name;
        }

        return ns is null || ns.IsGlobalNamespace ? name : ns.ToDisplayString() + "." + name;
    }

    private static string Display(ITypeSymbol type)
        => type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(DisplayFormat);
}
