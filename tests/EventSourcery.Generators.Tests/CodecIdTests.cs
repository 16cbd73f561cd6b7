using EventSourcery.Generators.Parsing;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace EventSourcery.Generators.Tests;

/// <summary>Codec ids (hint names and method names) stay apart, and the event filter looks at records only.</summary>
public sealed class CodecIdTests
{
    [Fact]
    public void Names_that_differ_only_in_dots_and_underscores_get_ids_of_their_own_and_compile()
    {
        var result = GeneratorHarness.Run("""
            using EventSourcery;

            namespace A { public sealed record B_C(int X) : Event; }
            namespace A_B { public sealed record C(int Y) : Event; }
            namespace A.B { public sealed record C(int Z) : Event; }
            namespace Shop { [EventName("order_placed")] public sealed record OrderPlaced : Event; }
            """);

        result.AssertClean(); // before, A.B_C and A_B.C both became A_B_C: one hint name added twice
        var codecs = result.Sources.Select(s => s.HintName).Where(h => h.StartsWith("EventSourcery.Json.", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(4, codecs.Count);
        Assert.Equal(4, codecs.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains("EventSourcery.Json.A_B_C.g.cs", codecs); // A.B.C: dots only, the readable id
        Assert.Contains("EventSourcery.Json.Shop_OrderPlaced.g.cs", codecs);
        Assert.Equal(2, codecs.Count(c => c.StartsWith("EventSourcery.Json.A_B_C_", StringComparison.Ordinal))); // the two with underscores, hashed apart
    }

    [Theory]
    [InlineData("public sealed record TurnedOn : Event;", true)]
    [InlineData("public sealed record class TurnedOn : Event;", true)]
    [InlineData("public sealed class Handler : Base;", false)]
    [InlineData("public readonly record struct Point(int X) : IComparable<Point>;", false)]
    [InlineData("public sealed record Alone;", false)]
    public void Only_record_classes_with_a_base_list_are_looked_at_as_events(string declaration, bool candidate)
    {
        var node = CSharpSyntaxTree.ParseText(declaration).GetRoot().DescendantNodes().OfType<TypeDeclarationSyntax>().Single();

        Assert.Equal(candidate, EventParser.IsCandidate(node, CancellationToken.None));
    }
}
