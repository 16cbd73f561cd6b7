using System;
using EventSourcery.Generators.Models;
using Microsoft.CodeAnalysis;

namespace EventSourcery.Generators.Parsing;

/// <summary>
/// Codec ids, and which property types are primitives, collections and dictionaries (told apart without building their
/// names).
/// </summary>
internal sealed partial class CodecBuilder
{
    /// <summary>
    /// The type's name as an identifier, for hint names and method names: dots become underscores
    /// (<c>Shop.OrderPlaced</c> → <c>Shop_OrderPlaced</c>). A name that has underscores or other punctuation of its own
    /// (<c>A.B_C</c>, <c>A_B.C</c>, generic arguments) also gets a hash of the whole name, so that two names the
    /// replacement makes alike (<c>A_B_C</c> both) still get ids of their own.
    /// </summary>
    public static string ToCodecId(ITypeSymbol type) => ToCodecId(type.ToFullyQualifiedName());

    /// <inheritdoc cref="ToCodecId(ITypeSymbol)"/>
    /// <param name="typeName">The type's <see cref="SymbolExtensions.ToFullyQualifiedName"/>.</param>
    public static string ToCodecId(string typeName)
    {
        // Written into one char array (this runs for every event on every edit); a name with global:: further in (a
        // generic type's arguments) has them removed first.
        const string Global = "global::";
        var start = typeName.StartsWith(Global, StringComparison.Ordinal) ? Global.Length : 0;
        if (typeName.IndexOf(Global, start, StringComparison.Ordinal) >= 0)
        {
            return ToCodecId(typeName.Replace(Global, string.Empty));
        }

        var ambiguous = false;
        for (var i = start; i < typeName.Length; i++)
        {
            ambiguous |= !char.IsLetterOrDigit(typeName[i]) && typeName[i] != '.';
        }

        var length = typeName.Length - start;
        var id = new char[ambiguous ? length + 9 : length];
        for (var i = 0; i < length; i++)
        {
            var c = typeName[start + i];
            id[i] = char.IsLetterOrDigit(c) ? c : '_';
        }

        if (ambiguous)
        {
            // FNV-1a, 32 bits, as eight lowercase hex digits: stable across processes and platforms.
            var hash = 2166136261U;
            for (var i = start; i < typeName.Length; i++)
            {
                hash = (hash ^ typeName[i]) * 16777619U;
            }

            id[length] = '_';
            for (var digit = 0; digit < 8; digit++)
            {
                id[length + 1 + digit] = "0123456789abcdef"[(int)((hash >> (28 - (4 * digit))) & 0xF)];
            }
        }

        return new string(id);
    }

    // The shape of a special type (string, int, DateTime…) is the same value in every compilation: one immutable instance
    // per type and nullability rather than one per property per edit. Filled as met; a race makes equal instances.
    private static readonly TypeShape?[] SpecialShapes = new TypeShape?[128];

    private static TypeShape? SpecialShape(ITypeSymbol type, bool allowsNull)
    {
        var special = (int)type.SpecialType;
        if (special is <= 0 or >= 64)
        {
            return null;
        }

        var slot = (2 * special) + (allowsNull ? 1 : 0);
        if (SpecialShapes[slot] is { } shape)
        {
            return shape;
        }

        var name = type.ToFullyQualifiedName();
        return PrimitiveName(type, name) is { } primitive
            ? SpecialShapes[slot] = new TypeShape(ShapeKind.Primitive, name, primitive, type.IsReferenceType, allowsNull)
            : null;
    }

    private static string? PrimitiveName(ITypeSymbol type, string name)
    {
        switch (type.SpecialType)
        {
            case SpecialType.System_Boolean: return "Boolean";
            case SpecialType.System_Byte: return "Byte";
            case SpecialType.System_SByte: return "SByte";
            case SpecialType.System_Int16: return "Int16";
            case SpecialType.System_UInt16: return "UInt16";
            case SpecialType.System_Int32: return "Int32";
            case SpecialType.System_UInt32: return "UInt32";
            case SpecialType.System_Int64: return "Int64";
            case SpecialType.System_UInt64: return "UInt64";
            case SpecialType.System_Single: return "Single";
            case SpecialType.System_Double: return "Double";
            case SpecialType.System_Decimal: return "Decimal";
            case SpecialType.System_Char: return "Char";
            case SpecialType.System_String: return "String";
            case SpecialType.System_DateTime: return "DateTime";
        }

        if (type is IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_Byte })
        {
            return "ByteArray";
        }

        return name switch
        {
            "global::System.Guid" => "Guid",
            "global::System.DateTimeOffset" => "DateTimeOffset",
            "global::System.DateOnly" => "DateOnly",
            "global::System.TimeOnly" => "TimeOnly",
            "global::System.TimeSpan" => "TimeSpan",
            "global::System.Uri" => "Uri",
            _ => null,
        };
    }

    private static CollectionKind? CollectionKindOf(INamedTypeSymbol type)
    {
        if (type.TypeArguments.Length != 1)
        {
            return null;
        }

        // By namespace and metadata name (List`1), not by building the display name of every generic property type.
        var original = type.OriginalDefinition;
        if (original.ContainingType is not null || original.ContainingNamespace is not { } ns)
        {
            return null;
        }

        if (IsNamespace(ns, "Generic", "Collections", "System"))
        {
            return original.MetadataName switch
            {
                "List`1" or "IList`1" or "IReadOnlyList`1" or "ICollection`1" or "IReadOnlyCollection`1" or "IEnumerable`1" => CollectionKind.List,
                "HashSet`1" or "ISet`1" or "IReadOnlySet`1" => CollectionKind.HashSet,
                _ => null,
            };
        }

        return original.MetadataName == "ImmutableArray`1" && IsNamespace(ns, "Immutable", "Collections", "System") ? CollectionKind.ImmutableArray : null;
    }

    private static bool IsDictionary(INamedTypeSymbol type)
    {
        var original = type.OriginalDefinition;
        return original.ContainingType is null
               && original.MetadataName is "Dictionary`2" or "IDictionary`2" or "IReadOnlyDictionary`2"
               && original.ContainingNamespace is { } ns && IsNamespace(ns, "Generic", "Collections", "System");
    }

    /// <summary>True when <paramref name="ns"/> is the top-level namespace <c>outer.middle.inner</c> (names given innermost first).</summary>
    private static bool IsNamespace(INamespaceSymbol ns, string inner, string middle, string outer)
        => ns.Name == inner
           && ns.ContainingNamespace is { Name: var m } parent && m == middle
           && parent.ContainingNamespace is { Name: var o } top && o == outer
           && top.ContainingNamespace is { IsGlobalNamespace: true };
}
