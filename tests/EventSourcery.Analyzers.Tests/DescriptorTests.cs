using System.Reflection;
using Microsoft.CodeAnalysis;

namespace EventSourcery.Analyzers.Tests;

/// <summary>Every rule is declared once, documented, tracked for release and reported by an analyzer.</summary>
public class DescriptorTests
{
    private static readonly DiagnosticDescriptor[] Descriptors = typeof(DiagnosticDescriptors)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
        .OrderBy(d => d.Id, StringComparer.Ordinal)
        .ToArray();

    public static TheoryData<string, DiagnosticSeverity> DesignTable() => new()
    {
        { "ES0001", DiagnosticSeverity.Error },
        { "ES0002", DiagnosticSeverity.Error },
        { "ES0003", DiagnosticSeverity.Warning },
        { "ES0004", DiagnosticSeverity.Error },
        { "ES0005", DiagnosticSeverity.Warning },
        { "ES0006", DiagnosticSeverity.Warning },
        { "ES0007", DiagnosticSeverity.Warning },
        { "ES0008", DiagnosticSeverity.Error },
        { "ES0009", DiagnosticSeverity.Error },
        { "ES0010", DiagnosticSeverity.Error },
        { "ES0011", DiagnosticSeverity.Error },
        { "ES0012", DiagnosticSeverity.Error },
        { "ES0013", DiagnosticSeverity.Error },
        { "ES0014", DiagnosticSeverity.Error },
        { "ES0015", DiagnosticSeverity.Warning },
        { "ES0016", DiagnosticSeverity.Error },
        { "ES0017", DiagnosticSeverity.Error },
        { "ES0018", DiagnosticSeverity.Error },
        { "ES0019", DiagnosticSeverity.Error },
        { "ES0020", DiagnosticSeverity.Warning },
        { "ES0021", DiagnosticSeverity.Error },
        { "ES0022", DiagnosticSeverity.Warning },
    };

    [Fact]
    public void DeclaresExactlyTheRulesOfTheDesign()
        => Assert.Equal(DesignTable().Select(row => (string)row[0]), Descriptors.Select(d => d.Id));

    [Theory]
    [MemberData(nameof(DesignTable))]
    public void EachRuleHasItsSeverityHelpPageAndReleaseEntry(string id, DiagnosticSeverity severity)
    {
        var descriptor = Assert.Single(Descriptors, d => d.Id == id);
        Assert.Equal(severity, descriptor.DefaultSeverity);
        Assert.True(descriptor.IsEnabledByDefault);
        Assert.StartsWith("EventSourcery.", descriptor.Category, StringComparison.Ordinal);
        Assert.Equal($"https://github.com/eventsourcery/eventsourcery-dotnet/blob/main/docs/diagnostics/{id}.md", descriptor.HelpLinkUri);

        var page = Path.Combine(RepositoryRoot, "docs", "diagnostics", id + ".md");
        Assert.True(File.Exists(page), $"{page} is missing");
        var text = File.ReadAllText(page);
        Assert.Contains($"dotnet_diagnostic.{id}.severity", text, StringComparison.Ordinal);

        var release = File.ReadAllLines(Path.Combine(RepositoryRoot, "analyzers", "EventSourcery.Analyzers", "AnalyzerReleases.Unshipped.md"));
        Assert.Contains(release, line => line.StartsWith($"{id} | {descriptor.Category} | {severity} |", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryRuleIsReportedByExactlyOneAnalyzer()
    {
        var supported = new Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer[] { new AggregateAnalyzer(), new EventAnalyzer(), new VersioningAnalyzer(), new PersonalDataAnalyzer() }
            .SelectMany(a => a.SupportedDiagnostics)
            .Select(d => d.Id)
            .OrderBy(id => id, StringComparer.Ordinal);
        Assert.Equal(Descriptors.Select(d => d.Id), supported);
    }

    [Fact]
    public void OnlyTheCompilationWideRulesAreCompilationEndDiagnostics()
    {
        var compilationEnd = Descriptors.Where(d => d.CustomTags.Contains(WellKnownDiagnosticTags.CompilationEnd)).Select(d => d.Id);
        Assert.Equal(["ES0004", "ES0011", "ES0012", "ES0013", "ES0014", "ES0015"], compilationEnd);
    }

    private static string RepositoryRoot
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "EventSourcery.Generators.sln")))
                {
                    return directory.FullName;
                }
            }

            throw new InvalidOperationException("Repository root not found above " + AppContext.BaseDirectory);
        }
    }
}
