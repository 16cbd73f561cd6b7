using System;
using System.Linq;
using EventSourcery.Shapes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace EventSourcery.Analyzers.PersonalData;

/// <summary>Which types a data subject's id may have (ES0019), and which masks fit a personal property (ES0021).</summary>
internal static class PersonalDataTypes
{
    /// <summary>
    /// True for a string, Guid, int or long (nullable or not), and for a class, record or struct of the user's own
    /// that the generated codecs store as an object and that is not a collection: a strongly typed id.
    /// </summary>
    public static bool IsSupportedSubject(ITypeSymbol type)
    {
        type = Unwrap(type, out _);
        if (type.TypeKind == TypeKind.Error || type.SpecialType is SpecialType.System_String or SpecialType.System_Int32 or SpecialType.System_Int64 || IsGuid(type))
        {
            return true;
        }

        return type is INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct } id
            && !StoredMembers.IsFrameworkType(id)
            && StoredMembers.ObjectProblem(id) is null
            && !id.AllInterfaces.Any(i => i.SpecialType == SpecialType.System_Collections_IEnumerable);
    }

    /// <summary>Why <paramref name="mask"/> is not a value of <paramref name="propertyType"/>, or null when it is.</summary>
    public static string? MaskProblem(TypedConstant mask, ITypeSymbol propertyType)
    {
        if (mask.Kind == TypedConstantKind.Error || propertyType.TypeKind == TypeKind.Error)
        {
            return null; // the compiler reports it
        }

        var type = Unwrap(propertyType, out var nullable);
        if (mask.IsNull)
        {
            return nullable ? null : "null is not a value of a non-nullable value type; leave the mask out to read back its default, or make the property nullable";
        }

        if (mask.Kind == TypedConstantKind.Array)
        {
            return SymbolEqualityComparer.Default.Equals(mask.Type, type) || type.SpecialType == SpecialType.System_Object
                ? null
                : $"an array of type '{Display(mask.Type)}' cannot be converted to '{Display(type)}'";
        }

        var text = mask.ToCSharpString();
        if (type.SpecialType == SpecialType.System_Object)
        {
            return null;
        }

        if (type.SpecialType == SpecialType.System_String)
        {
            return mask.Value is string ? null : $"{text} is not a string; give a string mask such as \"***\"";
        }

        if (mask.Value is string)
        {
            return $"{text} is a string, which a '{Display(type)}' cannot hold";
        }

        if (type is INamedTypeSymbol { TypeKind: TypeKind.Enum, EnumUnderlyingType: { } underlying })
        {
            if (mask.Kind == TypedConstantKind.Enum)
            {
                return SymbolEqualityComparer.Default.Equals(mask.Type, type) ? null : $"{text} is a constant of another enum";
            }

            return IsIntegral(mask) ? FitsIntegral(mask, underlying, text) : Cannot(mask, text, type);
        }

        switch (type.SpecialType)
        {
            case SpecialType.System_Boolean:
                return mask.Value is bool ? null : $"{text} is not true or false";
            case SpecialType.System_Char:
                return mask.Value is char ? null : Cannot(mask, text, type);
            case SpecialType.System_SByte or SpecialType.System_Byte or SpecialType.System_Int16 or SpecialType.System_UInt16
                or SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64:
                return IsIntegral(mask) ? FitsIntegral(mask, type, text) : Cannot(mask, text, type);
            case SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Decimal:
                return FitsReal(mask, type, text);
            default:
                return Cannot(mask, text, type);
        }
    }

    private static string Cannot(TypedConstant mask, string text, ITypeSymbol type)
        => $"{text} ({Display(mask.Type)}) cannot be converted to '{Display(type)}'";

    /// <summary>An integral constant (not a char, a bool or an enum constant).</summary>
    private static bool IsIntegral(TypedConstant mask)
        => mask.Kind == TypedConstantKind.Primitive && mask.Value is sbyte or byte or short or ushort or int or uint or long or ulong;

    private static string? FitsIntegral(TypedConstant mask, ITypeSymbol target, string text)
    {
        var value = Convert.ToDecimal(mask.Value, System.Globalization.CultureInfo.InvariantCulture);
        var (min, max) = target.SpecialType switch
        {
            SpecialType.System_SByte => ((decimal)sbyte.MinValue, (decimal)sbyte.MaxValue),
            SpecialType.System_Byte => ((decimal)byte.MinValue, (decimal)byte.MaxValue),
            SpecialType.System_Int16 => ((decimal)short.MinValue, (decimal)short.MaxValue),
            SpecialType.System_UInt16 => ((decimal)ushort.MinValue, (decimal)ushort.MaxValue),
            SpecialType.System_Int32 => ((decimal)int.MinValue, (decimal)int.MaxValue),
            SpecialType.System_UInt32 => ((decimal)uint.MinValue, (decimal)uint.MaxValue),
            SpecialType.System_Int64 => ((decimal)long.MinValue, (decimal)long.MaxValue),
            _ => (0m, (decimal)ulong.MaxValue),
        };
        return value >= min && value <= max ? null : $"{text} does not fit in '{Display(target)}'";
    }

    private static string? FitsReal(TypedConstant mask, ITypeSymbol target, string text)
    {
        if (IsIntegral(mask))
        {
            return null; // every integral value converts (float and double round, as the compiler does)
        }

        if (mask.Value is not (float or double))
        {
            return Cannot(mask, text, target);
        }

        var value = Convert.ToDouble(mask.Value, System.Globalization.CultureInfo.InvariantCulture);
        var fits = target.SpecialType switch
        {
            SpecialType.System_Single => double.IsNaN(value) || double.IsInfinity(value) || Math.Abs(value) <= float.MaxValue,
            SpecialType.System_Decimal => !double.IsNaN(value) && !double.IsInfinity(value) && Math.Abs(value) < 7.9e28,
            _ => true,
        };
        return fits ? null : $"{text} does not fit in '{Display(target)}'";
    }

    /// <summary>The type under <c>Nullable&lt;T&gt;</c>; <paramref name="nullable"/> is true for it and for reference types.</summary>
    private static ITypeSymbol Unwrap(ITypeSymbol type, out bool nullable)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } wrapped)
        {
            nullable = true;
            return wrapped.TypeArguments[0];
        }

        nullable = !type.IsValueType;
        return type;
    }

    private static bool IsGuid(ITypeSymbol type)
        => type is INamedTypeSymbol { Name: "Guid", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } };

    private static string Display(ITypeSymbol? type)
        => type?.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) ?? "?";
}
