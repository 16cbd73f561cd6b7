using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace EventSourcery.Generators.Tests;

/// <summary>Runs the EventSourcery generators over source text, with .NET 10 reference assemblies and the runtime.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Preview);

    private static readonly ImmutableArray<MetadataReference> References =
    [
        .. Basic.Reference.Assemblies.Net100.References.All,
        MetadataReference.CreateFromFile(typeof(Event).Assembly.Location),
    ];

    public static CSharpCompilation CreateCompilation(string assemblyName = "TestAssembly", IEnumerable<MetadataReference>? extraReferences = null, params string[] sources)
        => CSharpCompilation.Create(
            assemblyName,
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")),
            References.AddRange(extraReferences ?? []),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver(bool trackSteps = true)
        => CSharpGeneratorDriver.Create(
            [new AggregateDispatchGenerator().AsSourceGenerator(), new EventRegistryGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generators and returns their output; fails if the generators or the compiled result report any error or warning.</summary>
    public static GeneratorResult Run(params string[] sources) => Run(CreateCompilation(sources: sources));

    public static GeneratorResult Run(CSharpCompilation compilation)
    {
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var result = driver.GetRunResult();
        var problems = generatorDiagnostics
            .Concat(WithNullableWarnings(output, result).GetDiagnostics())
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .ToList();
        return new GeneratorResult(result, (CSharpCompilation)output, problems);
    }

    /// <summary>
    /// The generated files turn nullable warnings off, so that a user's build does not pay for their flow analysis.
    /// The tests check them with the warnings on: every generated tree is compiled again without that line.
    /// </summary>
    private static Compilation WithNullableWarnings(Compilation output, GeneratorDriverRunResult result)
    {
        foreach (var tree in result.GeneratedTrees)
        {
            var text = tree.GetText().ToString();
            Assert.Contains(NullableWarningsOff, text);
            output = output.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(text.Replace(NullableWarningsOff, ""))));
        }
        return output;
    }

    private const string NullableWarningsOff = "#nullable disable warnings\n";
}

internal sealed record GeneratorResult(GeneratorDriverRunResult RunResult, CSharpCompilation Output, IReadOnlyList<Diagnostic> Problems)
{
    public IReadOnlyList<(string HintName, string Text)> Sources => RunResult.Results
        .SelectMany(r => r.GeneratedSources)
        .Select(s => (s.HintName, s.SourceText.ToString()))
        .OrderBy(s => s.HintName, StringComparer.Ordinal)
        .ToList();

    public string Source(string hintName) => Sources.Single(s => s.HintName == hintName).Text;

    public void AssertClean()
        => Assert.True(Problems.Count == 0, "Generated code has problems:\n" + string.Join("\n", Problems.Select(p => p.ToString())) + "\n\n" + string.Join("\n\n", Sources.Select(s => $"// {s.HintName}\n{s.Text}")));
}
