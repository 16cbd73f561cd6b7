using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace EventSourcery.Analyzers.PersonalData;

/// <summary>
/// Finds <c>[DataSubject]</c> and <c>[PersonalData]</c> on a property. A positional record parameter marks the property
/// it declares whether the attribute sits on the parameter (<c>[PersonalData] string Email</c>) or on the property
/// (<c>[property: PersonalData] string Email</c>); an override is marked by the property it overrides (the attributes
/// are <c>Inherited = true</c>).
/// </summary>
internal sealed class PersonalDataMarks
{
    public PersonalDataMarks(INamedTypeSymbol? dataSubject, INamedTypeSymbol? personalData)
    {
        DataSubject = dataSubject;
        PersonalData = personalData;
    }

    /// <summary><c>EventSourcery.PersonalData.DataSubjectAttribute</c>, when the compilation has it.</summary>
    public INamedTypeSymbol? DataSubject { get; }

    /// <summary><c>EventSourcery.PersonalData.PersonalDataAttribute</c>, when the compilation has it.</summary>
    public INamedTypeSymbol? PersonalData { get; }

    /// <summary>True when <paramref name="property"/> (or what declares or overrides it) is <c>[DataSubject]</c>.</summary>
    public bool IsSubject(IPropertySymbol property) => Find(property, DataSubject, inherited: true).Count > 0;

    /// <summary>True when <paramref name="property"/> (or what declares or overrides it) is <c>[PersonalData]</c>.</summary>
    public bool IsPersonal(IPropertySymbol property) => Find(property, PersonalData, inherited: true).Count > 0;

    /// <summary>
    /// The <paramref name="attributeType"/> attributes marking <paramref name="property"/>: on the property, on the
    /// positional parameter that declares it and, when <paramref name="inherited"/>, on the properties it overrides.
    /// </summary>
    public static List<AttributeData> Find(IPropertySymbol property, INamedTypeSymbol? attributeType, bool inherited)
    {
        var found = new List<AttributeData>();
        if (attributeType is null)
        {
            return found;
        }

        for (IPropertySymbol? current = property; current is not null; current = inherited ? current.OverriddenProperty : null)
        {
            Add(found, current.GetAttributes(), attributeType);
            if (PositionalParameter(current) is { } parameter)
            {
                Add(found, parameter.GetAttributes(), attributeType);
            }
        }

        return found;
    }

    /// <summary>The primary-constructor parameter of a record that declares <paramref name="property"/>, or null.</summary>
    public static IParameterSymbol? PositionalParameter(IPropertySymbol property)
    {
        foreach (var reference in property.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax() is not ParameterSyntax)
            {
                continue;
            }

            foreach (var constructor in property.ContainingType.InstanceConstructors)
            {
                foreach (var parameter in constructor.Parameters)
                {
                    if (parameter.DeclaringSyntaxReferences.Any(r => r.SyntaxTree == reference.SyntaxTree && r.Span == reference.Span))
                    {
                        return parameter;
                    }
                }
            }
        }

        return null;
    }

    /// <summary>Where the attribute is written, or null when it is not in source.</summary>
    public static Location? LocationOf(AttributeData attribute, CancellationToken cancellationToken)
        => attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation();

    /// <summary>Where the attribute's first argument (a mask) is written, or null.</summary>
    public static Location? MaskLocationOf(AttributeData attribute, CancellationToken cancellationToken)
        => attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is AttributeSyntax { ArgumentList.Arguments: { Count: > 0 } arguments }
            ? arguments[0].GetLocation()
            : null;

    private static void Add(List<AttributeData> found, IEnumerable<AttributeData> attributes, INamedTypeSymbol attributeType)
    {
        foreach (var attribute in attributes)
        {
            if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, attributeType))
            {
                found.Add(attribute);
            }
        }
    }
}
