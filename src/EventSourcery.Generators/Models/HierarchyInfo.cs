using EventSourcery.Generators.Helpers;

namespace EventSourcery.Generators.Models;

/// <summary>One type declaration to reopen: its keyword (<c>class</c>, <c>record struct</c>…) and name with type parameters.</summary>
internal sealed record TypeDeclaration(string Keyword, string NameWithTypeParameters);

/// <summary>Where a type lives, as strings, so the emitter can reopen the exact declaration (namespace and containing types).</summary>
internal sealed record HierarchyInfo(string Namespace, EquatableArray<TypeDeclaration> ContainingTypes, TypeDeclaration Type, string FullyQualifiedName, string HintName);
