using System.Collections.Generic;
using System.Linq;
using EventSourcery.Generators.Helpers;
using EventSourcery.Generators.Models;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace EventSourcery.Generators.Parsing;

/// <summary>
/// Reads an event property's <c>[DataSubject]</c> and <c>[PersonalData]</c> marks: on the property, or on the
/// positional record parameter it comes from (where C# puts an attribute written without <c>property:</c>).
/// </summary>
internal static class PersonalDataMarks
{
    /// <summary>The attributes of <paramref name="property"/> and of the positional parameter that declares it, if any.</summary>
    public static IEnumerable<AttributeData> AttributesOf(IPropertySymbol property)
    {
        foreach (var attribute in property.GetAttributes())
        {
            yield return attribute;
        }

        if (PositionalParameter(property) is { } parameter)
        {
            foreach (var attribute in parameter.GetAttributes())
            {
                yield return attribute;
            }
        }
    }

    /// <summary>The primary constructor parameter of a positional record that declares <paramref name="property"/>, or null.</summary>
    public static IParameterSymbol? PositionalParameter(IPropertySymbol property)
    {
        if (!property.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is ParameterSyntax))
        {
            return null;
        }

        foreach (var constructor in property.ContainingType.InstanceConstructors)
        {
            if (constructor.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is TypeDeclarationSyntax))
            {
                return constructor.Parameters.FirstOrDefault(p => p.Name == property.Name);
            }
        }

        return null;
    }

    public static bool IsSubject(IPropertySymbol property)
        => AttributesOf(property).Any(a => a.AttributeClass is { } c && c.IsNamed(KnownNames.DataSubjectAttribute));

    /// <summary>
    /// For a <c>[PersonalData]</c> property, the C# expression of the value it reads as once shredded (its mask, or
    /// <c>default!</c>); null when the property is not personal data. A mask of the wrong type (ES0021) reads as the default.
    /// </summary>
    public static string? MaskExpression(IPropertySymbol property, TypeShape shape)
    {
        var attribute = AttributesOf(property).FirstOrDefault(a => a.AttributeClass is { } c && c.IsNamed(KnownNames.PersonalDataAttribute));
        if (attribute is null)
        {
            return null;
        }

        if (attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0] is { IsNull: false, Kind: TypedConstantKind.Array } array)
        {
            return ArrayMask(array, shape);
        }

        if (attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0] is not { IsNull: false, Kind: TypedConstantKind.Primitive or TypedConstantKind.Enum } mask)
        {
            return "default!";
        }

        var target = shape.Kind == ShapeKind.Nullable ? shape.Element! : shape;
        var isString = mask.Value is string;
        if (isString != (target.Kind == ShapeKind.Primitive && target.CodecId == "String"))
        {
            return "default!";
        }

        if (isString)
        {
            return Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral((string)mask.Value!, quote: true);
        }

        // A number, bool or char, or an enum's value: cast to the property's type (C# refuses the cast if it cannot be).
        var isNumeric = target.Kind == ShapeKind.Enum
            || (target.Kind == ShapeKind.Primitive && target.CodecId is not ("String" or "Guid" or "DateTime" or "DateTimeOffset" or "DateOnly" or "TimeOnly" or "TimeSpan" or "Uri" or "ByteArray"));
        if (!isNumeric || (mask.Value is bool) != (target.CodecId == "Boolean") || (mask.Value is char) != (target.CodecId == "Char"))
        {
            return "default!";
        }

        var literal = mask.Kind == TypedConstantKind.Enum
            ? System.Convert.ToString(mask.Value, System.Globalization.CultureInfo.InvariantCulture)!
            : Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatPrimitive(mask.Value!, quoteStrings: true, useHexadecimalNumbers: false);
        return $"({shape.TypeName})({literal})";
    }

    /// <summary>An array mask of an array property (<c>[PersonalData(new[] { "?" })] string[] Names</c>): <c>new string[] { "?" }</c>.</summary>
    private static string ArrayMask(TypedConstant array, TypeShape shape)
    {
        if (shape is not { Kind: ShapeKind.Collection, Collection: CollectionKind.Array, Element: { } element }
            || array.Values.Any(v => v.IsNull ? !element.AllowsNull && element.Kind != ShapeKind.Nullable : v.Kind is not (TypedConstantKind.Primitive or TypedConstantKind.Enum)))
        {
            return "default!";
        }

        var items = array.Values.Select(v => v.IsNull ? "null"
            : v.Value is string text ? Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(text, quote: true)
            : $"({element.TypeName})({(v.Kind == TypedConstantKind.Enum ? System.Convert.ToString(v.Value, System.Globalization.CultureInfo.InvariantCulture) : Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatPrimitive(v.Value!, quoteStrings: true, useHexadecimalNumbers: false))})");
        return $"new {element.LocalTypeName}[] {{ {string.Join(", ", items)} }}";
    }
}
