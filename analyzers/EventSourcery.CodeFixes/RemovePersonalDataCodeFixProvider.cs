using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using EventSourcery.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace EventSourcery.CodeFixes;

/// <summary>
/// ES0020 on a property that is both <c>[DataSubject]</c> and <c>[PersonalData]</c>: removes <c>[PersonalData]</c>,
/// since the subject's id is stored in plain text anyway. Reads of personal data into stream names or tenant ids get no
/// fix: what to use instead is a design choice.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemovePersonalDataCodeFixProvider))]
[Shared]
public sealed class RemovePersonalDataCodeFixProvider : CodeFixProvider
{
    /// <summary>Equivalence key of the fix, stable so Fix All can group it.</summary>
    public const string EquivalenceKey = DiagnosticDescriptors.PersonalDataInPlainTextId + "_RemovePersonalData";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.PersonalDataInPlainTextId);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span) is not AttributeSyntax attribute)
        {
            return; // a read into a stream name or tenant id: no mechanical fix
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            context.RegisterCodeFix(
                CodeAction.Create(
                    "Remove [PersonalData] from the data subject",
                    cancellationToken => RemoveAsync(context.Document, attribute, cancellationToken),
                    EquivalenceKey),
                diagnostic);
        }
    }

    private static async Task<Document> RemoveAsync(Document document, AttributeSyntax attribute, CancellationToken cancellationToken)
    {
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        if (attribute.Parent is AttributeListSyntax { Attributes.Count: 1 } list)
        {
            editor.RemoveNode(list, SyntaxRemoveOptions.KeepNoTrivia);
        }
        else
        {
            editor.RemoveNode(attribute);
        }

        return editor.GetChangedDocument();
    }
}
