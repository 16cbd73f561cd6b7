using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace EventSourcery.Generators.Tests;

/// <summary>
/// Edits that do not touch events or Apply methods must leave every tracked pipeline step Cached or Unchanged,
/// and the pipeline models must never hold symbols, syntax or compilations (which would defeat caching).
/// </summary>
public sealed class IncrementalCachingTests
{
    private static readonly string[] TrackedSteps =
    [
        TrackingNames.Aggregates, TrackingNames.Events, TrackingNames.AssemblyName,
        TrackingNames.ReferencedRegistries, TrackingNames.Registry, TrackingNames.Upcasters, TrackingNames.OldShapes,
    ];

    [Fact]
    public void EditingAnUnrelatedMethodBodyKeepsEveryStepCached()
        => AssertCachedAfter(tree => Replace(tree, "Emit(new TurnedOn());", "System.Console.WriteLine(); Emit(new TurnedOn());"));

    [Fact]
    public void AddingACommentKeepsEveryStepCached()
        => AssertCachedAfter(tree => Replace(tree, "private bool _shines;", "// the light's state\n    private bool _shines;"));

    [Fact]
    public void AddingAnUnrelatedClassKeepsEveryStepCached()
        => AssertCachedAfter(tree => Replace(tree, "namespace Demo;", "namespace Demo;\npublic sealed class Unrelated { public int Value => 42; }"));

    [Fact]
    public void AddingAnApplyMethodChangesTheDispatch()
    {
        var (first, second) = RunTwice(tree => Replace(tree, "private void Apply(TurnedOff e) => _shines = false;", "private void Apply(TurnedOff e) => _shines = false;\n    private void Apply(Toggled e) { }\n}\npublic sealed record Toggled : Event;\npublic sealed class Ignore {"));
        var reasons = Reasons(second, TrackingNames.Aggregates);
        Assert.Contains(IncrementalStepRunReason.Modified, reasons);
        Assert.Contains("Toggled", second.Results.SelectMany(r => r.GeneratedSources).Single(s => s.HintName.Contains("LightSwitch")).SourceText.ToString());
    }

    [Fact]
    public void EditingOneEventRegeneratesOnlyThatEventsCodec()
    {
        var (first, second) = RunTwice(tree => Replace(tree, "public sealed record TurnedOn : Event;", "public sealed record TurnedOn(int Brightness) : Event;"));
        var reasons = Reasons(second, TrackingNames.Events);
        Assert.Equal(1, reasons.Count(r => r == IncrementalStepRunReason.Modified));
        Assert.Equal(1, reasons.Count(r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));

        string Codec(GeneratorDriverRunResult run, string name) => run.Results.SelectMany(r => r.GeneratedSources).Single(s => s.HintName == $"EventSourcery.Json.Demo_{name}.g.cs").SourceText.ToString();
        Assert.Equal(Codec(first, "TurnedOff"), Codec(second, "TurnedOff"));
        Assert.Contains("brightness", Codec(second, "TurnedOn"));
    }

    [Fact]
    public void EditingAnUpcastersBodyKeepsEveryStepCached()
        => AssertCachedAfter(tree => Replace(tree, "payload.Remove(\"amount\");", "payload.Remove(\"amount\"); payload.Remove(\"legacy\");"), Sources.Versioned, TrackingNames.Upcasters);

    [Fact]
    public void AddingAnUnrelatedClassBesideUpcastersKeepsEveryStepCached()
        => AssertCachedAfter(tree => Replace(tree, "namespace Shop;", "namespace Shop;\npublic sealed class Unrelated { public int Value => 42; }"), Sources.Versioned, TrackingNames.Upcasters);

    [Fact]
    public void ChangingAnOldShapeRegeneratesItsChain()
    {
        var (first, second) = RunTwice(
            tree => Replace(tree, "public sealed record OrderPlacedV3(string OrderId, decimal Total, Currency Currency);", "public sealed record OrderPlacedV3(string OrderId, decimal Total, Currency Currency, string? Note = null);"),
            Sources.Versioned);
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(second, TrackingNames.Upcasters));

        string Chain(GeneratorDriverRunResult run) => run.Results.SelectMany(r => r.GeneratedSources).Single(s => s.HintName == "EventSourcery.Upcasts.Shop_OrderPlaced.g.cs").SourceText.ToString();
        Assert.DoesNotContain("\"note\"u8", Chain(first));
        Assert.Contains("\"note\"u8", Chain(second));
    }

    [Theory]
    [InlineData(nameof(Sources.LightSwitch))]
    [InlineData(nameof(Sources.Versioned))]
    public void PipelineModelsHoldNoSymbolsSyntaxOrCompilation(string scenario)
    {
        var source = scenario == nameof(Sources.Versioned) ? Sources.Versioned : Sources.LightSwitch;
        var (first, _) = RunTwice(tree => tree, source);
        var checkedValues = 0;
        foreach (var result in first.Results)
        {
            foreach (var (name, steps) in result.TrackedSteps.Where(s => TrackedSteps.Contains(s.Key)))
            {
                foreach (var step in steps)
                {
                    foreach (var (value, _) in step.Outputs)
                    {
                        AssertNoRoslynObjects(value, $"{name}", new HashSet<object>(ReferenceEqualityComparer.Instance));
                        checkedValues++;
                    }
                }
            }
        }

        Assert.True(checkedValues > 3, $"only {checkedValues} step outputs were checked");
    }

    private static void AssertCachedAfter(Func<SyntaxTree, SyntaxTree> edit, string source = Sources.LightSwitch, string? alsoRan = null)
    {
        var (_, second) = RunTwice(edit, source);
        foreach (var stepName in TrackedSteps)
        {
            var reasons = Reasons(second, stepName);
            Assert.All(reasons, reason => Assert.True(
                reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                $"step {stepName} ran with reason {reason}"));
        }

        Assert.NotEmpty(Reasons(second, alsoRan is null ? TrackingNames.Aggregates : alsoRan));
        Assert.NotEmpty(Reasons(second, TrackingNames.Events));
        foreach (var output in second.Results.SelectMany(r => r.TrackedOutputSteps).SelectMany(s => s.Value).SelectMany(s => s.Outputs))
        {
            Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"an output ran with reason {output.Reason}");
        }
    }

    private static (GeneratorDriverRunResult First, GeneratorDriverRunResult Second) RunTwice(Func<SyntaxTree, SyntaxTree> edit, string source = Sources.LightSwitch)
    {
        var compilation = GeneratorHarness.CreateCompilation(sources: source);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var first = driver.GetRunResult();
        var tree = compilation.SyntaxTrees.Single();
        var edited = compilation.ReplaceSyntaxTree(tree, edit(tree));
        var second = driver.RunGenerators(edited).GetRunResult();
        Assert.Empty(second.Diagnostics);
        return (first, second);
    }

    private static List<IncrementalStepRunReason> Reasons(GeneratorDriverRunResult result, string stepName)
        => result.Results
            .SelectMany(r => r.TrackedSteps.TryGetValue(stepName, out var steps) ? steps : [])
            .SelectMany(step => step.Outputs)
            .Select(output => output.Reason)
            .ToList();

    private static SyntaxTree Replace(SyntaxTree tree, string oldText, string newText)
    {
        var text = tree.GetText().ToString();
        Assert.Contains(oldText, text);
        return CSharpSyntaxTree.ParseText(text.Replace(oldText, newText), GeneratorHarness.ParseOptions, tree.FilePath);
    }

    private static void AssertNoRoslynObjects(object? value, string path, HashSet<object> visited)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !visited.Add(value))
        {
            return;
        }

        Assert.False(value is ISymbol or SyntaxNode or Compilation or SemanticModel or SyntaxTree, $"{path} holds a {value.GetType().Name}");
        if (value is IEnumerable sequence)
        {
            var i = 0;
            foreach (var item in sequence)
            {
                AssertNoRoslynObjects(item, $"{path}[{i++}]", visited);
            }
        }

        foreach (var field in value.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            AssertNoRoslynObjects(field.GetValue(value), $"{path}.{field.Name}", visited);
        }
    }
}
