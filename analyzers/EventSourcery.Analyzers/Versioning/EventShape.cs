using System;
using System.Collections.Generic;
using System.Linq;
using EventSourcery.Shapes;
using Microsoft.CodeAnalysis;

namespace EventSourcery.Analyzers.Versioning;

/// <summary>One stored property: its JSON name, its type as written in C#, and whether a payload must hold it.</summary>
internal readonly struct StoredProperty
{
    public StoredProperty(string jsonName, string type, bool required)
    {
        JsonName = jsonName;
        Type = type;
        Required = required;
    }

    public string JsonName { get; }

    /// <summary>The C# type, minimally qualified, with <c>?</c> when it accepts null.</summary>
    public string Type { get; }

    /// <summary>A payload without it fails to read (a constructor parameter without a default that cannot be null, or a <c>required</c> member).</summary>
    public bool Required { get; }
}

/// <summary>
/// The stored shape of an event version as EventSchemas.Shipped.txt writes it: the properties the generated codec stores,
/// by JSON name, with their types (<c>{currency: string; orderId: string; total: decimal}</c>). It is the same rule the
/// generator serializes by (Shared/StoredMembers.cs), so a change here is a change of what is stored.
/// </summary>
internal static class EventShape
{
    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.MinimallyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    public static List<StoredProperty> Describe(INamedTypeSymbol type, IAssemblySymbol assembly)
    {
        var properties = StoredMembers.SerializedProperties(type, assembly);
        var constructor = StoredMembers.ChooseConstructor(type, properties.Select(p => p.Name).ToList(), assembly);
        return properties
            .Select(p => new StoredProperty(StoredMembers.JsonName(p), p.Type.ToDisplayString(TypeFormat), IsRequired(p, constructor)))
            .OrderBy(p => p.JsonName, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The text of a shape: <c>{a: int; b: string?}</c>.</summary>
    public static string Format(IEnumerable<StoredProperty> properties)
        => "{" + string.Join("; ", properties.Select(p => $"{p.JsonName}: {p.Type}")) + "}";

    /// <summary>
    /// What makes <paramref name="current"/> unable to read a payload of <paramref name="shipped"/>: a property removed,
    /// retyped or no longer accepting null, or a property added that a payload must hold; empty when it reads them all.
    /// </summary>
    public static List<string> Incompatibilities(IReadOnlyDictionary<string, string> shipped, IReadOnlyList<StoredProperty> current)
    {
        var problems = new List<string>();
        var byName = current.ToDictionary(p => p.JsonName, StringComparer.Ordinal);
        foreach (var pair in shipped.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!byName.TryGetValue(pair.Key, out var now))
            {
                problems.Add($"'{pair.Key}' was removed");
            }
            else if (Strip(pair.Value) != Strip(now.Type))
            {
                problems.Add($"'{pair.Key}' changed from {pair.Value} to {now.Type}");
            }
            else if (pair.Value.EndsWith("?", StringComparison.Ordinal) && !now.Type.EndsWith("?", StringComparison.Ordinal))
            {
                problems.Add($"'{pair.Key}' no longer accepts null ({pair.Value} to {now.Type})");
            }
        }

        foreach (var added in current.Where(p => p.Required && !shipped.ContainsKey(p.JsonName)))
        {
            problems.Add($"'{added.JsonName}' was added and payloads must hold it (give it a default)");
        }

        return problems;
    }

    private static string Strip(string type) => type.EndsWith("?", StringComparison.Ordinal) ? type.Substring(0, type.Length - 1) : type;

    private static bool IsRequired(IPropertySymbol property, IMethodSymbol? constructor)
    {
        if (property.IsRequired)
        {
            return true;
        }

        var parameter = StoredMembers.ParameterFor(constructor, property);
        return parameter is not null
            && (!parameter.HasExplicitDefaultValue || parameter.ExplicitDefaultValue is null)
            && !AcceptsNull(property.Type);
    }

    private static bool AcceptsNull(ITypeSymbol type)
        => type.IsReferenceType
            ? type.NullableAnnotation != NullableAnnotation.NotAnnotated
            : type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T;
}
