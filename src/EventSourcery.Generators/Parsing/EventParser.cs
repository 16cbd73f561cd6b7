using System.Linq;
using System.Threading;
using EventSourcery.Generators.Helpers;
using EventSourcery.Generators.Models;
using EventSourcery.Shapes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace EventSourcery.Generators.Parsing;

/// <summary>Reads concrete event records into <see cref="EventModel"/>s.</summary>
internal static class EventParser
{
    /// <summary>
    /// Cheap syntax filter: a record class with a base list. Events derive from the <c>Event</c> record, and only a
    /// record can derive from a record, so a plain class (or a struct) is never one.
    /// </summary>
    public static bool IsCandidate(SyntaxNode node, CancellationToken cancellationToken)
        => node is RecordDeclarationSyntax { BaseList: not null, ClassOrStructKeyword.RawKind: not (int)SyntaxKind.StructKeyword };

    public static EventModel? Parse(GeneratorSyntaxContext context, CancellationToken cancellationToken)
    {
        var declaration = (TypeDeclarationSyntax)context.Node;
        if (context.SemanticModel.GetDeclaredSymbol(declaration, cancellationToken) is not INamedTypeSymbol type
            || type.IsAbstract
            || type.IsGenericType
            || !type.InheritsFrom(KnownNames.Event)
            || !StoredMembers.IsReachableFromAssembly(type))
        {
            return null;
        }

        if (!IsFirstWithBaseList(type, declaration, cancellationToken))
        {
            return null;
        }

        var (name, version) = GetStableName(type);
        var typeName = type.ToFullyQualifiedName();
        var builder = new CodecBuilder(context.SemanticModel.Compilation.Assembly, cancellationToken);
        var codecId = builder.AddEvent(type, typeName);
        return new EventModel(
            typeName,
            codecId,
            name,
            version,
            builder.Objects,
            builder.Enums);
    }

    /// <summary>True when <paramref name="declaration"/> is the first declaration of <paramref name="type"/> with a base list.</summary>
    private static bool IsFirstWithBaseList(INamedTypeSymbol type, TypeDeclarationSyntax declaration, CancellationToken cancellationToken)
    {
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax { BaseList: not null } first)
            {
                return first == declaration;
            }
        }

        return false;
    }

    /// <summary>The <c>[EventName]</c> name and version, or the type's simple name and version 1.</summary>
    public static (string Name, int Version) GetStableName(INamedTypeSymbol type)
    {
        foreach (var attribute in type.GetAttributes())
        {
            if (attribute.AttributeClass is { } attributeClass && attributeClass.IsNamed(KnownNames.EventNameAttribute)
                && attribute.ConstructorArguments.Length == 1
                && attribute.ConstructorArguments[0].Value is string { Length: > 0 } name)
            {
                var version = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Version").Value.Value as int? ?? 1;
                return (name, version);
            }
        }

        return (type.Name, 1);
    }
}
