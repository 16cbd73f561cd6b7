using BenchmarkDotNet.Attributes;
using EventSourcery.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace EventSourcery.Benchmarks.Generators;

/// <summary>
/// Times one full run of both EventSourcery generators over a synthetic project of 1,000 event records and 100 partial
/// aggregates with 10 Apply methods each, as a clean build runs them.
/// </summary>
/// <remarks>
/// Parsing and building the compilation happen in setup: the compiler does that work with or without generators.
/// Two variants bound what a build pays. <see cref="WarmCompilation"/> reuses one compilation, so the symbols the
/// generators ask for are already bound after the first run: it isolates the generators' own work.
/// <see cref="FreshCompilation"/> runs on a clone with no semantic state, so it also pays for binding the declarations
/// the generators inspect (work the compiler would otherwise do later in the same build).
/// </remarks>
[MemoryDiagnoser]
[MinColumn]
public class GeneratorBenchmarks
{
    private const int EventCount = 1_000;
    private const int AggregateCount = 100;
    private const int AppliesPerAggregate = 10;

    private static readonly CSharpParseOptions ParseOptions = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);

    private CSharpCompilation _compilation = null!;

    [GlobalSetup(Target = nameof(WarmCompilation))]
    public void SetupAndVerify()
    {
        BuildCompilation();
        Verify();
    }

    // The fresh variant runs on clones, so verifying the same input again would only lengthen the run (and CI's dry run).
    [GlobalSetup(Target = nameof(FreshCompilation))]
    public void BuildCompilation()
    {
        var sources = SyntheticProject.Sources(EventCount, AggregateCount, AppliesPerAggregate);
        _compilation = CSharpCompilation.Create(
            "SyntheticDomain",
            sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, ParseOptions, path: s.Path)),
            [.. Basic.Reference.Assemblies.Net100.References.All, MetadataReference.CreateFromFile(typeof(Event).Assembly.Location)],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
    }

    [Benchmark(Baseline = true)]
    public int WarmCompilation() => Run(_compilation);

    [Benchmark]
    public int FreshCompilation() => Run(_compilation.Clone());

    private static int Run(CSharpCompilation compilation)
    {
        var driver = CreateDriver().RunGenerators(compilation);
        return driver.GetRunResult().GeneratedTrees.Length;
    }

    // A new driver has no cached state from an earlier run: every step of both generators executes.
    private static GeneratorDriver CreateDriver()
        => CSharpGeneratorDriver.Create(
            [new AggregateDispatchGenerator().AsSourceGenerator(), new EventRegistryGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions);

    /// <summary>
    /// Fails setup unless the synthetic project compiles cleanly with the generated code and every aggregate and event
    /// got its output; otherwise the benchmark could silently time a generator that bails out early.
    /// </summary>
    private void Verify()
    {
        var inputErrors = _compilation.GetParseDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(_compilation, out var output, out var generatorDiagnostics);
        var result = driver.GetRunResult();
        var problems = inputErrors
            .Concat(generatorDiagnostics)
            .Concat(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error))
            .Take(10)
            .ToList();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("The synthetic project does not compile cleanly:\n" + string.Join("\n", problems));
        }

        // The size of what the generators write, for docs/benchmarks.md (issue 17's target: 2 KB per five-property event).
        var eventCodecs = result.GeneratedTrees.Where(t => Path.GetFileName(t.FilePath).StartsWith("EventSourcery.Json.Synthetic_Events", StringComparison.Ordinal)).ToList();
        var bytes = result.GeneratedTrees.Sum(t => (long)System.Text.Encoding.UTF8.GetByteCount(t.GetText().ToString()));
        var eventBytes = eventCodecs.Sum(t => (long)System.Text.Encoding.UTF8.GetByteCount(t.GetText().ToString()));
        Console.WriteLine($"// Generated: {bytes:N0} bytes in {result.GeneratedTrees.Length} files; event codecs {eventBytes:N0} bytes, {eventBytes / Math.Max(1, eventCodecs.Count):N0} per event ({bytes / EventCount:N0} per event with everything else)");

        var aggregates = result.GeneratedTrees.Count(t => t.FilePath.EndsWith(".Aggregate.g.cs", StringComparison.Ordinal));
        var codecs = result.GeneratedTrees.Count(t => Path.GetFileName(t.FilePath).StartsWith("EventSourcery.Json.Synthetic_", StringComparison.Ordinal));
        if (aggregates != AggregateCount || codecs < EventCount)
        {
            throw new InvalidOperationException(
                $"Expected {AggregateCount} aggregate dispatchers and at least {EventCount} event codecs, got {aggregates} and {codecs}.");
        }
    }
}

/// <summary>Writes the source files of a synthetic domain: one file per type, as projects usually have.</summary>
public static class SyntheticProject
{
    /// <summary>The files of a domain of <paramref name="eventCount"/> events and <paramref name="aggregateCount"/> aggregates.</summary>
    public static IReadOnlyList<(string Path, string Text)> Sources(int eventCount, int aggregateCount, int appliesPerAggregate)
    {
        if (aggregateCount * appliesPerAggregate > eventCount)
        {
            throw new ArgumentException("Every Apply method needs its own event.");
        }

        var sources = new List<(string, string)>
        {
            ("Shared.cs", """
                namespace Synthetic.Shared;

                public enum Priority { Low, Normal, High }
                public sealed record Address(string Street, string City, string PostalCode, string? Country);
                public sealed record OrderLine(string Sku, int Quantity, decimal UnitPrice);
                """),
        };

        for (var i = 0; i < eventCount; i++)
        {
            sources.Add(($"Events/Event{i}.cs", EventSource(i)));
        }

        for (var a = 0; a < aggregateCount; a++)
        {
            var applies = string.Join("\n", Enumerable.Range(a * appliesPerAggregate, appliesPerAggregate)
                .Select(i => $"    private void Apply({Namespace(i)}.Thing{i}Happened e) => _applied++;"));
            sources.Add(($"Aggregates/Aggregate{a}.cs", $$"""
                using EventSourcery;

                namespace Synthetic.Domain{{a % 10}};

                public sealed partial class Aggregate{{a}} : Aggregate
                {
                    private int _applied;

                    public int Applied => _applied;

                {{applies}}
                }
                """));
        }

        return sources;
    }

    private static string Namespace(int eventIndex) => $"Synthetic.Events{eventIndex % 10}";

    /// <summary>Cycles through the property shapes event records commonly have, so every codec path is exercised.</summary>
    private static string EventSource(int i)
    {
        var (parameters, extraTypes) = (i % 10) switch
        {
            0 => ("Guid OrderId, string CustomerName", ""),
            1 => ("string Sku, int Quantity, decimal UnitPrice", ""),
            2 => ("DateTimeOffset OccurredAt, string? Note, long Sequence", ""),
            3 => ("List<string> Tags, IReadOnlyList<Guid> RelatedIds", ""),
            4 => ("Address ShipTo, Priority Priority, Priority? Escalation", ""),
            5 => ("Dictionary<string, int> Counts, int[] Buckets", ""),
            6 => ("double Ratio, bool IsFinal, DateOnly Day, TimeSpan Duration", ""),
            7 => ("Guid CartId, IReadOnlyList<OrderLine> Lines, decimal Total", ""),
            8 => ("", ""),
            _ => ($"string Code, int? Attempt, Uri Link, Detail{i} Detail", $"\npublic sealed record Detail{i}(string Key, int Value, DateTime At);\n"),
        };

        var declaration = parameters.Length == 0
            ? $"public sealed record Thing{i}Happened : Event;"
            : $"public sealed record Thing{i}Happened({parameters}) : Event;";
        return $"""
            using System;
            using System.Collections.Generic;
            using EventSourcery;
            using Synthetic.Shared;

            namespace {Namespace(i)};

            {declaration}
            {extraTypes}
            """;
    }
}
