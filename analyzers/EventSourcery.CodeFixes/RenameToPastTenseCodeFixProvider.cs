using System.Collections.Immutable;
using System.Linq;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using EventSourcery.Analyzers;
using EventSourcery.Analyzers.Naming;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Rename;

namespace EventSourcery.CodeFixes;

/// <summary>
/// ES0003: renames the event, and every reference to it, to the past-tense name the analyzer suggested; for an event
/// without <c>[EventName]</c> (stored under its type name), a second action renames it and keeps the stored name with
/// <c>[EventName("OldName")]</c>, so events stored before the rename keep reading.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RenameToPastTenseCodeFixProvider))]
[Shared]
public sealed class RenameToPastTenseCodeFixProvider : CodeFixProvider
{
    /// <summary>Equivalence key of the fix, stable so Fix All can group it.</summary>
    public const string EquivalenceKey = DiagnosticDescriptors.EventNameNotPastTenseId + "_RenameToPastTense";

    /// <summary>Equivalence key of the rename that keeps the stored name.</summary>
    public const string KeepStoredNameEquivalenceKey = DiagnosticDescriptors.EventNameNotPastTenseId + "_RenameKeepingStoredName";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.EventNameNotPastTenseId);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span) is not { } node || node.FirstAncestorOrSelf<BaseTypeDeclarationSyntax>() is not { } declaration)
        {
            return;
        }

        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (model?.GetDeclaredSymbol(declaration, context.CancellationToken) is not { } symbol)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(DiagnosticDescriptors.SuggestedNameProperty, out var newName)
                || string.IsNullOrEmpty(newName)
                || NameIsTaken(symbol, newName!)
                || !IsFirstClaimant(symbol, newName!))
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Rename to '{newName}'",
                    cancellationToken => RenameAsync(context.Document, declaration, newName!, cancellationToken),
                    EquivalenceKey),
                diagnostic);

            if (declaration is TypeDeclarationSyntax type
                && model.Compilation.GetTypeByMetadataName("EventSourcery.EventNameAttribute") is { } attributeType
                && !symbol.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, attributeType)))
            {
                context.RegisterCodeFix(
                    CodeAction.Create(
                        $"Rename to '{newName}' and keep the stored name '{symbol.Name}'",
                        cancellationToken => RenameKeepingStoredNameAsync(context.Document, type, attributeType, symbol.Name, newName!, cancellationToken),
                        KeepStoredNameEquivalenceKey),
                    diagnostic);
            }
        }
    }

    /// <summary>Adds <c>[EventName("OldName")]</c> to the declaration, then renames the type and its references.</summary>
    private static async Task<Solution> RenameKeepingStoredNameAsync(
        Document document,
        TypeDeclarationSyntax declaration,
        INamedTypeSymbol attributeType,
        string storedName,
        string newName,
        CancellationToken cancellationToken)
    {
        var marker = new SyntaxAnnotation();
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        var generator = editor.Generator;
        var attribute = generator.Attribute(
            generator.TypeExpression(attributeType, addImport: true),
            new[] { generator.AttributeArgument(generator.LiteralExpression(storedName)) });
        editor.ReplaceNode(declaration, (node, _) => generator.AddAttributes(node, attribute).WithAdditionalAnnotations(marker));
        var named = editor.GetChangedDocument();

        var root = await named.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await named.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root?.GetAnnotatedNodes(marker).FirstOrDefault() is not BaseTypeDeclarationSyntax renamed
            || model?.GetDeclaredSymbol(renamed, cancellationToken) is not { } symbol)
        {
            return named.Project.Solution;
        }

        return await Renamer.RenameSymbolAsync(named.Project.Solution, symbol, new SymbolRenameOptions(), newName, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A type of that name already exists beside the event: renaming would clash, so the user has to choose.</summary>
    private static bool NameIsTaken(ISymbol symbol, string newName)
    {
        var container = (INamespaceOrTypeSymbol?)symbol.ContainingType ?? symbol.ContainingNamespace;
        return container is not null && !container.GetMembers(newName).IsEmpty;
    }

    /// <summary>
    /// Fix All applies every rename at once, each computed against the unrenamed code, so two events that would get the
    /// same name (<c>CreateOrder</c> and <c>OrderCreate</c> both suggest <c>OrderCreated</c>) must not both be offered
    /// it: only the first, in ordinal name order, is; the other keeps its warning and, once the name exists, no fix.
    /// </summary>
    private static bool IsFirstClaimant(ISymbol symbol, string newName)
    {
        var container = (INamespaceOrTypeSymbol?)symbol.ContainingType ?? symbol.ContainingNamespace;
        if (container is null)
        {
            return true;
        }

        foreach (var other in container.GetTypeMembers())
        {
            if (!SymbolEqualityComparer.Default.Equals(other, symbol)
                && string.CompareOrdinal(other.Name, symbol.Name) < 0
                && IsEvent(other)
                && PastTenseNames.GetSuggestion(other.Name) == newName)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsEvent(INamedTypeSymbol type)
    {
        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (current.Name == "Event" && current.ContainingNamespace?.ToDisplayString() == "EventSourcery")
            {
                return true;
            }
        }

        return false;
    }

    private static async Task<Solution> RenameAsync(Document document, BaseTypeDeclarationSyntax declaration, string newName, CancellationToken cancellationToken)
    {
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        var solution = document.Project.Solution;
        if (model?.GetDeclaredSymbol(declaration, cancellationToken) is not { } symbol)
        {
            return solution;
        }

        return await Renamer.RenameSymbolAsync(solution, symbol, new SymbolRenameOptions(), newName, cancellationToken).ConfigureAwait(false);
    }
}
