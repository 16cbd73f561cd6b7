using System.Collections.Immutable;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace EventSourcery.Analyzers.Tests.Verifiers;

/// <summary>
/// References for every test compilation: the .NET 10 reference assemblies embedded in Basic.Reference.Assemblies and
/// the EventSourcery runtime. Nothing is downloaded at test time: the testing library's <see cref="ReferenceAssemblies"/>
/// is replaced by one that names a target framework but no package, so it resolves to no references at all.
/// </summary>
internal static class TestReferences
{
    /// <summary>A <see cref="ReferenceAssemblies"/> without a package: resolves to nothing, fetches nothing.</summary>
    public static ReferenceAssemblies NoPackages { get; } = new("net10.0");

    /// <summary>.NET 10 reference assemblies.</summary>
    public static ImmutableArray<MetadataReference> Net100 { get; } = [.. Basic.Reference.Assemblies.Net100.References.All];

    /// <summary>.NET 10 reference assemblies plus the EventSourcery runtime.</summary>
    public static ImmutableArray<MetadataReference> WithEventSourcery { get; } =
        [.. Net100, MetadataReference.CreateFromFile(typeof(Event).Assembly.Location)];

    /// <summary>Points <paramref name="test"/> at the embedded references instead of downloaded packages.</summary>
    public static void Configure<TVerifier>(AnalyzerTest<TVerifier> test, bool referenceEventSourcery = true)
        where TVerifier : IVerifier, new()
    {
        test.ReferenceAssemblies = NoPackages;
        test.TestState.AdditionalReferences.Clear();
        test.TestState.AdditionalReferences.AddRange(referenceEventSourcery ? WithEventSourcery : Net100);
    }
}
