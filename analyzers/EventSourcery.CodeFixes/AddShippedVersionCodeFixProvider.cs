using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using EventSourcery.Analyzers;
using EventSourcery.Analyzers.Versioning;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;

namespace EventSourcery.CodeFixes;

/// <summary>
/// ES0015: adds an event version's line (its stored name, version and shape, carried by the diagnostic) to the
/// project's EventSchemas.Shipped.txt, keeping the lines sorted; Fix All adds every unlisted version of the project at
/// once, as the PublicAPI fixer does for PublicAPI files.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddShippedVersionCodeFixProvider))]
[Shared]
public sealed class AddShippedVersionCodeFixProvider : CodeFixProvider
{
    /// <summary>Equivalence key of the fix, stable so Fix All can group it.</summary>
    public const string EquivalenceKey = DiagnosticDescriptors.UnlistedEventVersionId + "_AddShippedVersion";

    private const string FileName = ShippedSchemas.FileName;

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.UnlistedEventVersionId);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => AllVersions.Instance;

    /// <inheritdoc />
    public override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            if (Line(diagnostic) is { } line && File(context.Document.Project) is { } file)
            {
                context.RegisterCodeFix(
                    CodeAction.Create($"Add '{line}' to {FileName}", cancellationToken => AddAsync(context.Document.Project.Solution, file.Id, [line], cancellationToken), EquivalenceKey),
                    diagnostic);
            }
        }

        return Task.CompletedTask;
    }

    private static string? Line(Diagnostic diagnostic)
        => diagnostic.Properties.TryGetValue(DiagnosticDescriptors.ShippedLineProperty, out var line) && !string.IsNullOrEmpty(line) ? line : null;

    private static TextDocument? File(Project project)
        => project.AdditionalDocuments.FirstOrDefault(d => string.Equals(System.IO.Path.GetFileName(d.FilePath ?? d.Name), FileName, StringComparison.OrdinalIgnoreCase));

    /// <summary>The file with <paramref name="lines"/> added: comments first as they are, then every version line sorted and once.</summary>
    private static async Task<Solution> AddAsync(Solution solution, DocumentId file, IEnumerable<string> lines, CancellationToken cancellationToken)
    {
        var document = solution.GetAdditionalDocument(file)!;
        var text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
        var existing = text.Lines.Select(l => l.ToString()).Where(l => l.Trim().Length > 0).ToList();
        var comments = existing.Where(l => l.TrimStart().StartsWith("#", StringComparison.Ordinal)).ToList();
        var versions = existing.Except(comments).Concat(lines).Distinct(StringComparer.Ordinal).OrderBy(l => l, StringComparer.Ordinal);
        var newText = string.Join("\n", comments.Concat(versions)) + "\n";
        return solution.WithAdditionalDocumentText(file, SourceText.From(newText, text.Encoding));
    }

    /// <summary>Fix All: every ES0015 line of the scope's projects, added in one edit per file.</summary>
    private sealed class AllVersions : FixAllProvider
    {
        public static readonly AllVersions Instance = new();

        public override IEnumerable<FixAllScope> GetSupportedFixAllScopes() => [FixAllScope.Document, FixAllScope.Project, FixAllScope.Solution];

        public override Task<CodeAction?> GetFixAsync(FixAllContext fixAllContext)
            => Task.FromResult<CodeAction?>(CodeAction.Create($"Add every unlisted version to {FileName}", cancellationToken => FixAsync(fixAllContext, cancellationToken), EquivalenceKey));

        private static async Task<Solution> FixAsync(FixAllContext context, CancellationToken cancellationToken)
        {
            var solution = context.Solution;
            var projects = context.Scope == FixAllScope.Solution ? context.Solution.Projects : [context.Project];
            foreach (var project in projects)
            {
                if (File(project) is not { } file)
                {
                    continue;
                }

                var diagnostics = context.Scope == FixAllScope.Document && context.Document is { } document
                    ? await context.GetDocumentDiagnosticsAsync(document).ConfigureAwait(false)
                    : await context.GetAllDiagnosticsAsync(project).ConfigureAwait(false);
                var lines = diagnostics.Select(Line).OfType<string>().ToList();
                if (lines.Count > 0)
                {
                    solution = await AddAsync(solution, file.Id, lines, cancellationToken).ConfigureAwait(false);
                }
            }

            return solution;
        }
    }
}
