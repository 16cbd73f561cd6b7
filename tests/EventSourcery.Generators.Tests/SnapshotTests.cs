using System.Text.RegularExpressions;
using ApprovalTests;
using ApprovalTests.Namers;
using ApprovalTests.Reporters;
using ApprovalTests.Writers;

namespace EventSourcery.Generators.Tests;

/// <summary>
/// Snapshot tests: one approved file per generated source, in Snapshots/ beside this file. A missing or different
/// approved file fails the test and writes a <c>*.received.cs</c> file next to it to review and rename.
/// </summary>
[UseReporter(typeof(QuietReporter))]
[UseApprovalSubdirectory("Snapshots")]
public sealed partial class SnapshotTests
{
    [Fact]
    public void LightSwitch() => VerifyEach(Sources.LightSwitch);

    [Fact]
    public void EventHierarchy() => VerifyEach(Sources.EventHierarchy);

    [Fact]
    public void NestedAggregate() => VerifyEach(Sources.NestedAggregate);

    [Fact]
    public void GenericAggregate() => VerifyEach(Sources.GenericAggregate);

    [Fact]
    public void SameNameInTwoNamespaces() => VerifyEach(Sources.SameNameInTwoNamespaces);

    [Fact]
    public void EveryShape() => VerifyEach(Sources.EveryShape);

    [Fact]
    public void Snapshotable() => VerifyEach(Sources.Snapshotable);

    [Fact]
    public void PrivateAccessors() => VerifyEach(Sources.PrivateAccessors);

    [Fact]
    public void Versioned() => VerifyEach(Sources.Versioned);

    [Fact]
    public void PersonalData() => VerifyEach(Sources.PersonalData);

    [Fact]
    public void An_old_shape_deriving_from_Event_is_read_through_its_chain_only()
    {
        var result = GeneratorHarness.Run(Sources.Versioned);

        Assert.Equal(
            ["EventSourcery.EventTypes.g.cs", "EventSourcery.Json.Shop_Currency.g.cs", "EventSourcery.Json.Shop_OrderCancelled.g.cs", "EventSourcery.Json.Shop_OrderPlaced.g.cs", "EventSourcery.JsonContext.g.cs", "EventSourcery.Upcasts.Shop_OrderPlaced.g.cs"],
            result.Sources.Select(s => s.HintName).Order(StringComparer.Ordinal));
        var registry = result.Sources.Single(s => s.HintName == "EventSourcery.EventTypes.g.cs").Text;
        Assert.DoesNotContain("typeof(global::Shop.OrderPlacedV2)", registry, StringComparison.Ordinal);
    }

    [Fact]
    public void NoAggregatesNoOutput()
    {
        var result = GeneratorHarness.Run(Sources.NoAggregates);
        result.AssertClean();
        Assert.Empty(result.Sources);
    }

    private static void VerifyEach(string source, [System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        var result = GeneratorHarness.Run(source);
        result.AssertClean();
        Assert.NotEmpty(result.Sources);
        foreach (var (hintName, text) in result.Sources)
        {
            using (ApprovalResults.ForScenario(hintName.Replace(".g.cs", string.Empty)))
            {
                Approvals.Verify(WriterFactory.CreateTextWriter(Scrub(text), "cs"));
            }
        }
    }

    /// <summary>Removes the generator version so snapshots don't change with every release.</summary>
    private static string Scrub(string text) => VersionPattern().Replace(text, "\"EventSourcery.Generators\", \"<version>\"");

    [GeneratedRegex("\"EventSourcery\\.Generators\", \"[0-9.]+\"")]
    private static partial Regex VersionPattern();
}
