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
    /// <summary>
    /// The marks of an event's property, from its attributes and those of the positional parameter that declares it (the
    /// first <c>[PersonalData]</c> counts); it is the subject only when marked and <paramref name="subjectTaken"/> is false.
    /// </summary>
    /// <param name="property">The property.</param>
    /// <param name="shape">The shape of its type.</param>
    /// <param name="subjectTaken">Whether an earlier property of the event is its subject.</param>
    /// <param name="primaryConstructor">The event type's <see cref="PrimaryConstructor"/>, found once for all its properties.</param>
    public static Marks Read(IPropertySymbol property, TypeShape shape, bool subjectTaken, IMethodSymbol? primaryConstructor)
    {
        AttributeData? personal = null;
        var subject = false;
        Scan(property.GetAttributes(), ref personal, ref subject);

        // The positional parameter's attributes, when it has any (a property declared in the body may share its name).
        var parameter = SymbolEqualityComparer.Default.Equals(property.ContainingType, primaryConstructor?.ContainingType)
            ? ParameterNamed(primaryConstructor!, property.Name)
            : PositionalParameter(property);
        if (parameter is not null && parameter.GetAttributes() is { IsEmpty: false } attributes && IsDeclaredBy<ParameterSyntax>(property))
        {
            Scan(attributes, ref personal, ref subject);
        }

        return new Marks(personal is null ? null : MaskExpression(personal, shape), subject && !subjectTaken);
    }

    private static void Scan(System.Collections.Immutable.ImmutableArray<AttributeData> attributes, ref AttributeData? personal, ref bool subject)
    {
        foreach (var attribute in attributes)
        {
            if (attribute.AttributeClass is not { } attributeClass)
            {
                continue;
            }

            if (personal is null && attributeClass.IsNamed(KnownNames.PersonalDataAttribute))
            {
                personal = attribute;
            }

            subject |= attributeClass.IsNamed(KnownNames.DataSubjectAttribute);
        }
    }

    /// <summary>The primary constructor parameter of a positional record that declares <paramref name="property"/>, or null.</summary>
    public static IParameterSymbol? PositionalParameter(IPropertySymbol property)
        => IsDeclaredBy<ParameterSyntax>(property) && PrimaryConstructor(property.ContainingType.InstanceConstructors) is { } constructor
            ? ParameterNamed(constructor, property.Name)
            : null;

    /// <summary>The constructor declared by the type's own declaration (a positional record's) among its <paramref name="constructors"/>, or null.</summary>
    public static IMethodSymbol? PrimaryConstructor(System.Collections.Immutable.ImmutableArray<IMethodSymbol> constructors)
    {
        foreach (var constructor in constructors)
        {
            if (IsDeclaredBy<TypeDeclarationSyntax>(constructor))
            {
                return constructor;
            }
        }

        return null;
    }

    private static IParameterSymbol? ParameterNamed(IMethodSymbol constructor, string name)
    {
        foreach (var parameter in constructor.Parameters)
        {
            if (parameter.Name == name)
            {
                return parameter;
            }
        }

        return null;
    }

    private static bool IsDeclaredBy<TSyntax>(ISymbol symbol)
        where TSyntax : SyntaxNode
    {
        foreach (var reference in symbol.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax() is TSyntax)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// For a <c>[PersonalData]</c> property, the C# expression of the value it reads as once shredded (its mask, or
    /// <c>default!</c>). A mask of the wrong type (ES0021) reads as the default.
    /// </summary>
    private static string MaskExpression(AttributeData attribute, TypeShape shape)
    {
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

    /// <summary>An event property's marks: the expression it reads as once shredded (null when it is not personal data), and whether it is the subject.</summary>
    internal readonly record struct Marks(string? Mask, bool IsSubject);
}
