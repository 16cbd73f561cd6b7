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
using Microsoft.CodeAnalysis.Text;

namespace EventSourcery.CodeFixes;

/// <summary>
/// ES0002: adds an empty <c>Apply</c> method for the event, after the aggregate's last Apply method (copying its
/// accessibility and parameter name) or, when there is none, as <c>private void Apply(TEvent e) { }</c> at the end of
/// the class.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddApplyMethodCodeFixProvider))]
[Shared]
public sealed class AddApplyMethodCodeFixProvider : CodeFixProvider
{
    /// <summary>Equivalence key of the fix, stable so Fix All can group it.</summary>
    public const string EquivalenceKey = DiagnosticDescriptors.MissingApplyId + "_AddApply";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.MissingApplyId);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var compilation = await context.Document.Project.GetCompilationAsync(context.CancellationToken).ConfigureAwait(false);
        if (compilation is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(DiagnosticDescriptors.EventTypeIdProperty, out var eventId)
                || !diagnostic.Properties.TryGetValue(DiagnosticDescriptors.AggregateTypeIdProperty, out var aggregateId)
                || eventId is null || aggregateId is null
                || DocumentationCommentId.GetFirstSymbolForReferenceId(eventId, compilation) is not INamedTypeSymbol @event
                || DocumentationCommentId.GetFirstSymbolForReferenceId(aggregateId, compilation) is not INamedTypeSymbol aggregate)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Add 'Apply({@event.Name})'",
                    cancellationToken => AddApplyAsync(context.Document.Project.Solution, aggregate, @event, diagnostic.Location, cancellationToken),
                    EquivalenceKey),
                diagnostic);
        }
    }

    private static async Task<Solution> AddApplyAsync(Solution solution, INamedTypeSymbol aggregate, INamedTypeSymbol @event, Location diagnosticLocation, CancellationToken cancellationToken)
    {
        var declarations = aggregate.DeclaringSyntaxReferences
            .Select(r => r.GetSyntax(cancellationToken))
            .OfType<ClassDeclarationSyntax>()
            .ToList();

        // Prefer the part that already has Apply methods, then the part holding the diagnostic, then the first part.
        var target = declarations.FirstOrDefault(d => GetApplyMethods(d).Any())
            ?? declarations.FirstOrDefault(d => d.SyntaxTree == diagnosticLocation.SourceTree && d.Span.Contains(diagnosticLocation.SourceSpan))
            ?? declarations.FirstOrDefault();
        var document = target is null ? null : solution.GetDocument(target.SyntaxTree);
        if (target is null || document is null || target.OpenBraceToken.IsMissing || target.CloseBraceToken.IsMissing)
        {
            return solution;
        }

        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        var text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
        if (model is null)
        {
            return solution;
        }

        var template = GetApplyMethods(target).LastOrDefault();
        var anchor = (SyntaxNode?)template ?? target.Members.LastOrDefault();
        var typeName = @event.ToMinimalDisplayString(model, target.CloseBraceToken.SpanStart);
        var parameterName = template?.ParameterList.Parameters.FirstOrDefault()?.Identifier.Text ?? "e";
        var accessibility = template is null
            ? "private "
            : string.Concat(template.Modifiers
                .Where(m => m.IsKind(SyntaxKind.PrivateKeyword) || m.IsKind(SyntaxKind.ProtectedKeyword)
                    || m.IsKind(SyntaxKind.InternalKeyword) || m.IsKind(SyntaxKind.PublicKeyword))
                .Select(m => m.Text + " "));
        var newLine = DetectNewLine(text);
        var method = $"{accessibility}void Apply({typeName} {parameterName}) {{ }}";

        TextChange change;
        if (anchor is not null)
        {
            var indentation = GetIndentation(text, anchor.SpanStart);
            var endsWithNewLine = anchor.GetTrailingTrivia().Any(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
            var separator = template is null ? newLine : string.Empty; // a blank line after a member of another kind
            var insertion = (endsWithNewLine ? string.Empty : newLine) + separator + indentation + method + newLine;
            change = new TextChange(new TextSpan(anchor.FullSpan.End, 0), insertion);
        }
        else
        {
            var indentation = GetIndentation(text, target.SpanStart) + "    ";
            var closeBrace = target.CloseBraceToken;
            var line = text.Lines.GetLineFromPosition(closeBrace.SpanStart);
            var braceStartsLine = string.IsNullOrWhiteSpace(text.ToString(TextSpan.FromBounds(line.Start, closeBrace.SpanStart)));
            change = braceStartsLine
                ? new TextChange(new TextSpan(line.Start, 0), indentation + method + newLine)
                : new TextChange(new TextSpan(closeBrace.SpanStart, 0), newLine + indentation + method + newLine + GetIndentation(text, target.SpanStart));
        }

        return solution.WithDocumentText(document.Id, text.WithChanges(change));
    }

    private static System.Collections.Generic.IEnumerable<MethodDeclarationSyntax> GetApplyMethods(ClassDeclarationSyntax declaration)
        => declaration.Members.OfType<MethodDeclarationSyntax>().Where(m => m.Identifier.ValueText == "Apply" && m.ParameterList.Parameters.Count == 1);

    private static string GetIndentation(SourceText text, int position)
    {
        var line = text.Lines.GetLineFromPosition(position);
        var prefix = text.ToString(TextSpan.FromBounds(line.Start, position));
        return string.IsNullOrWhiteSpace(prefix) ? prefix : string.Empty;
    }

    private static string DetectNewLine(SourceText text)
    {
        foreach (var line in text.Lines)
        {
            if (line.EndIncludingLineBreak > line.End)
            {
                return text.ToString(TextSpan.FromBounds(line.End, line.EndIncludingLineBreak));
            }
        }

        return "\n";
    }
}
