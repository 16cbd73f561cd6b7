using System.Collections.Generic;
using System.Linq;
using System.Threading;
using EventSourcery.Generators.Helpers;
using EventSourcery.Generators.Models;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace EventSourcery.Generators.Parsing;

/// <summary>Reads partial aggregates and their Apply methods into <see cref="AggregateModel"/>s.</summary>
internal static class AggregateParser
{
    /// <summary>Cheap syntax filter: a partial class with a base list (no semantic model needed).</summary>
    public static bool IsCandidate(SyntaxNode node, CancellationToken cancellationToken)
        => node is ClassDeclarationSyntax { BaseList: not null } declaration
           && declaration.Modifiers.Any(SyntaxKind.PartialKeyword);

    public static AggregateModel? Parse(GeneratorSyntaxContext context, CancellationToken cancellationToken)
    {
        var declaration = (ClassDeclarationSyntax)context.Node;
        if (context.SemanticModel.GetDeclaredSymbol(declaration, cancellationToken) is not INamedTypeSymbol type
            || !type.InheritsFrom(KnownNames.Aggregate))
        {
            return null;
        }

        // A partial class may repeat its base list on several declarations: generate once, for the first of them.
        ClassDeclarationSyntax? first = null;
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is ClassDeclarationSyntax { BaseList: not null } withBaseList)
            {
                first = withBaseList;
                break;
            }
        }

        if (first != declaration)
        {
            return null;
        }

        // Every containing type must be partial too, or the generated part cannot reopen the aggregate (ES0001).
        for (var parent = type.ContainingType; parent is not null; parent = parent.ContainingType)
        {
            if (!parent.DeclaringSyntaxReferences.Any(r => r.GetSyntax(cancellationToken) is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword)))
            {
                return null;
            }
        }

        var cases = new List<(string Name, int Depth)>();
        foreach (var member in type.GetMembers("Apply"))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (member is IMethodSymbol { IsStatic: false, IsGenericMethod: false, Parameters.Length: 1 } method
                && method.Parameters[0] is { RefKind: RefKind.None, Type: INamedTypeSymbol parameterType }
                && (parameterType.IsNamed(KnownNames.Event) || parameterType.InheritsFrom(KnownNames.Event)))
            {
                cases.Add((parameterType.ToFullyQualifiedName(), parameterType.InheritanceDepth()));
            }
        }

        // Derived types first, then by name; an event with two Apply overloads (an error) gets one case.
        cases.Sort(static (a, b) => a.Depth != b.Depth ? b.Depth.CompareTo(a.Depth) : string.CompareOrdinal(a.Name, b.Name));
        var names = new List<string>(cases.Count);
        for (var i = 0; i < cases.Count; i++)
        {
            if (i == 0 || cases[i] != cases[i - 1])
            {
                names.Add(cases[i].Name);
            }
        }

        var applyCases = new EquatableArray<string>(names.ToArray());

        var baseType = type.BaseType!;
        var fallsBackToBase = !baseType.IsNamed(KnownNames.Aggregate) && !baseType.IsNamed(KnownNames.Aggregate + "`1");
        var emitFactory = !type.IsAbstract && type.HasAccessibleParameterlessConstructor();
        return new AggregateModel(type.GetHierarchy("Aggregate"), applyCases, emitFactory, fallsBackToBase, ParseSnapshot(type, context.SemanticModel.Compilation.Assembly, cancellationToken));
    }

    /// <summary>The snapshot model when the aggregate itself declares ISnapshotable&lt;T&gt; (a base that declares it generates its own).</summary>
    private static SnapshotModel? ParseSnapshot(INamedTypeSymbol type, IAssemblySymbol assembly, CancellationToken cancellationToken)
    {
        var snapshotable = type.Interfaces.FirstOrDefault(i => i.IsNamed(KnownNames.Snapshotable));
        if (snapshotable is null || type.BaseType!.AllInterfaces.Any(i => i.IsNamed(KnownNames.Snapshotable)))
        {
            return null;
        }

        var builder = new CodecBuilder(assembly, cancellationToken);
        var codecId = builder.AddSnapshot(snapshotable.TypeArguments[0]);
        return codecId is null
            ? null
            : new SnapshotModel(snapshotable.TypeArguments[0].ToFullyQualifiedName(), codecId, builder.Fingerprint(), builder.Objects, builder.Enums);
    }
}
