using System.Text.RegularExpressions;

namespace EventSourcery.Docs.Tests;

/// <summary>A C# block of a Markdown page: the page, the line of its opening fence, and its code.</summary>
public sealed record DocBlock(string Page, int Line, string Code, bool IsFragment)
{
    public override string ToString() => $"{Page}:{Line}";
}

/// <summary>
/// The C# blocks of the README and of docs/*.md (not docs/diagnostics, whose pages show code that is wrong on
/// purpose). Convention: a block fenced <c>```csharp</c> must compile on its own as a file of a console project that
/// references EventSourcery (with its generators), EventSourcery.Sqlite and EventSourcery.Hosting, together with the
/// page's blocks that only declare types (so a page can define a projection once and use it in several blocks). A block
/// that is deliberately a fragment (an API sketch that uses variables it does not declare) is fenced
/// <c>```csharp fragment</c> and only checked for syntax.
/// </summary>
public static partial class DocBlocks
{
    /// <summary>The repository's root: the folder holding the solution, found upwards from the test's output.</summary>
    public static string Root { get; } = FindRoot();

    public static IReadOnlyList<DocBlock> All()
    {
        var pages = new List<string> { Path.Combine(Root, "README.md") };
        pages.AddRange(Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Order(StringComparer.Ordinal));
        return pages.SelectMany(p => Extract(Path.GetRelativePath(Root, p), File.ReadAllText(p))).ToList();
    }

    /// <summary>The C# blocks of one page's Markdown.</summary>
    public static IEnumerable<DocBlock> Extract(string page, string markdown)
    {
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var open = Fence().Match(lines[i]);
            if (!open.Success)
            {
                continue;
            }

            var start = i;
            var code = new List<string>();
            for (i++; i < lines.Length && !lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal); i++)
            {
                code.Add(lines[i]);
            }

            if (i == lines.Length)
            {
                throw new InvalidOperationException($"{page}:{start + 1}: the C# block is never closed.");
            }

            yield return new DocBlock(page, start + 1, string.Join('\n', code), open.Groups["fragment"].Success);
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (dir.GetFiles("*.sln").Length > 0 && File.Exists(Path.Combine(dir.FullName, "README.md")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No solution folder above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"^\s*```(?:csharp|cs|c#)(?<fragment>\s+fragment)?\s*$")]
    private static partial Regex Fence();
}
