using EventSourcery.Generators.Helpers;

namespace EventSourcery.Generators.Models;

/// <summary>How a value of some type is written and read.</summary>
internal enum ShapeKind
{
    /// <summary>A type Utf8JsonWriter/Reader handle directly (numbers, string, Guid, dates…).</summary>
    Primitive,

    /// <summary>An enum, written as its member name.</summary>
    Enum,

    /// <summary>A class, record or struct with its own generated codec.</summary>
    Object,

    /// <summary><c>Nullable&lt;T&gt;</c>; <see cref="TypeShape.Element"/> is T.</summary>
    Nullable,

    /// <summary>A sequence written as a JSON array; <see cref="TypeShape.Element"/> is the item.</summary>
    Collection,

    /// <summary>A dictionary written as a JSON object; <see cref="TypeShape.Key"/> and <see cref="TypeShape.Element"/>.</summary>
    Dictionary,
}

/// <summary>How a collection is rebuilt after reading its items into a List.</summary>
internal enum CollectionKind
{
    List,
    Array,
    HashSet,
    ImmutableArray,
}

/// <summary>The value-equatable description of a property type, recursive for nullable, collection and dictionary types.</summary>
/// <param name="Kind">How the value is written and read.</param>
/// <param name="TypeName">The fully qualified type (without nullable annotation).</param>
/// <param name="CodecId">For objects and enums: the identifier of the generated codec methods; for primitives: the primitive's name.</param>
/// <param name="IsReferenceType">Whether the value can be null at run time.</param>
/// <param name="AllowsNull">Whether null is accepted (nullable reference or Nullable&lt;T&gt;).</param>
/// <param name="Collection">How a collection is rebuilt.</param>
internal sealed record TypeShape(
    ShapeKind Kind,
    string TypeName,
    string CodecId,
    bool IsReferenceType,
    bool AllowsNull,
    CollectionKind Collection = CollectionKind.List)
{
    public TypeShape? Element { get; init; }

    public TypeShape? Key { get; init; }

    /// <summary>The type of a local holding a value of this shape (a nullable reference type keeps its annotation).</summary>
    public string LocalTypeName => IsReferenceType && AllowsNull ? TypeName + "?" : TypeName;
}

/// <summary>How a read value reaches the object.</summary>
internal enum Assignment
{
    /// <summary>A constructor argument.</summary>
    Constructor,

    /// <summary>In the object initializer, always (init or set without an initializer of its own).</summary>
    Initializer,

    /// <summary>Assigned after construction, only when present (settable with its own initializer).</summary>
    SetIfPresent,

    /// <summary>A record's init property with its own initializer: set with <c>with</c>, only when present.</summary>
    WithIfPresent,

    /// <summary>
    /// A <c>private</c>/<c>protected</c> <c>set</c> or <c>init</c>: assigned after construction, only when present,
    /// through an <c>[UnsafeAccessor]</c> to the setter (no reflection).
    /// </summary>
    Accessor,

    /// <summary>Written only: a computed property (no backing field, no setter), which holds no state of its own.</summary>
    WriteOnly,
}

/// <summary>One serialized property; <paramref name="IsRequired"/> for a C# <c>required</c> member.</summary>
internal sealed record JsonPropertyModel(string Name, string JsonName, TypeShape Shape, Assignment Assignment, bool IsRequired = false)
{
    /// <summary>
    /// For <see cref="Assignment.Accessor"/>: the fully qualified type declaring the setter. When it is generic, its
    /// open definition (<c>global::Base&lt;T&gt;</c>): an <c>[UnsafeAccessor]</c> on a generic type must be declared in a
    /// generic class with the same type parameters.
    /// </summary>
    public string DeclaringTypeName { get; init; } = string.Empty;

    /// <summary>For a generic declaring type: the setter's parameter type in terms of its type parameters (<c>T</c>).</summary>
    public string AccessorValueType { get; init; } = string.Empty;

    /// <summary>For a generic declaring type: its type parameters (<c>T</c>) and the arguments this type binds (<c>int</c>).</summary>
    public string AccessorTypeParameters { get; init; } = string.Empty;

    /// <inheritdoc cref="AccessorTypeParameters"/>
    public string AccessorTypeArguments { get; init; } = string.Empty;

    /// <summary>For an event's <c>[PersonalData]</c> property: the expression of the value it reads as once shredded; null otherwise.</summary>
    public string? PersonalMask { get; init; }

    /// <summary>Whether this is an event's <c>[DataSubject]</c> property (the first one, when an event marks several: ES0018).</summary>
    public bool IsSubject { get; init; }
}

/// <summary>One constructor argument: the property it comes from (index into the properties) or a default expression.</summary>
internal sealed record ConstructorArgument(int PropertyIndex, string DefaultExpression);

/// <summary>A generated codec for a class, record or struct (events included).</summary>
internal sealed record ObjectCodecModel(
    string TypeName,
    string CodecId,
    bool IsValueType,
    bool IsEvent,
    EquatableArray<JsonPropertyModel> Properties,
    EquatableArray<ConstructorArgument> ConstructorArguments)
{
    /// <summary>
    /// Members that hold state but would not be stored (ES0010, ES0008), as messages: the codec is emitted with an
    /// <c>#error</c> for each, so a build that silences the analyzer still cannot ship a codec that drops data.
    /// </summary>
    public EquatableArray<string> Unstored { get; init; }
}

/// <summary>One enum member; <paramref name="IsFirstOfValue"/> is false for an alias of an earlier member's value.</summary>
internal sealed record EnumMember(string Name, bool IsFirstOfValue);

/// <summary>A generated codec for an enum.</summary>
internal sealed record EnumCodecModel(string TypeName, string CodecId, EquatableArray<EnumMember> Members, bool IsFlags);

/// <summary>One concrete event: its registration and every codec its payload needs (its own first).</summary>
internal sealed record EventModel(
    string TypeName,
    string CodecId,
    string StableName,
    int SchemaVersion,
    EquatableArray<ObjectCodecModel> Objects,
    EquatableArray<EnumCodecModel> Enums);
