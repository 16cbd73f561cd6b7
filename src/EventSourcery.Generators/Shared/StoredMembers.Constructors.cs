using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace EventSourcery.Shapes;

// Compiled into both the generator and the analyzer, as StoredMembers.cs is (see there).

/// <summary>Which constructor the generated reader calls, and which of its parameters sets which property.</summary>
internal static partial class StoredMembers
{
    /// <summary>
    /// The constructor the generated reader calls: the longest accessible one whose parameters all name serialized
    /// properties, else the parameterless one, else the longest accessible one.
    /// </summary>
    public static IMethodSymbol? ChooseConstructor(INamedTypeSymbol type, IReadOnlyCollection<string> propertyNames, IAssemblySymbol assembly)
        => ChooseConstructor(type, type.InstanceConstructors, propertyNames, null, assembly);

    /// <summary>
    /// <see cref="ChooseConstructor(INamedTypeSymbol, IReadOnlyCollection{string}, IAssemblySymbol)"/> given the type's
    /// <paramref name="constructors"/> and the <paramref name="properties"/> whose names count.
    /// </summary>
    public static IMethodSymbol? ChooseConstructor(INamedTypeSymbol type, ImmutableArray<IMethodSymbol> constructors, List<IPropertySymbol> properties, IAssemblySymbol assembly)
        => ChooseConstructor(type, constructors, null, properties, assembly);

    private static IMethodSymbol? ChooseConstructor(
        INamedTypeSymbol type, ImmutableArray<IMethodSymbol> constructors, IReadOnlyCollection<string>? propertyNames, List<IPropertySymbol>? properties, IAssemblySymbol assembly)
    {
        // Loops rather than LINQ: the generator runs this for every event on every edit. Ties go to the first declared.
        IMethodSymbol? matching = null, parameterless = null, longest = null;
        foreach (var candidate in constructors)
        {
            if (!IsAccessible(candidate, assembly) || IsCopyConstructor(type, candidate))
            {
                continue;
            }

            var parameters = candidate.Parameters;
            var count = parameters.Length;
            parameterless ??= count == 0 ? candidate : null;
            longest = longest is null || count > longest.Parameters.Length ? candidate : longest;
            if (count > 0 && (matching is null || count > matching.Parameters.Length) && NamesProperties(parameters, propertyNames, properties))
            {
                matching = candidate;
            }
        }

        return matching ?? parameterless ?? longest;
    }

    private static bool NamesProperties(ImmutableArray<IParameterSymbol> parameters, IReadOnlyCollection<string>? propertyNames, List<IPropertySymbol>? properties)
    {
        foreach (var parameter in parameters)
        {
            if (propertyNames is not null ? !ContainsIgnoringCase(propertyNames, parameter.Name) : !NamesOne(properties!, parameter.Name))
            {
                return false;
            }
        }

        return true;
    }

    private static bool NamesOne(List<IPropertySymbol> properties, string name)
    {
        foreach (var property in properties)
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool ContainsIgnoringCase(IReadOnlyCollection<string> names, string name)
    {
        if (names is not IReadOnlyList<string> list)
        {
            return names.Contains(name, StringComparer.OrdinalIgnoreCase);
        }

        for (var i = 0; i < list.Count; i++)
        {
            if (string.Equals(list[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The parameter of <paramref name="constructor"/> that sets <paramref name="property"/>: same name (any case), same type.</summary>
    public static IParameterSymbol? ParameterFor(IMethodSymbol? constructor, IPropertySymbol property)
        => constructor is null ? null : ParameterFor(constructor.Parameters, property);

    /// <summary><see cref="ParameterFor(IMethodSymbol?, IPropertySymbol)"/> among a constructor's <paramref name="parameters"/>.</summary>
    public static IParameterSymbol? ParameterFor(ImmutableArray<IParameterSymbol> parameters, IPropertySymbol property)
    {
        foreach (var parameter in parameters)
        {
            if (string.Equals(parameter.Name, property.Name, StringComparison.OrdinalIgnoreCase)
                && SymbolEqualityComparer.Default.Equals(
                    parameter.Type.WithNullableAnnotation(NullableAnnotation.NotAnnotated),
                    property.Type.WithNullableAnnotation(NullableAnnotation.NotAnnotated)))
            {
                return parameter;
            }
        }

        return null;
    }

    private static bool IsCopyConstructor(INamedTypeSymbol type, IMethodSymbol constructor)
        => constructor.Parameters is { Length: 1 } parameters && SymbolEqualityComparer.Default.Equals(parameters[0].Type, type);
}
