using Microsoft.CodeAnalysis;

namespace EventSourcery.Docs.Tests;

/// <summary>Every C# block of README.md and docs/*.md compiles as a user would paste it (see <see cref="DocBlocks"/>).</summary>
public sealed class DocsCompileTests
{
    public static TheoryData<string> Blocks()
    {
        var data = new TheoryData<string>();
        foreach (var block in DocBlocks.All())
        {
            data.Add(block.ToString());
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void The_block_compiles(string where)
    {
        var all = DocBlocks.All();
        var block = all.Single(b => b.ToString() == where);
        var page = all.Where(b => b.Page == block.Page);

        var problems = DocCompiler.Problems(block, page);

        Assert.True(problems.Count == 0, $"{where} does not compile as a user would paste it:\n{string.Join("\n", problems.Select(Describe))}\n\n{block.Code}");
    }

    [Fact]
    public void The_pages_have_blocks_to_check()
    {
        var all = DocBlocks.All();

        Assert.Contains(all, b => b.Page == "README.md" && !b.IsFragment);
        Assert.Contains(all, b => b.Page.StartsWith("docs", StringComparison.Ordinal));
        Assert.DoesNotContain(all, b => b.Page.Contains("diagnostics", StringComparison.Ordinal));
    }

    [Fact]
    public void A_broken_block_is_caught_and_a_fragment_is_only_parsed()
    {
        var markdown = """
            Text.

            ```csharp
            using EventSourcery;
            using System.Text;

            var id = StreamId.New("x");
            public sealed record TurnedOn : Event;
            Console.WriteLine(id);
            ```

            ```csharp fragment
            await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);
            ```

            ```csharp fragment
            var broken = ;
            ```
            """;
        var blocks = DocBlocks.Extract("test.md", markdown).ToList();

        Assert.Equal([3, 12, 16], blocks.Select(b => b.Line));
        var ids = DocCompiler.Problems(blocks[0], blocks).Select(d => d.Id).ToList();
        Assert.Contains("CS8803", ids); // top-level statements after a type declaration
        Assert.Contains("CS8019", ids); // the unneeded using
        Assert.Empty(DocCompiler.Problems(blocks[1], blocks)); // undeclared names are fine in a fragment
        Assert.NotEmpty(DocCompiler.Problems(blocks[2], blocks)); // a syntax error is not
    }

    [Fact]
    public void An_example_that_breaks_one_of_our_rules_is_caught()
    {
        var markdown = """
            ```csharp
            using EventSourcery;

            public sealed record TurnOn : Event;
            ```
            """;
        var block = DocBlocks.Extract("test.md", markdown).Single();

        Assert.Contains("ES0003", DocCompiler.Problems(block, [block]).Select(d => d.Id)); // not in the past tense
    }

    [Fact]
    public void A_page_can_declare_types_in_one_block_and_use_them_in_another()
    {
        var markdown = """
            ```csharp
            using EventSourcery;

            public sealed record LampInstalled(string Room) : Event;
            ```

            ```csharp
            using EventSourcery;

            IEventStore store = new InMemoryEventStore();
            await store.AppendAsync(StreamId.New("lamp"), [new LampInstalled("hall")], ExpectedVersion.NoStream);
            ```
            """;
        var blocks = DocBlocks.Extract("test.md", markdown).ToList();

        Assert.Empty(DocCompiler.Problems(blocks[1], blocks));
        Assert.Empty(DocCompiler.Problems(blocks[0], blocks));
    }

    private static string Describe(Diagnostic d)
        => $"  {d.Location.GetLineSpan().StartLinePosition.Line + 1}: {d.Id} {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
}
