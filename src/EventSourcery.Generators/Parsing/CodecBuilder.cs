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
internal sealed partial class CodecBuilder(IAssemblySymbol assembly, CancellationToken cancellationToken)
{
    private readonly Dictionary<string, ObjectCodecModel?> _objects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EnumCodecModel> _enums = new(StringComparer.Ordinal);
    private readonly List<string> _objectOrder = [];

    public IEnumerable<ObjectCodecModel> Objects => _objectOrder.Select(id => _objects[id]!);

    public IEnumerable<EnumCodecModel> Enums => _enums.Values.OrderBy(e => e.CodecId, StringComparer.Ordinal);

    /// <summary>Adds the codecs of an event, <paramref name="typeName"/> its <see cref="SymbolExtensions.ToFullyQualifiedName"/>.</summary>
    public string AddEvent(INamedTypeSymbol type, string typeName) => AddObject(type, typeName, isEvent: true);

    /// <summary>Adds the codecs of an old event shape that an upcaster reads (an event's codec when it derives from Event).</summary>
    public string AddShape(INamedTypeSymbol type, bool isEvent) => AddObject(type, type.ToFullyQualifiedName(), isEvent);

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
    public static string ToCodecId(ITypeSymbol type) => ToCodecId(type.ToFullyQualifiedName());

    /// <inheritdoc cref="ToCodecId(ITypeSymbol)"/>
    /// <param name="typeName">The type's <see cref="SymbolExtensions.ToFullyQualifiedName"/>.</param>
    public static string ToCodecId(string typeName)
    {
        var name = typeName.Replace("global::", string.Empty);
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

    // Runs for every event on every edit (the IDE re-runs the transform whenever the compilation changes), so each
    // symbol's name is built once and the loops allocate no LINQ iterators or closures.
    private string AddObject(INamedTypeSymbol type, string typeName, bool isEvent)
    {
        var id = ToCodecId(typeName);
        if (_objects.ContainsKey(id))
        {
            return id;
        }

        _objects[id] = null; // in progress: a recursive reference finds the id and stops
        _objectOrder.Add(id);
        cancellationToken.ThrowIfCancellationRequested();

        // Which members are stored, and which hold state that would be lost, is one rule shared with the analyzer
        // (Shared/StoredMembers.cs). A refused member makes the codec an #error, never a codec that drops it.
        var serialized = StoredMembers.SerializedProperties(type, assembly);
        var serializedNames = StoredMembers.NamesOf(serialized);
        var constructorOfAll = StoredMembers.ChooseConstructor(type, serializedNames, assembly);
        var unstored = new List<string>();
        foreach (var u in StoredMembers.FindUnstored(type, assembly, serialized, constructorOfAll))
        {
            unstored.Add($"{u.Kind} '{u.Member.Name}' of '{u.Member.ContainingType.Name}' would not be stored: {u.Reason} (ES0010)");
        }

        var properties = new List<PropertyParts>(serialized.Count);
        var hasSubject = false;
        foreach (var property in serialized)
        {
            var shape = GetShape(property.Type, property.NullableAnnotation);
            if (shape is null)
            {
                unstored.Add($"property '{property.Name}' of '{property.ContainingType.Name}' would not be stored: its type cannot be serialized (ES0008)");
                continue;
            }

            // Personal data is encrypted where an event holds it: its own properties (ES0022 reports marks elsewhere).
            var marks = isEvent ? PersonalDataMarks.Read(property, shape, hasSubject) : default;
            hasSubject |= marks.IsSubject;
            properties.Add(new PropertyParts(property, shape, marks));
        }

        // The reader's constructor is chosen among the properties it can read: the same as above unless one was refused.
        IMethodSymbol? constructor;
        if (properties.Count == serialized.Count)
        {
            constructor = constructorOfAll;
        }
        else
        {
            var names = new List<string>(properties.Count);
            foreach (var property in properties)
            {
                names.Add(property.Symbol.Name);
            }

            constructor = StoredMembers.ChooseConstructor(type, names, assembly);
        }

        var arguments = new List<ConstructorArgument>();
        var passed = new bool[properties.Count];
        if (constructor is not null)
        {
            foreach (var parameter in constructor.Parameters)
            {
                var index = IndexOfPropertySetBy(properties, constructor, parameter);
                if (index >= 0)
                {
                    passed[index] = true;
                }

                arguments.Add(new ConstructorArgument(index, DefaultExpression(parameter)));
            }
        }

        var models = new JsonPropertyModel[properties.Count];
        for (var i = 0; i < properties.Count; i++)
        {
            var (symbol, shape, marks) = properties[i];
            var assignment = passed[i] ? Assignment.Constructor : GetAssignment(type, symbol);
            var model = new JsonPropertyModel(symbol.Name, StoredMembers.JsonName(symbol), shape, assignment, symbol.IsRequired)
            {
                PersonalMask = marks.Mask,
                IsSubject = marks.IsSubject,
            };
            models[i] = assignment == Assignment.Accessor ? WithAccessor(model, symbol) : model;
        }

        _objects[id] = new ObjectCodecModel(typeName, id, type.IsValueType, isEvent, new EquatableArray<JsonPropertyModel>(models), new EquatableArray<ConstructorArgument>(arguments.ToArray()))
        {
            Unstored = new EquatableArray<string>(unstored.ToArray()),
        };
        return id;
    }

    /// <summary>The index of the property <paramref name="parameter"/> sets (see <see cref="StoredMembers.ParameterFor"/>), or -1.</summary>
    private static int IndexOfPropertySetBy(List<PropertyParts> properties, IMethodSymbol constructor, IParameterSymbol parameter)
    {
        for (var i = 0; i < properties.Count; i++)
        {
            if (SymbolEqualityComparer.Default.Equals(StoredMembers.ParameterFor(constructor, properties[i].Symbol), parameter))
            {
                return i;
            }
        }

        return -1;
    }

    private TypeShape? GetShape(ITypeSymbol type, NullableAnnotation annotation)
    {
        var isReference = type.IsReferenceType;
        var allowsNull = isReference && annotation == NullableAnnotation.Annotated;
        var name = type.ToFullyQualifiedName();

        var primitive = PrimitiveName(type, name);
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
                return new TypeShape(ShapeKind.Enum, name, AddEnum(enumType, name), false, false);

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
                return new TypeShape(ShapeKind.Object, name, AddObject(named, name, isEvent: false), isReference, allowsNull);

            default:
                return null;
        }
    }

    private string AddEnum(INamedTypeSymbol type, string typeName)
    {
        var id = ToCodecId(typeName);
        if (!_enums.ContainsKey(id))
        {
            var values = new HashSet<object?>();
            var members = new List<EnumMember>();
            foreach (var member in type.GetMembers())
            {
                if (member is IFieldSymbol { IsConst: true } field)
                {
                    members.Add(new EnumMember(field.Name, values.Add(field.ConstantValue)));
                }
            }

            var isFlags = false;
            foreach (var attribute in type.GetAttributes())
            {
                isFlags |= attribute.AttributeClass is { ContainingType: null } attributeClass && StoredMembers.HasMetadataName(attributeClass, "System.FlagsAttribute");
            }

            _enums[id] = new EnumCodecModel(typeName, id, new EquatableArray<EnumMember>(members.ToArray()), isFlags);
        }

        return id;
    }

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

        foreach (var reference in property.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is PropertyDeclarationSyntax { Initializer: not null })
            {
                return true;
            }
        }

        return false;
    }

    private static string DefaultExpression(IParameterSymbol parameter)
    {
        if (!parameter.HasExplicitDefaultValue || parameter.ExplicitDefaultValue is null)
        {
            return "default!";
        }

        var literal = SymbolDisplay.FormatPrimitive(parameter.ExplicitDefaultValue, quoteStrings: true, useHexadecimalNumbers: false);
        return $"({parameter.Type.ToFullyQualifiedName()})({literal})";
    }

    /// <summary>A serialized property, the shape of its type and, for an event's own property, its personal-data marks.</summary>
    private readonly record struct PropertyParts(IPropertySymbol Symbol, TypeShape Shape, PersonalDataMarks.Marks Marks);
}
