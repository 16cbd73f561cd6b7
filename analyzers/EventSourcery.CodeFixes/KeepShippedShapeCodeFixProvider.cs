using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using EventSourcery.Analyzers;
using EventSourcery.Analyzers.Versioning;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace EventSourcery.CodeFixes;

/// <summary>
/// ES0012: keeps the shipped shape and moves the event on one version. The event's <c>[EventName]</c> gets version
/// n + 1; the shape EventSchemas.Shipped.txt records for version n becomes a record of its own
/// (<c>[EventName(name, Version = n)] OrderPlacedV1(...)</c>); and an <c>[Upcaster]</c> reads it as the event, copying
/// every property both have. When the event has a constructor parameter without a default that version n did not
/// store, the upcaster leaves it out, with a comment naming it: the build fails until you choose the value (a guess
/// would read wrong data, and a throw would fail only when old events are read).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(KeepShippedShapeCodeFixProvider))]
[Shared]
public sealed class KeepShippedShapeCodeFixProvider : CodeFixProvider
{
    /// <summary>Equivalence key of the fix.</summary>
    public const string EquivalenceKey = DiagnosticDescriptors.ShippedShapeChangedId + "_KeepShippedShape";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.ShippedShapeChangedId);

    /// <inheritdoc />
    public override FixAllProvider? GetFixAllProvider() => null; // each event's new version is a decision of its own

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span).FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } declaration)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            if (diagnostic.Properties.TryGetValue(DiagnosticDescriptors.ShippedNameProperty, out var name) && name is { Length: > 0 }
                && diagnostic.Properties.TryGetValue(DiagnosticDescriptors.ShippedVersionProperty, out var versionText)
                && int.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out var version)
                && diagnostic.Properties.TryGetValue(DiagnosticDescriptors.ShippedShapeProperty, out var shape)
                && ShippedSchemas.ParseShape(shape ?? string.Empty) is { } shipped)
            {
                var oldName = $"{declaration.Identifier.ValueText}V{version.ToString(CultureInfo.InvariantCulture)}";
                context.RegisterCodeFix(
                    CodeAction.Create(
                        $"Keep the shipped v{version} as '{oldName}' and read it with an [Upcaster]",
                        cancellationToken => FixAsync(context.Document, declaration, name, version, shipped, cancellationToken),
                        EquivalenceKey),
                    diagnostic);
            }
        }
    }

    private static async Task<Document> FixAsync(Document document, TypeDeclarationSyntax declaration, string name, int version, List<KeyValuePair<string, string>> shipped, CancellationToken cancellationToken)
    {
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (model?.GetDeclaredSymbol(declaration, cancellationToken) is not { } type || root is null)
        {
            return document;
        }

        var typeName = declaration.Identifier.ValueText;
        var oldName = $"{typeName}V{version.ToString(CultureInfo.InvariantCulture)}";
        var container = (INamespaceOrTypeSymbol?)type.ContainingType ?? type.ContainingNamespace;
        var upcastsName = UniqueName(container, typeName + "Upcasts");
        var newLine = NewLine(root);
        var members = SyntaxFactory.ParseCompilationUnit(OldShape(name, version, oldName, shipped) + Upcaster(type, declaration, name, version, oldName, upcastsName, shipped))
            .Members
            .Select(m => m.WithLeadingTrivia(m.GetLeadingTrivia().Where(t => !t.IsKind(SyntaxKind.EndOfLineTrivia)).Prepend(newLine)).WithAdditionalAnnotations(Formatter.Annotation))
            .ToArray();
        if (!declaration.GetTrailingTrivia().Any(t => t.IsKind(SyntaxKind.EndOfLineTrivia)))
        {
            members[0] = members[0].WithLeadingTrivia(members[0].GetLeadingTrivia().Insert(0, newLine)); // the declaration ended the file
        }

        var marker = new SyntaxAnnotation();
        var newRoot = root.ReplaceNode(declaration, WithVersion(declaration, name, version + 1).WithAdditionalAnnotations(Formatter.Annotation, marker));
        newRoot = newRoot.InsertNodesAfter(newRoot.GetAnnotatedNodes(marker).Single(), members);
        return await Formatter.FormatAsync(document.WithSyntaxRoot(newRoot), Formatter.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A blank line before each added member, in the document's own line ending.</summary>
    private static SyntaxTrivia NewLine(SyntaxNode root)
        => root.DescendantTrivia().FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia)) is { RawKind: not 0 } existing ? existing : SyntaxFactory.EndOfLine("\n");

    /// <summary>The declaration with <c>[EventName("name", Version = n)]</c> in place of the one it has (or added).</summary>
    private static TypeDeclarationSyntax WithVersion(TypeDeclarationSyntax declaration, string name, int version)
    {
        var attribute = SyntaxFactory.ParseCompilationUnit($"[EventName(\"{Escape(name)}\", Version = {version.ToString(CultureInfo.InvariantCulture)})] class C {{ }}")
            .Members[0].AttributeLists[0];
        foreach (var list in declaration.AttributeLists)
        {
            foreach (var existing in list.Attributes)
            {
                var simple = existing.Name switch
                {
                    QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
                    SimpleNameSyntax plain => plain.Identifier.ValueText,
                    _ => string.Empty,
                };
                if (simple is "EventName" or "EventNameAttribute")
                {
                    var replaced = existing.WithArgumentList(attribute.Attributes[0].ArgumentList);
                    return declaration.ReplaceNode(existing, replaced);
                }
            }
        }

        return declaration.WithAttributeLists(declaration.AttributeLists.Add(attribute.WithTrailingTrivia(SyntaxFactory.ElasticCarriageReturnLineFeed)))
            .WithLeadingTrivia(declaration.GetLeadingTrivia());
    }

    private static string OldShape(string name, int version, string oldName, List<KeyValuePair<string, string>> shipped)
    {
        var parameters = string.Join(", ", shipped.Select(p => JsonAttribute(p.Key) + $"{p.Value} {Pascal(p.Key)}"));
        return $$"""

            /// <summary>Version {{version}} of '{{Escape(name)}}' as it shipped (EventSchemas.Shipped.txt), kept to read the events stored with it.</summary>
            [EventName("{{Escape(name)}}", Version = {{version}})]
            public sealed record {{oldName}}({{parameters}});

            """;
    }

    private static string Upcaster(INamedTypeSymbol type, TypeDeclarationSyntax declaration, string name, int version, string oldName, string upcastsName, List<KeyValuePair<string, string>> shipped)
    {
        var stored = shipped.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var arguments = new List<string>();
        var missing = new List<string>();
        foreach (var parameter in declaration.ParameterList?.Parameters ?? default)
        {
            var parameterName = parameter.Identifier.ValueText;
            var jsonName = JsonName(type, parameterName);
            if (stored.TryGetValue(jsonName, out var storedType) && Compatible(storedType, parameter.Type?.ToString()))
            {
                arguments.Add($"{parameterName}: old.{Pascal(jsonName)}");
            }
            else if (parameter.Default is null)
            {
                missing.Add($"'{jsonName}'");
            }
        }

        // A value the shipped version did not store is left out: the build fails (CS7036, naming the parameter) until
        // you pass the value old events read with. A guess would read wrong data; a throw would fail only in production.
        var gap = missing.Count == 0
            ? string.Empty
            : $"{(arguments.Count == 0 ? "" : " ")}/* version {version} stored no {string.Join(", ", missing)}: pass the value events stored before version {version + 1} read with */";
        var body = $"new({string.Join(", ", arguments)}{gap})";
        return $$"""
            /// <summary>Reads version {{version}} of '{{Escape(name)}}' as version {{version + 1}}.</summary>
            public static class {{upcastsName}}
            {
                [Upcaster]
                public static {{declaration.Identifier.ValueText}} FromV{{version}}({{oldName}} old) => {{body}};
            }

            """;
    }

    /// <summary>The stored JSON name of the property a primary-constructor parameter declares.</summary>
    private static string JsonName(INamedTypeSymbol type, string parameterName)
    {
        var property = type.GetMembers(parameterName).OfType<IPropertySymbol>().FirstOrDefault();
        return property is null ? Camel(parameterName) : EventSourcery.Shapes.StoredMembers.JsonName(property);
    }

    private static bool Compatible(string stored, string? current)
        => current is not null && (current == stored || current == stored + "?");

    private static string JsonAttribute(string jsonName)
        => Camel(Pascal(jsonName)) == jsonName ? string.Empty : $"[property: System.Text.Json.Serialization.JsonPropertyName(\"{Escape(jsonName)}\")] ";

    private static string Pascal(string jsonName)
    {
        var builder = new StringBuilder(jsonName.Length);
        var upper = true;
        foreach (var c in jsonName)
        {
            if (!char.IsLetterOrDigit(c))
            {
                upper = true;
                continue;
            }

            builder.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }

        return builder.Length == 0 || char.IsDigit(builder[0]) ? "P" + builder : builder.ToString();
    }

    private static string Camel(string name) => name.Length == 0 || !char.IsUpper(name[0]) ? name : char.ToLowerInvariant(name[0]) + name.Substring(1);

    private static string UniqueName(INamespaceOrTypeSymbol? container, string name)
    {
        var candidate = name;
        for (var i = 2; container is not null && !container.GetMembers(candidate).IsEmpty; i++)
        {
            candidate = name + i.ToString(CultureInfo.InvariantCulture);
        }

        return candidate;
    }

    private static string Escape(string text) => text.Replace("\\", "\\\\").Replace("\"", "\\\"");
}
