using System.IO.Compression;
using System.Xml.Linq;

namespace EventSourcery.PackageTests;

/// <summary>What the two packages contain and declare.</summary>
[Collection(PackageTestGroup.Name)]
public sealed class PackageLayoutTests(PackagesFixture packages)
{
    [Fact]
    public void EventSourcery_carries_the_runtime_with_docs_the_readme_and_the_roslyn_components()
    {
        var entries = Entries(packages.PackagePath("EventSourcery"));

        Assert.Contains("lib/net10.0/EventSourcery.dll", entries);
        Assert.Contains("lib/net10.0/EventSourcery.xml", entries);
        Assert.Contains("README.md", entries);
        Assert.Contains("analyzers/dotnet/cs/EventSourcery.Generators.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/EventSourcery.Analyzers.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/EventSourcery.CodeFixes.dll", entries);
        Assert.Contains("buildTransitive/EventSourcery.targets", entries); // adds EventSchemas.Shipped.txt to the analyzers' files
        Assert.Contains("build/EventSourcery.targets", entries);
        // Roslyn itself comes with the compiler; a packed copy would conflict with it.
        Assert.DoesNotContain(entries, e => e.Contains("Microsoft.CodeAnalysis", StringComparison.OrdinalIgnoreCase));
        // The Roslyn components are compiler plug-ins, never runtime references.
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.Contains(".Generators", StringComparison.Ordinal));
    }

    [Fact]
    public void EventSourcery_nuspec_has_the_metadata_and_no_dependency_on_roslyn()
    {
        var nuspec = Nuspec(packages.PackagePath("EventSourcery"));

        AssertCommonMetadata(nuspec, "EventSourcery");
        Assert.DoesNotContain(Dependencies(nuspec), d => d.Id.StartsWith("Microsoft.CodeAnalysis", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(Dependencies(nuspec));
    }

    [Fact]
    public void EventSourcery_Sqlite_carries_the_store_and_depends_on_the_same_relational_layer_and_on_EF_Core_Sqlite()
    {
        var path = packages.PackagePath("EventSourcery.Sqlite");
        var entries = Entries(path);
        var nuspec = Nuspec(path);
        var dependencies = Dependencies(nuspec);

        Assert.Contains("lib/net10.0/EventSourcery.Sqlite.dll", entries);
        Assert.Contains("lib/net10.0/EventSourcery.Sqlite.xml", entries);
        Assert.Contains("README.md", entries);
        // The core package brings the Roslyn components once; the store does not repeat them.
        Assert.DoesNotContain(entries, e => e.StartsWith("analyzers/", StringComparison.Ordinal));
        AssertCommonMetadata(nuspec, "EventSourcery.Sqlite");
        var relational = Assert.Single(dependencies, d => d.Id == "EventSourcery.Relational");
        Assert.Equal(packages.Version, relational.Version);
        // NuGet's default exclude="Build,Analyzers" would leave a user who installs only the store without generators.
        Assert.DoesNotContain("Analyzers", relational.Exclude ?? "", StringComparison.OrdinalIgnoreCase);
        var efCore = Assert.Single(dependencies, d => d.Id == "Microsoft.EntityFrameworkCore.Sqlite");
        Assert.Equal(CentralVersion("Microsoft.EntityFrameworkCore.Sqlite"), efCore.Version);
        Assert.DoesNotContain(dependencies, d => d.Id.StartsWith("Microsoft.CodeAnalysis", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void EventSourcery_RabbitMQ_carries_the_publisher_and_depends_on_the_core_and_RabbitMQ_Client()
    {
        var path = packages.PackagePath("EventSourcery.RabbitMQ");
        var entries = Entries(path);
        var nuspec = Nuspec(path);
        var dependencies = Dependencies(nuspec);

        Assert.Contains("lib/net10.0/EventSourcery.RabbitMQ.dll", entries);
        Assert.Contains("lib/net10.0/EventSourcery.RabbitMQ.xml", entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("analyzers/", StringComparison.Ordinal));
        AssertCommonMetadata(nuspec, "EventSourcery.RabbitMQ");
        var core = Assert.Single(dependencies, d => d.Id == "EventSourcery");
        Assert.Equal(packages.Version, core.Version);
        Assert.DoesNotContain("Analyzers", core.Exclude ?? "", StringComparison.OrdinalIgnoreCase);
        Assert.Equal(CentralVersion("RabbitMQ.Client"), Assert.Single(dependencies, d => d.Id == "RabbitMQ.Client").Version);
    }

    [Fact]
    public void EventSourcery_PostgreSql_carries_the_store_and_depends_on_the_same_relational_layer_and_on_Npgsql_EF_Core()
    {
        var path = packages.PackagePath("EventSourcery.PostgreSql");
        var entries = Entries(path);
        var nuspec = Nuspec(path);
        var dependencies = Dependencies(nuspec);

        Assert.Contains("lib/net10.0/EventSourcery.PostgreSql.dll", entries);
        Assert.Contains("lib/net10.0/EventSourcery.PostgreSql.xml", entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("analyzers/", StringComparison.Ordinal));
        AssertCommonMetadata(nuspec, "EventSourcery.PostgreSql");
        var relational = Assert.Single(dependencies, d => d.Id == "EventSourcery.Relational");
        Assert.Equal(packages.Version, relational.Version);
        Assert.DoesNotContain("Analyzers", relational.Exclude ?? "", StringComparison.OrdinalIgnoreCase);
        Assert.Equal(CentralVersion("Npgsql.EntityFrameworkCore.PostgreSQL"), Assert.Single(dependencies, d => d.Id == "Npgsql.EntityFrameworkCore.PostgreSQL").Version);
        Assert.Equal(CentralVersion("Npgsql"), Assert.Single(dependencies, d => d.Id == "Npgsql").Version);
        Assert.DoesNotContain(dependencies, d => d.Id.StartsWith("Microsoft.EntityFrameworkCore.Sqlite", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void EventSourcery_Relational_carries_the_provider_neutral_store_and_depends_on_the_same_EventSourcery_and_on_EF_Core_Relational()
    {
        var path = packages.PackagePath("EventSourcery.Relational");
        var entries = Entries(path);
        var nuspec = Nuspec(path);
        var dependencies = Dependencies(nuspec);

        Assert.Contains("lib/net10.0/EventSourcery.Relational.dll", entries);
        Assert.Contains("lib/net10.0/EventSourcery.Relational.xml", entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("analyzers/", StringComparison.Ordinal));
        AssertCommonMetadata(nuspec, "EventSourcery.Relational");
        var core = Assert.Single(dependencies, d => d.Id == "EventSourcery");
        Assert.Equal(packages.Version, core.Version);
        Assert.DoesNotContain("Analyzers", core.Exclude ?? "", StringComparison.OrdinalIgnoreCase);
        var efCore = Assert.Single(dependencies, d => d.Id == "Microsoft.EntityFrameworkCore.Relational");
        Assert.Equal(CentralVersion("Microsoft.EntityFrameworkCore.Relational"), efCore.Version);
        Assert.DoesNotContain(dependencies, d => d.Id.StartsWith("Microsoft.EntityFrameworkCore.Sqlite", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void EventSourcery_Hosting_carries_the_workers_and_depends_on_the_same_EventSourcery_and_hosting_abstractions()
    {
        var path = packages.PackagePath("EventSourcery.Hosting");
        var entries = Entries(path);
        var nuspec = Nuspec(path);
        var dependencies = Dependencies(nuspec);

        Assert.Contains("lib/net10.0/EventSourcery.Hosting.dll", entries);
        Assert.Contains("lib/net10.0/EventSourcery.Hosting.xml", entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("analyzers/", StringComparison.Ordinal));
        AssertCommonMetadata(nuspec, "EventSourcery.Hosting");
        var core = Assert.Single(dependencies, d => d.Id == "EventSourcery");
        Assert.Equal(packages.Version, core.Version);
        Assert.DoesNotContain("Analyzers", core.Exclude ?? "", StringComparison.OrdinalIgnoreCase);
        Assert.Single(dependencies, d => d.Id == "Microsoft.Extensions.Hosting.Abstractions");
        Assert.Single(dependencies, d => d.Id == "Microsoft.Extensions.Diagnostics.HealthChecks"); // AddHealthChecks
    }

    [Theory]
    [InlineData("EventSourcery")]
    [InlineData("EventSourcery.Sqlite")]
    [InlineData("EventSourcery.Relational")]
    [InlineData("EventSourcery.PostgreSql")]
    [InlineData("EventSourcery.Hosting")]
    public void Symbol_packages_carry_the_pdbs(string id)
    {
        var entries = Entries(packages.SymbolPackagePath(id));

        Assert.Contains($"lib/net10.0/{id}.pdb", entries);
    }

    private void AssertCommonMetadata(XElement nuspec, string id)
    {
        var metadata = nuspec.Elements().Single(e => e.Name.LocalName == "metadata");
        string? Value(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;

        Assert.Equal(id, Value("id"));
        Assert.Equal(packages.Version, Value("version"));
        Assert.False(string.IsNullOrWhiteSpace(Value("description")), "description");
        Assert.False(string.IsNullOrWhiteSpace(Value("tags")), "tags");
        Assert.Contains("event-sourcing", Value("tags")!.Split(' '));
        Assert.Equal("MIT", Value("license"));
        Assert.Equal("README.md", Value("readme"));
        Assert.Equal("https://github.com/eventsourcery/eventsourcery-dotnet", Value("projectUrl"));
        var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
        Assert.Equal("https://github.com/eventsourcery/eventsourcery-dotnet", repository.Attribute("url")?.Value);
    }

    private string CentralVersion(string id) =>
        XDocument.Load(Path.Combine(packages.RepoRoot, "Directory.Packages.props"))
            .Descendants("PackageVersion").Single(e => e.Attribute("Include")?.Value == id).Attribute("Version")!.Value;

    private static List<string> Entries(string package)
    {
        Assert.True(File.Exists(package), $"{package} was not packed");
        using var zip = ZipFile.OpenRead(package);
        return zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal).ToList();
    }

    private static XElement Nuspec(string package)
    {
        using var zip = ZipFile.OpenRead(package);
        var entry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/', StringComparison.Ordinal));
        using var stream = entry.Open();
        return XDocument.Load(stream).Root!;
    }

    private static List<Dependency> Dependencies(XElement nuspec) =>
        nuspec.Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => new Dependency(e.Attribute("id")!.Value, e.Attribute("version")!.Value, e.Attribute("exclude")?.Value))
            .ToList();

    private sealed record Dependency(string Id, string Version, string? Exclude);
}
