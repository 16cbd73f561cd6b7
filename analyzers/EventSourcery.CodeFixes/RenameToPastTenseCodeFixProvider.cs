using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using EventSourcery.Analyzers;
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
                || NameIsTaken(symbol, newName!))
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
