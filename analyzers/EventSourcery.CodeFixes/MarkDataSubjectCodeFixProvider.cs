using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using EventSourcery.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace EventSourcery.CodeFixes;

/// <summary>
/// ES0017: marks the event's one id-like property (<c>CustomerId</c>, a string or Guid, not personal data) as
/// <c>[DataSubject]</c>; the analyzer names it only when there is exactly one, otherwise no fix is offered. A
/// positional parameter gets <c>[property: DataSubject]</c>.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MarkDataSubjectCodeFixProvider))]
[Shared]
public sealed class MarkDataSubjectCodeFixProvider : CodeFixProvider
{
    /// <summary>Equivalence key of the fix, stable so Fix All can group it.</summary>
    public const string EquivalenceKey = DiagnosticDescriptors.MissingDataSubjectId + "_MarkDataSubject";

    private const string Namespace = "EventSourcery.PersonalData";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.MissingDataSubjectId);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span)?.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } declaration
            || model?.GetDeclaredSymbol(declaration, context.CancellationToken) is not INamedTypeSymbol type)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(DiagnosticDescriptors.SubjectCandidateProperty, out var name)
                || type.GetMembers(name ?? string.Empty).OfType<IPropertySymbol>().FirstOrDefault() is not { } property
                || property.DeclaringSyntaxReferences.FirstOrDefault() is not { } reference
                || context.Document.Project.Solution.GetDocument(reference.SyntaxTree) is not { } document)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Mark '{property.Name}' as [DataSubject]",
                    cancellationToken => MarkAsync(document, reference, cancellationToken),
                    EquivalenceKey),
                diagnostic);
        }
    }

    private static async Task<Document> MarkAsync(Document document, SyntaxReference reference, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var node = root!.FindNode(reference.Span, getInnermostNodeForTie: true);
        var attribute = SyntaxFactory.Attribute(SyntaxFactory.IdentifierName("DataSubject"));
        SyntaxNode marked = node switch
        {
            ParameterSyntax parameter => parameter.AddAttributeLists(SyntaxFactory.AttributeList(
                SyntaxFactory.AttributeTargetSpecifier(SyntaxFactory.Token(SyntaxKind.PropertyKeyword)),
                SyntaxFactory.SingletonSeparatedList(attribute))),
            PropertyDeclarationSyntax property => property.AddAttributeLists(SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(attribute))),
            _ => node,
        };
        var changed = root.ReplaceNode(node, marked.WithAdditionalAnnotations(Formatter.Annotation));
        if (changed is CompilationUnitSyntax unit && !unit.Usings.Any(u => u.Alias is null && u.Name?.ToString() == Namespace))
        {
            changed = AddUsing(unit);
        }

        return document.WithSyntaxRoot(changed);
    }

    /// <summary>Adds <c>using EventSourcery.PersonalData;</c> among the file's usings, in order.</summary>
    private static CompilationUnitSyntax AddUsing(CompilationUnitSyntax unit)
    {
        var directive = SyntaxFactory.UsingDirective(SyntaxFactory.ParseName(Namespace)).WithAdditionalAnnotations(Formatter.Annotation);
        var index = unit.Usings.TakeWhile(u => u.StaticKeyword.IsKind(SyntaxKind.None) && u.Alias is null
            && string.CompareOrdinal(u.Name?.ToString(), Namespace) < 0).Count();
        if (unit.Usings.Count == 0)
        {
            var newLine = unit.DescendantTrivia().FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
            var endOfLine = newLine.IsKind(SyntaxKind.EndOfLineTrivia) ? newLine : SyntaxFactory.LineFeed;
            return unit.WithUsings(SyntaxFactory.SingletonList(directive.WithTrailingTrivia(endOfLine, endOfLine)));
        }

        return unit.WithUsings(unit.Usings.Insert(index, directive));
    }
}
