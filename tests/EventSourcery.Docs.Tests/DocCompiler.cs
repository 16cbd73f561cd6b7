using System.Collections.Immutable;
using EventSourcery.Analyzers;
using EventSourcery.Generators;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace EventSourcery.Docs.Tests;

/// <summary>
/// Compiles a doc block the way a user's new console project would (.NET 10, implicit usings, nullable on), against
/// the built EventSourcery, EventSourcery.Sqlite and EventSourcery.Hosting and their dependencies, with the
/// EventSourcery generators and analyzers run in process: a doc's example must not trip our own rules either.
/// </summary>
public static class DocCompiler
{
    private static readonly CSharpParseOptions ParseOptions = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Preview);

    // What `dotnet new console` turns on: <ImplicitUsings>enable</ImplicitUsings>.
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    // The assemblies the test runs with: the framework and every package and project the docs may use.
    private static readonly ImmutableArray<MetadataReference> References =
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Where(path => !Path.GetFileName(path).StartsWith("xunit", StringComparison.OrdinalIgnoreCase))
        .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
        .ToImmutableArray();

    /// <summary>
    /// The problems of <paramref name="block"/>: errors, warnings and unnecessary usings (CS8019) of the block itself
    /// (a fragment: syntax errors only).
    /// </summary>
    public static IReadOnlyList<Diagnostic> Problems(DocBlock block, IEnumerable<DocBlock> page)
    {
        var tree = Parse(block);
        if (block.IsFragment)
        {
            return tree.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        }

        var declarations = page
            .Where(other => other != block && !other.IsFragment)
            .Select(Parse)
            .Where(t => !HasStatements(t));
        var compilation = CSharpCompilation.Create(
            "DocBlock",
            [tree, CSharpSyntaxTree.ParseText(ImplicitUsings, ParseOptions, path: "ImplicitUsings.cs"), .. declarations],
            References,
            new CSharpCompilationOptions(
                HasStatements(tree) ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable));

        CSharpGeneratorDriver
            .Create([new AggregateDispatchGenerator().AsSourceGenerator(), new EventRegistryGenerator().AsSourceGenerator()], parseOptions: ParseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);

        var analyzed = output.WithAnalyzers([new EventAnalyzer(), new AggregateAnalyzer()]);
        var analyzerDiagnostics = analyzed.GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();

        return generatorDiagnostics
            .Concat(output.GetDiagnostics())
            .Concat(analyzerDiagnostics)
            .Where(d => d.Severity >= DiagnosticSeverity.Warning || d.Id == "CS8019")
            .Where(d => d.Location.SourceTree is null || d.Location.SourceTree == tree)
            .ToList();
    }

    private static SyntaxTree Parse(DocBlock block)
        => CSharpSyntaxTree.ParseText(block.Code, ParseOptions, path: block.ToString());

    private static bool HasStatements(SyntaxTree tree)
        => ((CompilationUnitSyntax)tree.GetRoot()).Members.OfType<GlobalStatementSyntax>().Any();
}
