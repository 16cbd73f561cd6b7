using System;
using System.Collections.Generic;
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
    public override FixAllProvider GetFixAllProvider() => AllMissing.Instance;

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
                    async cancellationToken =>
                    {
                        var solution = context.Document.Project.Solution;
                        return await InsertionAsync(solution, aggregate, [@event], diagnostic.Location, cancellationToken).ConfigureAwait(false) is { } insertion
                            ? await ApplyAsync(solution, [insertion], cancellationToken).ConfigureAwait(false)
                            : solution;
                    },
                    EquivalenceKey),
                diagnostic);
        }
    }

    /// <summary>The change that adds an <c>Apply</c> method for each of <paramref name="events"/> to the aggregate, in one place.</summary>
    private static async Task<(DocumentId Document, TextChange Change)?> InsertionAsync(Solution solution, INamedTypeSymbol aggregate, IReadOnlyList<INamedTypeSymbol> events, Location diagnosticLocation, CancellationToken cancellationToken)
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
            return null;
        }

        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        var text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
        if (model is null)
        {
            return null;
        }

        var template = GetApplyMethods(target).LastOrDefault();
        var anchor = (SyntaxNode?)template ?? target.Members.LastOrDefault();
        var parameterName = template?.ParameterList.Parameters.FirstOrDefault()?.Identifier.Text ?? "e";
        var accessibility = template is null
            ? "private "
            : string.Concat(template.Modifiers
                .Where(m => m.IsKind(SyntaxKind.PrivateKeyword) || m.IsKind(SyntaxKind.ProtectedKeyword)
                    || m.IsKind(SyntaxKind.InternalKeyword) || m.IsKind(SyntaxKind.PublicKeyword))
                .Select(m => m.Text + " "));
        var newLine = DetectNewLine(text);
        var methods = events.Select(e => $"{accessibility}void Apply({e.ToMinimalDisplayString(model, target.CloseBraceToken.SpanStart)} {parameterName}) {{ }}").ToList();

        TextChange change;
        if (anchor is not null)
        {
            var indentation = GetIndentation(text, anchor.SpanStart);
            var endsWithNewLine = anchor.GetTrailingTrivia().Any(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
            var separator = template is null ? newLine : string.Empty; // a blank line after a member of another kind
            var insertion = (endsWithNewLine ? string.Empty : newLine) + separator + string.Concat(methods.Select(m => indentation + m + newLine));
            change = new TextChange(new TextSpan(anchor.FullSpan.End, 0), insertion);
        }
        else
        {
            var indentation = GetIndentation(text, target.SpanStart) + "    ";
            var closeBrace = target.CloseBraceToken;
            var line = text.Lines.GetLineFromPosition(closeBrace.SpanStart);
            var braceStartsLine = string.IsNullOrWhiteSpace(text.ToString(TextSpan.FromBounds(line.Start, closeBrace.SpanStart)));
            var lines = string.Concat(methods.Select(m => indentation + m + newLine));
            change = braceStartsLine
                ? new TextChange(new TextSpan(line.Start, 0), lines)
                : new TextChange(new TextSpan(closeBrace.SpanStart, 0), newLine + lines + GetIndentation(text, target.SpanStart));
        }

        return (document.Id, change);
    }

    /// <summary>The solution with <paramref name="insertions"/> made, all of one document's in one edit.</summary>
    private static async Task<Solution> ApplyAsync(Solution solution, IEnumerable<(DocumentId Document, TextChange Change)> insertions, CancellationToken cancellationToken)
    {
        foreach (var group in insertions.GroupBy(i => i.Document))
        {
            var text = await solution.GetDocument(group.Key)!.GetTextAsync(cancellationToken).ConfigureAwait(false);
            solution = solution.WithDocumentText(group.Key, text.WithChanges(group.Select(i => i.Change).OrderBy(c => c.Span.Start)));
        }

        return solution;
    }

    /// <summary>
    /// Fix All: every missing <c>Apply</c> of the scope in one pass, each aggregate's together in one insertion (the
    /// batch fixer would drop all but one of several insertions at one place).
    /// </summary>
    private sealed class AllMissing : FixAllProvider
    {
        public static readonly AllMissing Instance = new();

        public override IEnumerable<FixAllScope> GetSupportedFixAllScopes() => [FixAllScope.Document, FixAllScope.Project, FixAllScope.Solution];

        public override Task<CodeAction?> GetFixAsync(FixAllContext fixAllContext)
            => Task.FromResult<CodeAction?>(CodeAction.Create("Add every missing Apply method", cancellationToken => FixAsync(fixAllContext, cancellationToken), EquivalenceKey));

        private static async Task<Solution> FixAsync(FixAllContext context, CancellationToken cancellationToken)
        {
            var projects = context.Scope == FixAllScope.Solution ? context.Solution.Projects : [context.Project];
            var insertions = new List<(DocumentId, TextChange)>();
            foreach (var project in projects)
            {
                var compilation = await project.GetCompilationAsync(cancellationToken).ConfigureAwait(false);
                var diagnostics = context.Scope == FixAllScope.Document && context.Document is { } document
                    ? await context.GetDocumentDiagnosticsAsync(document).ConfigureAwait(false)
                    : await context.GetAllDiagnosticsAsync(project).ConfigureAwait(false);
                if (compilation is null)
                {
                    continue;
                }

                var missing = diagnostics
                    .Select(d => (Diagnostic: d, Aggregate: Resolve(d, DiagnosticDescriptors.AggregateTypeIdProperty, compilation), Event: Resolve(d, DiagnosticDescriptors.EventTypeIdProperty, compilation)))
                    .Where(m => m.Aggregate is not null && m.Event is not null)
                    .GroupBy(m => m.Aggregate!, SymbolEqualityComparer.Default);
                foreach (var aggregate in missing)
                {
                    var events = aggregate.Select(m => m.Event!).Distinct<INamedTypeSymbol>(SymbolEqualityComparer.Default).OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
                    if (await InsertionAsync(context.Solution, (INamedTypeSymbol)aggregate.Key!, events, aggregate.First().Diagnostic.Location, cancellationToken).ConfigureAwait(false) is { } insertion)
                    {
                        insertions.Add(insertion);
                    }
                }
            }

            return await ApplyAsync(context.Solution, insertions, cancellationToken).ConfigureAwait(false);
        }

        private static INamedTypeSymbol? Resolve(Diagnostic diagnostic, string property, Compilation compilation)
            => diagnostic.Properties.TryGetValue(property, out var id) && id is not null
                ? DocumentationCommentId.GetFirstSymbolForReferenceId(id, compilation) as INamedTypeSymbol
                : null;
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
