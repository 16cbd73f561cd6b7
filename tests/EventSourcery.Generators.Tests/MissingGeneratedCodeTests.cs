using System.Reflection;
using Microsoft.CodeAnalysis;

namespace EventSourcery.Generators.Tests;

/// <summary>
/// Issue 19, item 6: an aggregate that is declared partial but whose generated code is missing (the generator did not
/// run: analyzers excluded, a build without the package's analyzers) fails with an error that says so, rather than
/// asking to declare partial a class that already is.
/// </summary>
public sealed class MissingGeneratedCodeTests
{
    [Fact]
    public void A_partial_aggregate_built_without_the_generator_says_the_generated_code_is_missing()
    {
        // Compiled without running the generators, as a project whose analyzers are switched off would be.
        var compilation = GeneratorHarness.CreateCompilation("WithoutGenerator", sources: """
            using EventSourcery;
            namespace Demo;
            public sealed record TurnedOn : Event;
            public sealed partial class LightSwitch : Aggregate
            {
                private void Apply(TurnedOn e) { }
                public void TurnOn() => Emit(new TurnedOn());
            }
            """);
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));

        var assembly = Assembly.Load(image.ToArray());
        var aggregate = Activator.CreateInstance(assembly.GetType("Demo.LightSwitch", throwOnError: true)!)!;
        var thrown = Assert.Throws<TargetInvocationException>(() => aggregate.GetType().GetMethod("TurnOn")!.Invoke(aggregate, null));

        var error = Assert.IsType<UnhandledEventException>(thrown.InnerException);
        Assert.Contains("LightSwitch", error.Message, StringComparison.Ordinal);
        Assert.Contains("TurnedOn", error.Message, StringComparison.Ordinal);
        Assert.Contains("generated code is missing", error.Message, StringComparison.Ordinal);
        Assert.Contains("generator did not run", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Declare LightSwitch partial", error.Message, StringComparison.Ordinal);
    }
}
