using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace EventSourcery.Generators.Tests;

/// <summary>
/// A project registers the generated registries of the assemblies it references (a domain library's events), found in
/// the references themselves: a compiled assembly's metadata, or a project the IDE has open. An edit of the project
/// reads none of them again.
/// </summary>
public sealed class ReferencedRegistryTests
{
    private const string Domain = """
        using EventSourcery;

        namespace Domain;

        public sealed record ParcelShipped(string Parcel) : Event;
        """;

    private const string App = """
        using EventSourcery;

        namespace App;

        public sealed record InvoiceSent(string Number) : Event;
        """;

    [Fact]
    public void A_compiled_domain_librarys_registry_is_registered_by_the_app()
        => AssertRegistersDomain(MetadataReference.CreateFromImage(Emit(BuildDomain())));

    [Fact]
    public void A_domain_project_open_beside_the_app_is_registered_too()
        => AssertRegistersDomain(BuildDomain().ToMetadataReference());

    [Fact]
    public void An_edit_of_the_app_reads_no_reference_again()
    {
        var compilation = GeneratorHarness.CreateCompilation("App", [MetadataReference.CreateFromImage(Emit(BuildDomain()))], App);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var tree = compilation.SyntaxTrees.Single();
        var edited = compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(tree.GetText().ToString().Replace("namespace App;", "namespace App;\n// an edit", StringComparison.Ordinal), GeneratorHarness.ParseOptions, tree.FilePath));

        var second = driver.RunGenerators(edited).GetRunResult();

        var reasons = second.Results
            .SelectMany(r => r.TrackedSteps.TryGetValue(TrackingNames.ReferencedRegistries, out var steps) ? steps : [])
            .SelectMany(s => s.Outputs)
            .Select(o => o.Reason)
            .ToList();
        Assert.NotEmpty(reasons);
        Assert.All(reasons, reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
    }

    private static void AssertRegistersDomain(MetadataReference domain)
    {
        var result = GeneratorHarness.Run(GeneratorHarness.CreateCompilation("App", [domain], App));

        result.AssertClean();
        Assert.Contains("global::EventSourcery.Generated.EventTypes_Domain.Register();", result.Source("EventSourcery.EventTypes.g.cs"), StringComparison.Ordinal);
    }

    /// <summary>The domain library with its generated code, as its build would make it.</summary>
    private static CSharpCompilation BuildDomain()
    {
        var domain = GeneratorHarness.Run(GeneratorHarness.CreateCompilation("Domain", null, Domain));
        domain.AssertClean();
        return domain.Output;
    }

    private static byte[] Emit(CSharpCompilation compilation)
    {
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        return image.ToArray();
    }
}
