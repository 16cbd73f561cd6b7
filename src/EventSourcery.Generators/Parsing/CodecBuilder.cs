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
    // An event needs few codecs (its own and those of the types its properties use), so lists searched in order, which
    // cost less to make than dictionaries: a builder is made for every event on every edit.
    private readonly List<(string Id, ObjectCodecModel? Model)> _objects = [];
    private List<EnumCodecModel>? _enums;

    /// <summary>The object codecs, in the order they were added (an event's own first).</summary>
    public EquatableArray<ObjectCodecModel> Objects
    {
        get
        {
            var objects = new ObjectCodecModel[_objects.Count];
            for (var i = 0; i < objects.Length; i++)
            {
                objects[i] = _objects[i].Model!;
            }

            return new EquatableArray<ObjectCodecModel>(objects);
        }
    }

    /// <summary>The enum codecs, sorted by codec id.</summary>
    public EquatableArray<EnumCodecModel> Enums
    {
        get
        {
            if (_enums is null)
            {
                return EquatableArray<EnumCodecModel>.Empty;
            }

            var enums = _enums.ToArray();
            Array.Sort(enums, static (a, b) => string.CompareOrdinal(a.CodecId, b.CodecId));
            return new EquatableArray<EnumCodecModel>(enums);
        }
    }

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

    // Runs for every event on every edit (the IDE re-runs the transform whenever the compilation changes), so each
    // symbol's name is built once and the loops allocate no LINQ iterators or closures.
    private string AddObject(INamedTypeSymbol type, string typeName, bool isEvent)
    {
        var id = ToCodecId(typeName);
        foreach (var added in _objects)
        {
            if (added.Id == id)
            {
                return id;
            }
        }

        var slot = _objects.Count;
        _objects.Add((id, null)); // in progress: a recursive reference finds the id and stops
        cancellationToken.ThrowIfCancellationRequested();

        // Which members are stored, and which hold state that would be lost, is one rule shared with the analyzer
        // (Shared/StoredMembers.cs). A refused member makes the codec an #error, never a codec that drops it.
        var members = type.GetMembers();
        var serialized = StoredMembers.SerializedProperties(type, assembly, members);
        var constructors = type.InstanceConstructors;
        var constructorOfAll = StoredMembers.ChooseConstructor(type, constructors, serialized, assembly);
        List<string>? unstored = null;
        foreach (var u in StoredMembers.FindUnstored(type, assembly, members, serialized, constructorOfAll))
        {
            (unstored ??= []).Add($"{u.Kind} '{u.Member.Name}' of '{u.Member.ContainingType.Name}' would not be stored: {u.Reason} (ES0010)");
        }

        var properties = new List<PropertyParts>(serialized.Count);
        var hasSubject = false;
        var primaryConstructor = isEvent ? PersonalDataMarks.PrimaryConstructor(constructors) : null;
        foreach (var property in serialized)
        {
            var shape = GetShape(property.Type, property.NullableAnnotation);
            if (shape is null)
            {
                (unstored ??= []).Add($"property '{property.Name}' of '{property.ContainingType.Name}' would not be stored: its type cannot be serialized (ES0008)");
                continue;
            }

            // Personal data is encrypted where an event holds it: its own properties (ES0022 reports marks elsewhere).
            var marks = isEvent ? PersonalDataMarks.Read(property, shape, hasSubject, primaryConstructor) : default;
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
            var readable = new List<IPropertySymbol>(properties.Count);
            foreach (var property in properties)
            {
                readable.Add(property.Symbol);
            }

            constructor = StoredMembers.ChooseConstructor(type, constructors, readable, assembly);
        }

        var arguments = Array.Empty<ConstructorArgument>();
        var passed = new bool[properties.Count];
        if (constructor is not null)
        {
            var parameters = constructor.Parameters;
            arguments = parameters.Length == 0 ? arguments : new ConstructorArgument[parameters.Length];
            for (var p = 0; p < parameters.Length; p++)
            {
                var index = IndexOfPropertySetBy(properties, parameters, parameters[p]);
                if (index >= 0)
                {
                    passed[index] = true;
                }

                arguments[p] = new ConstructorArgument(index, DefaultExpression(parameters[p]));
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

        _objects[slot] = (id, new ObjectCodecModel(typeName, id, type.IsValueType, isEvent, new EquatableArray<JsonPropertyModel>(models), new EquatableArray<ConstructorArgument>(arguments))
        {
            Unstored = unstored is null ? EquatableArray<string>.Empty : new EquatableArray<string>(unstored.ToArray()),
        });
        return id;
    }

    /// <summary>The index of the property <paramref name="parameter"/> sets (see <see cref="StoredMembers.ParameterFor(IMethodSymbol?, IPropertySymbol)"/>), or -1.</summary>
    private static int IndexOfPropertySetBy(List<PropertyParts> properties, System.Collections.Immutable.ImmutableArray<IParameterSymbol> parameters, IParameterSymbol parameter)
    {
        for (var i = 0; i < properties.Count; i++)
        {
            if (SymbolEqualityComparer.Default.Equals(StoredMembers.ParameterFor(parameters, properties[i].Symbol), parameter))
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
        if (SpecialShape(type, allowsNull) is { } special)
        {
            return special;
        }

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
        if (_enums?.Exists(e => e.CodecId == id) != true)
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

            (_enums ??= []).Add(new EnumCodecModel(typeName, id, new EquatableArray<EnumMember>(members.ToArray()), isFlags));
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
