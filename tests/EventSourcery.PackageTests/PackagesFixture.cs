using System.Globalization;
using System.Xml.Linq;

namespace EventSourcery.PackageTests;

/// <summary>
/// Packs src/EventSourcery, src/EventSourcery.Relational, src/EventSourcery.Sqlite, src/EventSourcery.PostgreSql and src/EventSourcery.Hosting once per test run, under a version no earlier run can have
/// produced, into the repository's local feed (artifacts/packages); then prepares the consumer projects in a temp
/// directory outside the repository, restoring into their own package cache. Disposing removes both.
/// </summary>
/// <remarks>
/// Staleness is excluded twice: the version is fresh (a package cached by an earlier run cannot satisfy the exact
/// reference), and the consumers restore into an empty NUGET_PACKAGES folder, so even the dependencies come from the
/// feeds now, not from the machine's cache. The pack builds with its own --artifacts-path, so it never touches the
/// bin/obj folders that concurrent in-tree builds and test runs use.
/// </remarks>
public sealed class PackagesFixture : IAsyncLifetime
{
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(6);
    private static readonly TimeSpan ConsumerTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan LeftoverAge = TimeSpan.FromHours(3);
    private const string TempPrefix = "eventsourcery-pkgtest-";

    private readonly Lazy<Task<CommandResult>> _appBuild;
    private readonly Lazy<Task<CommandResult>> _misnamedBuild;
    private readonly Lazy<Task<CommandResult>> _pgAppBuild;
    private readonly Lazy<Task<CommandResult>> _versionedBuild;

    public PackagesFixture()
    {
        RepoRoot = FindRepoRoot();
        Version = FreshVersion(RepoRoot);
        FeedDirectory = Path.Combine(RepoRoot, "artifacts", "packages");
        WorkDirectory = Path.Combine(Path.GetTempPath(), TempPrefix + Version);
        ConsumersDirectory = Path.Combine(WorkDirectory, "consumers");
        _appBuild = new(() => BuildConsumerAsync("App"));
        _misnamedBuild = new(() => BuildConsumerAsync("Misnamed"));
        _pgAppBuild = new(() => BuildConsumerAsync("PgApp"));
        _versionedBuild = new(() => BuildConsumerAsync("Versioned"));
    }

    /// <summary>The repository root (where EventSourcery.Generators.sln is).</summary>
    public string RepoRoot { get; }

    /// <summary>The version this run packed, e.g. <c>0.1.0-pkgtest.20261126071500.482913</c>.</summary>
    public string Version { get; }

    /// <summary>artifacts/packages: the folder the repository's nuget.config adds as a source.</summary>
    public string FeedDirectory { get; }

    /// <summary>This run's temp directory (outside the repository): pack intermediates, consumers, package cache.</summary>
    public string WorkDirectory { get; }

    /// <summary>Root of the consumer projects, with their own nuget.config and Directory.*.props.</summary>
    public string ConsumersDirectory { get; }

    /// <summary>The consumers' private package cache (NUGET_PACKAGES).</summary>
    public string PackageCache => Path.Combine(WorkDirectory, "nuget-packages");

    /// <summary>How long packing both projects took.</summary>
    public TimeSpan PackDuration { get; private set; }

    public string PackagePath(string id) => Path.Combine(FeedDirectory, $"{id}.{Version}.nupkg");

    public string SymbolPackagePath(string id) => Path.Combine(FeedDirectory, $"{id}.{Version}.snupkg");

    public string ConsumerDirectory(string name) => Path.Combine(ConsumersDirectory, name);

    public string ConsumerOutputDirectory(string name) => Path.Combine(ConsumerDirectory(name), "bin", "Release", "net10.0");

    /// <summary>The consumer app's Release build (restore included), run once and shared by the tests that need it.</summary>
    public Task<CommandResult> AppBuild => _appBuild.Value;

    /// <summary>The misnamed-event library's build, run once.</summary>
    public Task<CommandResult> MisnamedBuild => _misnamedBuild.Value;

    public Task<CommandResult> PgAppBuild => _pgAppBuild.Value;

    /// <summary>The build of the library whose shipped event lost a property, run once.</summary>
    public Task<CommandResult> VersionedBuild => _versionedBuild.Value;

    /// <summary>Runs <c>dotnet</c> for a consumer: private package cache, consumer-sized timeout.</summary>
    public Task<CommandResult> RunConsumerCommandAsync(string consumer, params string[] arguments) =>
        DotNet.RunAsync(ConsumerDirectory(consumer), arguments, ConsumerTimeout, new Dictionary<string, string> { ["NUGET_PACKAGES"] = PackageCache });

    public async Task InitializeAsync()
    {
        RemoveLeftovers();
        Directory.CreateDirectory(WorkDirectory);
        Directory.CreateDirectory(FeedDirectory);

        var started = DateTime.UtcNow;
        // Packing the SQLite store builds the core too; the second pack then only has to package it.
        foreach (var project in new[] { "src/EventSourcery.Sqlite/EventSourcery.Sqlite.csproj", "src/EventSourcery.Relational/EventSourcery.Relational.csproj", "src/EventSourcery.PostgreSql/EventSourcery.PostgreSql.csproj", "src/EventSourcery.Hosting/EventSourcery.Hosting.csproj", "src/EventSourcery.RabbitMQ/EventSourcery.RabbitMQ.csproj", "src/EventSourcery.Cli/EventSourcery.Cli.csproj", "src/EventSourcery/EventSourcery.csproj" })
        {
            var pack = await DotNet.RunAsync(
                RepoRoot,
                ["pack", project, "-c", "Release", $"-p:Version={Version}", "-o", FeedDirectory,
                 "--artifacts-path", Path.Combine(WorkDirectory, "build"), "--disable-build-servers"],
                PackTimeout);
            if (pack.ExitCode != 0)
            {
                throw new InvalidOperationException($"dotnet pack failed:{Environment.NewLine}{pack}");
            }
        }

        PackDuration = DateTime.UtcNow - started;
        WriteConsumers();
    }

    public Task DisposeAsync()
    {
        if (Environment.GetEnvironmentVariable("EVENTSOURCERY_KEEP_PACKAGE_TESTS") == "1")
        {
            return Task.CompletedTask; // keep the packages and the temp directory for a look after a failure
        }

        foreach (var id in new[] { "EventSourcery", "EventSourcery.Relational", "EventSourcery.Sqlite", "EventSourcery.PostgreSql", "EventSourcery.Hosting", "EventSourcery.RabbitMQ", "EventSourcery.Cli" })
        {
            File.Delete(PackagePath(id));
            File.Delete(SymbolPackagePath(id));
        }

        DeleteDirectory(WorkDirectory);
        return Task.CompletedTask;
    }

    private Task<CommandResult> BuildConsumerAsync(string consumer) =>
        RunConsumerCommandAsync(consumer, "build", "-c", "Release", "--disable-build-servers");

    // The consumers live outside the repository, and their own Directory.* files stop MSBuild's upward search, so
    // nothing of the repository's build (central package management, analyzers, warnings as errors) reaches them.
    private void WriteConsumers()
    {
        CopyDirectory(Path.Combine(RepoRoot, "tests", "EventSourcery.PackageTests", "Consumers"), ConsumersDirectory);
        File.WriteAllText(Path.Combine(ConsumersDirectory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <!-- Adds the repository's local feed; every other source is the machine's ordinary NuGet setup. -->
            <configuration>
              <packageSources>
                <add key="eventsourcery-package-tests" value="{FeedDirectory}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(ConsumersDirectory, "Directory.Build.props"), $"""
            <Project>
              <PropertyGroup>
                <EventSourceryPackageVersion>{Version}</EventSourceryPackageVersion>
              </PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(ConsumersDirectory, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(ConsumersDirectory, "Directory.Packages.props"), """
            <Project>
              <PropertyGroup>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
              </PropertyGroup>
            </Project>
            """);
    }

    // Packages and temp directories of runs that crashed before disposing; old enough that no live run owns them.
    private void RemoveLeftovers()
    {
        var cutoff = DateTime.UtcNow - LeftoverAge;
        if (Directory.Exists(FeedDirectory))
        {
            foreach (var file in Directory.EnumerateFiles(FeedDirectory, "*-pkgtest.*"))
            {
                if (File.GetLastWriteTimeUtc(file) < cutoff)
                {
                    File.Delete(file);
                }
            }
        }

        foreach (var directory in Directory.EnumerateDirectories(Path.GetTempPath(), TempPrefix + "*"))
        {
            if (Directory.GetLastWriteTimeUtc(directory) < cutoff)
            {
                DeleteDirectory(directory);
            }
        }
    }

    private static string FindRepoRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "EventSourcery.Generators.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No EventSourcery.Generators.sln above {AppContext.BaseDirectory}.");
    }

    // <Version> of Directory.Build.props without its pre-release part, plus a pre-release label unique to this run.
    private static string FreshVersion(string repoRoot)
    {
        var declared = XDocument.Load(Path.Combine(repoRoot, "Directory.Build.props")).Descendants("Version").FirstOrDefault()?.Value ?? "0.0.0";
        var release = declared.Split('-', '+')[0];
        var stamp = DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        return $"{release}-pkgtest.{stamp}.{Random.Shared.Next(100_000, 1_000_000)}";
    }

    private static void CopyDirectory(string source, string destination)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            {
                continue;
            }

            var target = Path.Combine(destination, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static void DeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
            // A file still held by a process that is shutting down; the next run removes it as a leftover.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PackageTestGroup : ICollectionFixture<PackagesFixture>, ICollectionFixture<EventSourcery.PostgreSql.Tests.PostgresServer>
{
    /// <summary>One collection: the package tests share one pack and run one after another, in parallel with the
    /// other test assemblies.</summary>
    public const string Name = "Packed EventSourcery";
}
