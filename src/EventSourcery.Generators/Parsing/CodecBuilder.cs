using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using EventSourcery.Generators.Helpers;
using EventSourcery.Generators.Models;
using EventSourcery.Shapes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace EventSourcery.Generators.Parsing;

/// <summary>
/// Builds the codecs an event's payload needs: the event's own, and one per class, record, struct or enum reachable
/// from its properties. The supported shapes are the ones analyzer rule ES0008 accepts, and the stored members the ones
/// ES0010 accepts (Shared/StoredMembers.cs); a property of any other type, or a member that would not be stored, is
/// reported by the analyzer and written into the codec as an <c>#error</c>, so the codec never drops it silently.
/// </summary>
internal sealed class CodecBuilder(IAssemblySymbol assembly, CancellationToken cancellationToken)
{
    private readonly Dictionary<string, ObjectCodecModel?> _objects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EnumCodecModel> _enums = new(StringComparer.Ordinal);
    private readonly List<string> _objectOrder = [];

    public IEnumerable<ObjectCodecModel> Objects => _objectOrder.Select(id => _objects[id]!);

    public IEnumerable<EnumCodecModel> Enums => _enums.Values.OrderBy(e => e.CodecId, StringComparer.Ordinal);

    public string AddEvent(INamedTypeSymbol type) => AddObject(type, isEvent: true);

    /// <summary>Adds the codecs of an old event shape that an upcaster reads (an event's codec when it derives from Event).</summary>
    public string AddShape(INamedTypeSymbol type, bool isEvent) => AddObject(type, isEvent);

    /// <summary>Adds the codecs of a snapshot type; null when it is not a class, record or struct the codecs support.</summary>
    public string? AddSnapshot(ITypeSymbol type)
        => GetShape(type, NullableAnnotation.NotAnnotated) is { Kind: ShapeKind.Object } shape ? shape.CodecId : null;

    /// <summary>
    /// A hash of the serialized shape (type names, JSON property names and property types, enum members) of every
    /// codec built so far: it changes when stored JSON would no longer mean the same thing.
    /// </summary>
    public string Fingerprint()
    {
        var text = new StringBuilder();
        foreach (var codec in Objects)
        {
            text.Append(codec.TypeName).Append('{');
            foreach (var property in codec.Properties)
            {
                text.Append(property.JsonName).Append(':').Append(property.Shape.TypeName).Append(property.Shape.AllowsNull ? "?" : string.Empty).Append(';');
            }

            text.Append('}');
        }

        foreach (var codec in Enums)
        {
            text.Append(codec.TypeName).Append('[').Append(string.Join(",", codec.Members.Select(m => m.Name))).Append(']');
        }

        // FNV-1a, 64 bits: stable across processes and platforms (string.GetHashCode is not).
        var hash = 14695981039346656037UL;
        foreach (var c in text.ToString())
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The type's name as an identifier, for hint names and method names: dots become underscores
    /// (<c>Shop.OrderPlaced</c> → <c>Shop_OrderPlaced</c>). A name that has underscores or other punctuation of its own
    /// (<c>A.B_C</c>, <c>A_B.C</c>, generic arguments) also gets a hash of the whole name, so that two names the
    /// replacement makes alike (<c>A_B_C</c> both) still get ids of their own.
    /// </summary>
    public static string ToCodecId(ITypeSymbol type)
    {
        var name = type.ToFullyQualifiedName().Replace("global::", string.Empty);
        var builder = new StringBuilder(name.Length + 9);
        var ambiguous = false;
        foreach (var c in name)
        {
            builder.Append(char.IsLetterOrDigit(c) ? c : '_');
            ambiguous |= !char.IsLetterOrDigit(c) && c != '.';
        }

        if (ambiguous)
        {
            // FNV-1a, 32 bits: stable across processes and platforms.
            var hash = 2166136261U;
            foreach (var c in name)
            {
                hash = (hash ^ c) * 16777619U;
            }

            builder.Append('_').Append(hash.ToString("x8", System.Globalization.CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }

    private string AddObject(INamedTypeSymbol type, bool isEvent)
    {
        var id = ToCodecId(type);
        if (_objects.ContainsKey(id))
        {
            return id;
        }

        _objects[id] = null; // in progress: a recursive reference finds the id and stops
        _objectOrder.Add(id);
        cancellationToken.ThrowIfCancellationRequested();

        // Which members are stored, and which hold state that would be lost, is one rule shared with the analyzer
        // (Shared/StoredMembers.cs). A refused member makes the codec an #error, never a codec that drops it.
        var unstored = StoredMembers.FindUnstored(type, assembly)
            .Select(u => $"{u.Kind} '{u.Member.Name}' of '{u.Member.ContainingType.Name}' would not be stored: {u.Reason} (ES0010)")
            .ToList();
        var properties = new List<(IPropertySymbol Symbol, JsonPropertyModel Model)>();
        foreach (var property in StoredMembers.SerializedProperties(type, assembly))
        {
            var shape = GetShape(property.Type, property.NullableAnnotation);
            if (shape is null)
            {
                unstored.Add($"property '{property.Name}' of '{property.ContainingType.Name}' would not be stored: its type cannot be serialized (ES0008)");
                continue;
            }

            var model = new JsonPropertyModel(property.Name, StoredMembers.JsonName(property), shape, Assignment.WriteOnly, property.IsRequired);
            if (isEvent)
            {
                // Personal data is encrypted where an event holds it: its own properties (ES0022 reports marks elsewhere).
                model = model with
                {
                    PersonalMask = PersonalDataMarks.MaskExpression(property, shape),
                    IsSubject = PersonalDataMarks.IsSubject(property) && !properties.Any(p => p.Model.IsSubject),
                };
            }

            properties.Add((property, model));
        }

        var constructor = StoredMembers.ChooseConstructor(type, properties.Select(p => p.Symbol.Name).ToList(), assembly);
        var arguments = new List<ConstructorArgument>();
        var passed = new HashSet<int>();
        if (constructor is not null)
        {
            foreach (var parameter in constructor.Parameters)
            {
                var index = properties.FindIndex(p => SymbolEqualityComparer.Default.Equals(StoredMembers.ParameterFor(constructor, p.Symbol), parameter));
                if (index >= 0)
                {
                    passed.Add(index);
                    arguments.Add(new ConstructorArgument(index, DefaultExpression(parameter)));
                }
                else
                {
                    arguments.Add(new ConstructorArgument(-1, DefaultExpression(parameter)));
                }
            }
        }

        var models = new List<JsonPropertyModel>(properties.Count);
        for (var i = 0; i < properties.Count; i++)
        {
            var (symbol, model) = properties[i];
            var assignment = passed.Contains(i) ? Assignment.Constructor : GetAssignment(type, symbol);
            models.Add(assignment == Assignment.Accessor ? WithAccessor(model with { Assignment = assignment }, symbol) : model with { Assignment = assignment });
        }

        _objects[id] = new ObjectCodecModel(
            type.ToFullyQualifiedName(),
            id,
            type.IsValueType,
            isEvent,
            models.ToEquatableArray(),
            arguments.ToEquatableArray())
        {
            Unstored = unstored.ToEquatableArray(),
        };
        return id;
    }

    private TypeShape? GetShape(ITypeSymbol type, NullableAnnotation annotation)
    {
        var isReference = type.IsReferenceType;
        var allowsNull = isReference && annotation == NullableAnnotation.Annotated;
        var name = type.ToFullyQualifiedName();

        var primitive = PrimitiveName(type);
        if (primitive is not null)
        {
            return new TypeShape(ShapeKind.Primitive, name, primitive, isReference, allowsNull);
        }

        switch (type)
        {
            case INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable:
                var inner = GetShape(nullable.TypeArguments[0], NullableAnnotation.NotAnnotated);
                return inner is null ? null : new TypeShape(ShapeKind.Nullable, name, string.Empty, false, true) { Element = inner };

            case INamedTypeSymbol { TypeKind: TypeKind.Enum } enumType:
                return new TypeShape(ShapeKind.Enum, name, AddEnum(enumType), false, false);

            case IArrayTypeSymbol { Rank: 1 } array:
                var item = GetShape(array.ElementType, array.ElementNullableAnnotation);
                return item is null ? null : new TypeShape(ShapeKind.Collection, name, string.Empty, true, allowsNull, CollectionKind.Array) { Element = item };

            case INamedTypeSymbol { IsGenericType: true } generic when CollectionKindOf(generic) is { } kind:
                var element = GetShape(generic.TypeArguments[0], generic.TypeArgumentNullableAnnotations[0]);
                return element is null ? null : new TypeShape(ShapeKind.Collection, name, string.Empty, isReference, allowsNull, kind) { Element = element };

            case INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 2 } dictionary when IsDictionary(dictionary):
                var key = GetShape(dictionary.TypeArguments[0], NullableAnnotation.NotAnnotated);
                var value = GetShape(dictionary.TypeArguments[1], dictionary.TypeArgumentNullableAnnotations[1]);
                return key is { Kind: ShapeKind.Primitive, CodecId: "String" or "Int32" or "Int64" or "Guid" } && value is not null
                    ? new TypeShape(ShapeKind.Dictionary, name, string.Empty, true, allowsNull) { Key = key, Element = value }
                    : null;

            // An event inside another event would lose its own Id, CreatedAt and Metadata (they are stored beside a
            // payload, not in it), so it is not a supported property type (ES0008 reports it).
            case INamedTypeSymbol named when StoredMembers.ObjectProblem(named) is null:
                return new TypeShape(ShapeKind.Object, name, AddObject(named, isEvent: false), isReference, allowsNull);

            default:
                return null;
        }
    }

    private string AddEnum(INamedTypeSymbol type)
    {
        var id = ToCodecId(type);
        if (!_enums.ContainsKey(id))
        {
            var values = new HashSet<object?>();
            var members = type.GetMembers().OfType<IFieldSymbol>()
                .Where(f => f.IsConst)
                .Select(f => new EnumMember(f.Name, values.Add(f.ConstantValue)))
                .ToEquatableArray();
            var isFlags = type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "System.FlagsAttribute");
            _enums[id] = new EnumCodecModel(type.ToFullyQualifiedName(), id, members, isFlags);
        }

        return id;
    }

    private static string? PrimitiveName(ITypeSymbol type)
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

        return type.ToFullyQualifiedName() switch
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

        return type.OriginalDefinition.ToDisplayString() switch
        {
            "System.Collections.Generic.List<T>" or "System.Collections.Generic.IList<T>"
                or "System.Collections.Generic.IReadOnlyList<T>" or "System.Collections.Generic.ICollection<T>"
                or "System.Collections.Generic.IReadOnlyCollection<T>" or "System.Collections.Generic.IEnumerable<T>" => CollectionKind.List,
            "System.Collections.Generic.HashSet<T>" or "System.Collections.Generic.ISet<T>"
                or "System.Collections.Generic.IReadOnlySet<T>" => CollectionKind.HashSet,
            "System.Collections.Immutable.ImmutableArray<T>" => CollectionKind.ImmutableArray,
            _ => null,
        };
    }

    private static bool IsDictionary(INamedTypeSymbol type) => type.OriginalDefinition.ToDisplayString() is
        "System.Collections.Generic.Dictionary<TKey, TValue>" or "System.Collections.Generic.IDictionary<TKey, TValue>"
        or "System.Collections.Generic.IReadOnlyDictionary<TKey, TValue>";

    /// <summary>What the emitter needs to declare the <c>[UnsafeAccessor]</c> to the setter of <paramref name="property"/>.</summary>
    private static JsonPropertyModel WithAccessor(JsonPropertyModel model, IPropertySymbol property)
    {
        var declaring = property.ContainingType;
        var parameters = new List<string>();
        var arguments = new List<string>();
        for (var current = declaring; current is not null; current = current.ContainingType)
        {
            parameters.InsertRange(0, current.OriginalDefinition.TypeParameters.Select(p => p.Name));
            arguments.InsertRange(0, current.TypeArguments.Select(a => a.ToFullyQualifiedName()));
        }

        if (parameters.Count == 0)
        {
            return model with { DeclaringTypeName = declaring.ToFullyQualifiedName() };
        }

        return model with
        {
            DeclaringTypeName = declaring.OriginalDefinition.ToFullyQualifiedName(),
            AccessorValueType = property.OriginalDefinition.Type.ToFullyQualifiedName(),
            AccessorTypeParameters = string.Join(", ", parameters),
            AccessorTypeArguments = string.Join(", ", arguments),
        };
    }

    private Assignment GetAssignment(INamedTypeSymbol type, IPropertySymbol property)
    {
        if (property.SetMethod is not { } setter)
        {
            return Assignment.WriteOnly;
        }

        if (StoredMembers.NeedsSetterAccessor(property, assembly))
        {
            return Assignment.Accessor; // private/protected set or init: through [UnsafeAccessor], after construction
        }

        if (property.IsRequired)
        {
            return Assignment.Initializer;
        }

        if (!setter.IsInitOnly)
        {
            return Assignment.SetIfPresent;
        }

        // An init property keeps its own initializer when the JSON lacks it, where C# allows: with `with` on records.
        return type.IsRecord && HasOwnInitializer(property) ? Assignment.WithIfPresent : Assignment.Initializer;
    }

    private bool HasOwnInitializer(IPropertySymbol property)
    {
        if (property.DeclaringSyntaxReferences.Length == 0)
        {
            return true; // from metadata: we cannot see it, so keep whatever the type sets
        }

        return property.DeclaringSyntaxReferences
            .Select(r => r.GetSyntax(cancellationToken))
            .OfType<PropertyDeclarationSyntax>()
            .Any(p => p.Initializer is not null);
    }

    private static string DefaultExpression(IParameterSymbol parameter)
    {
        var type = parameter.Type.ToFullyQualifiedName();
        if (!parameter.HasExplicitDefaultValue || parameter.ExplicitDefaultValue is null)
        {
            return "default!";
        }

        var literal = SymbolDisplay.FormatPrimitive(parameter.ExplicitDefaultValue, quoteStrings: true, useHexadecimalNumbers: false);
        return $"({type})({literal})";
    }

    private static bool HasAttribute(ISymbol symbol, string metadataName)
        => symbol.GetAttributes().Any(a => a.AttributeClass is { } c && c.IsNamed(metadataName));
}
