using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using EventSourcery.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace EventSourcery.CodeFixes;

/// <summary>ES0021: removes a mask that does not fit its property (<c>[PersonalData(0)]</c> → <c>[PersonalData]</c>), which then reads back as its type's default.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveMaskCodeFixProvider))]
[Shared]
public sealed class RemoveMaskCodeFixProvider : CodeFixProvider
{
    /// <summary>Equivalence key of the fix, stable so Fix All can group it.</summary>
    public const string EquivalenceKey = DiagnosticDescriptors.MaskTypeMismatchId + "_RemoveMask";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.MaskTypeMismatchId);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span, getInnermostNodeForTie: true)?.FirstAncestorOrSelf<AttributeSyntax>() is not { ArgumentList: not null } attribute)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            context.RegisterCodeFix(
                CodeAction.Create(
                    "Remove the mask (read back the type's default)",
                    cancellationToken => RemoveMaskAsync(context.Document, attribute, cancellationToken),
                    EquivalenceKey),
                diagnostic);
        }
    }

    private static async Task<Document> RemoveMaskAsync(Document document, AttributeSyntax attribute, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var bare = attribute.WithArgumentList(null).WithTrailingTrivia(attribute.GetTrailingTrivia());
        return document.WithSyntaxRoot(root!.ReplaceNode(attribute, bare));
    }
}
