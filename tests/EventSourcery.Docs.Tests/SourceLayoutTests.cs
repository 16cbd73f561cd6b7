using System.Text.RegularExpressions;

namespace EventSourcery.Docs.Tests;

/// <summary>
/// The layout rules of src/ that issue 14 measures and decision 0013 states: no source file over 400 lines, namespaces
/// that match folders (except the user-facing <c>EventSourcery</c> namespace), and no cycle of <c>using</c> directives
/// between the folders of a project.
/// </summary>
public sealed partial class SourceLayoutTests
{
    private const int MaxLines = 400;

    /// <summary>Files whose namespace is not their folder's, each for a stated reason.</summary>
    private static readonly Dictionary<string, string> NamespaceExceptions = new(StringComparer.Ordinal)
    {
        ["src/EventSourcery.Generators/Shared/StoredMembers.cs"] = "compiled into both the generator and the runtime, in the namespace the runtime's code uses",
        ["src/EventSourcery.Generators/Shared/StoredMembers.Types.cs"] = "the second part of StoredMembers, compiled in with it",
        ["src/EventSourcery.Generators/Shared/StoredMembers.Constructors.cs"] = "the third part of StoredMembers, compiled in with it",
        ["src/EventSourcery.Generators/Helpers/IsExternalInit.cs"] = "a polyfill, in the namespace the compiler looks in",
    };

    [Fact]
    public void No_source_file_is_over_400_lines()
    {
        var long_ = SourceFiles()
            .Select(f => (f.Path, Lines: File.ReadAllLines(Path.Combine(DocBlocks.Root, f.Path)).Length))
            .Where(f => f.Lines > MaxLines)
            .Select(f => $"{f.Path}: {f.Lines} lines")
            .ToList();

        Assert.True(long_.Count == 0, "Over 400 lines:\n" + string.Join("\n", long_));
    }

    [Fact]
    public void Namespaces_match_folders_except_the_user_facing_EventSourcery_namespace()
    {
        var wrong = new List<string>();
        foreach (var file in SourceFiles())
        {
            var ns = NamespaceOf(file.Path);
            if (ns is null || ns == "EventSourcery" || ns == file.FolderNamespace || NamespaceExceptions.ContainsKey(file.Path))
            {
                continue; // no namespace: top-level statements or assembly attributes only
            }

            wrong.Add($"{file.Path}: namespace {ns}, folder {file.FolderNamespace}");
        }

        Assert.True(wrong.Count == 0, "Namespaces that do not match their folders:\n" + string.Join("\n", wrong));
    }

    [Fact]
    public void No_cycle_of_using_directives_between_the_folders_of_a_project()
    {
        var cycles = new List<string>();
        foreach (var project in SourceFiles().GroupBy(f => f.Project))
        {
            var edges = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            foreach (var file in project)
            {
                var text = File.ReadAllText(Path.Combine(DocBlocks.Root, file.Path));
                foreach (Match using_ in UsingDirective().Matches(text))
                {
                    var target = using_.Groups[1].Value;
                    if (target != file.FolderNamespace && target.StartsWith(project.Key + ".", StringComparison.Ordinal))
                    {
                        (edges.TryGetValue(file.FolderNamespace, out var to) ? to : edges[file.FolderNamespace] = new(StringComparer.Ordinal)).Add(target);
                    }
                }
            }

            cycles.AddRange(FindCycles(edges));
        }

        Assert.True(cycles.Count == 0, "Folders that import each other:\n" + string.Join("\n", cycles));
    }

    [Fact]
    public void The_cycle_check_finds_a_cycle()
    {
        var edges = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal)
        {
            ["A.Storage"] = ["A.Schema"],
            ["A.Schema"] = ["A.Model"],
            ["A.Model"] = ["A.Storage"],
            ["A.Other"] = ["A.Storage"],
        };

        Assert.Equal(["A.Model → A.Storage → A.Schema → A.Model"], FindCycles(edges));
    }

    /// <summary>Every cycle's folders, once each, starting from its alphabetically first folder.</summary>
    private static List<string> FindCycles(Dictionary<string, HashSet<string>> edges)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var start in edges.Keys)
        {
            var path = new List<string> { start };
            Walk(start);

            void Walk(string node)
            {
                foreach (var next in edges.TryGetValue(node, out var to) ? to : [])
                {
                    if (next == start)
                    {
                        if (path.Min(StringComparer.Ordinal) == start)
                        {
                            found.Add(string.Join(" → ", path.Append(start)));
                        }
                    }
                    else if (!path.Contains(next))
                    {
                        path.Add(next);
                        Walk(next);
                        path.RemoveAt(path.Count - 1);
                    }
                }
            }
        }

        return [.. found];
    }

    private static string? NamespaceOf(string path)
    {
        var match = NamespaceDeclaration().Match(File.ReadAllText(Path.Combine(DocBlocks.Root, path)));
        return match.Success ? match.Groups[1].Value : null;
    }

    /// <summary>The C# files of src/ (not obj/ or bin/), with their project and the namespace their folder implies.</summary>
    private static IEnumerable<(string Path, string Project, string FolderNamespace)> SourceFiles()
    {
        var src = Path.Combine(DocBlocks.Root, "src");
        foreach (var projectDir in Directory.GetDirectories(src))
        {
            var project = Path.GetFileName(projectDir);
            foreach (var file in Directory.EnumerateFiles(projectDir, "*.cs", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(projectDir, file).Replace('\\', '/');
                if (relative.StartsWith("obj/", StringComparison.Ordinal) || relative.StartsWith("bin/", StringComparison.Ordinal))
                {
                    continue;
                }

                var folder = Path.GetDirectoryName(relative)!.Replace('\\', '/');
                var folderNamespace = folder.Length == 0 ? project : project + "." + folder.Replace('/', '.');
                yield return ($"src/{project}/{relative}", project, folderNamespace);
            }
        }
    }

    [GeneratedRegex(@"^namespace ([\w.]+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();

    [GeneratedRegex(@"^using ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();
}
