using System.Collections.Generic;
using System.Linq;
using System.Threading;
using EventSourcery.Generators.Helpers;
using EventSourcery.Generators.Models;
using Microsoft.CodeAnalysis;

namespace EventSourcery.Generators.Parsing;

internal static class SymbolExtensions
{
    private static readonly SymbolDisplayFormat FullyQualifiedWithNullability =
        SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>The <c>global::</c>-qualified name, keeping nullable annotations of type arguments but not of the type itself.</summary>
    public static string ToFullyQualifiedName(this ITypeSymbol type)
        => KeywordOf(type.SpecialType) ?? type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(FullyQualifiedWithNullability);

    /// <summary>The C# keyword the display format writes for a special type (it has no type arguments to annotate), else null.</summary>
    private static string? KeywordOf(SpecialType type) => type switch
    {
        SpecialType.System_Object => "object",
        SpecialType.System_Boolean => "bool",
        SpecialType.System_Char => "char",
        SpecialType.System_SByte => "sbyte",
        SpecialType.System_Byte => "byte",
        SpecialType.System_Int16 => "short",
        SpecialType.System_UInt16 => "ushort",
        SpecialType.System_Int32 => "int",
        SpecialType.System_UInt32 => "uint",
        SpecialType.System_Int64 => "long",
        SpecialType.System_UInt64 => "ulong",
        SpecialType.System_Decimal => "decimal",
        SpecialType.System_Single => "float",
        SpecialType.System_Double => "double",
        SpecialType.System_String => "string",
        _ => null,
    };

    public static bool InheritsFrom(this ITypeSymbol type, string metadataName)
    {
        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (current.IsNamed(metadataName))
            {
                return true;
            }
        }

        return false;
    }

    public static bool IsNamed(this ITypeSymbol type, string metadataName) => EventSourcery.Shapes.StoredMembers.HasMetadataName(type, metadataName);

    public static int InheritanceDepth(this ITypeSymbol type)
    {
        var depth = 0;
        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            depth++;
        }

        return depth;
    }

    /// <summary>Captures a named type's namespace, containing types and own declaration as strings.</summary>
    public static HierarchyInfo GetHierarchy(this INamedTypeSymbol type, string hintSuffix)
    {
        var containing = new List<TypeDeclaration>();
        for (var parent = type.ContainingType; parent is not null; parent = parent.ContainingType)
        {
            containing.Insert(0, parent.ToDeclaration());
        }

        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : string.Empty;
        var hint = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)
            .Replace("global::", string.Empty)
            .Replace('<', '{')
            .Replace('>', '}')
            .Replace(", ", ",");
        return new HierarchyInfo(ns, containing.ToEquatableArray(), type.ToDeclaration(), type.ToFullyQualifiedName(), $"{hint}.{hintSuffix}.g.cs");
    }

    private static TypeDeclaration ToDeclaration(this INamedTypeSymbol type)
    {
        var keyword = type.TypeKind switch
        {
            TypeKind.Struct when type.IsRecord => "record struct",
            TypeKind.Struct => "struct",
            TypeKind.Interface => "interface",
            _ when type.IsRecord => "record",
            _ => "class",
        };
        var name = type.TypeParameters.Length == 0
            ? type.Name
            : $"{type.Name}<{string.Join(", ", type.TypeParameters.Select(p => p.Name))}>";
        return new TypeDeclaration(keyword, name);
    }

    public static bool HasAccessibleParameterlessConstructor(this INamedTypeSymbol type)
        => type.InstanceConstructors.Any(c => c.Parameters.Length == 0 && !c.IsStatic);

    public static void ThrowIfCancelled(this CancellationToken token) => token.ThrowIfCancellationRequested();
}
