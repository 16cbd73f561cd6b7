using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using EventSourcery.Analyzers;
using EventSourcery.Analyzers.Naming;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Rename;

namespace EventSourcery.CodeFixes;

/// <summary>ES0003: renames the event, and every reference to it, to the past-tense name the analyzer suggested.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RenameToPastTenseCodeFixProvider))]
[Shared]
public sealed class RenameToPastTenseCodeFixProvider : CodeFixProvider
{
    /// <summary>Equivalence key of the fix, stable so Fix All can group it.</summary>
    public const string EquivalenceKey = DiagnosticDescriptors.EventNameNotPastTenseId + "_RenameToPastTense";

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
        }
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
