using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace EventSourcery.PackageTests;

/// <summary>Projects outside the repository that use the packed packages the way a user would (PackageReference).</summary>
[Collection(PackageTestGroup.Name)]
public sealed class ConsumerTests(PackagesFixture packages, EventSourcery.PostgreSql.Tests.PostgresServer server, ITestOutputHelper log)
{
    [SkippableFact]
    public async Task App_referencing_the_PostgreSql_package_appends_reloads_and_dispatches_on_a_real_server()
    {
        var build = await packages.PgAppBuild;
        Log(build);
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.DoesNotMatch(new Regex(@"warning (CS8032|CS9057|AD0001|ES\d{4})"), build.Output);
        var depsJson = File.ReadAllText(Path.Combine(packages.ConsumerOutputDirectory("PgApp"), "PgApp.deps.json"));
        foreach (var id in new[] { "EventSourcery", "EventSourcery.Relational", "EventSourcery.PostgreSql" })
        {
            Assert.Matches(new Regex($@"""{Regex.Escape(id)}/{Regex.Escape(packages.Version)}"":\s*\{{\s*""type"":\s*""package"""), depsJson);
        }

        server.SkipIfUnavailable();
        var run = await packages.RunConsumerCommandAsync("PgApp", "run", "--no-build", "-c", "Release", "--", server.ConnectionString, "consumer_" + Guid.NewGuid().ToString("N")[..8]);
        Log(run);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("door: version=3 open=False lockedBy=alice", run.Output, StringComparison.Ordinal);
        Assert.Contains("events: DoorOpened,DoorClosed,DoorLocked(alice@2030-01-02T03:04:05.0000000+02:00)", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task App_referencing_the_Sqlite_package_appends_reloads_and_dispatches_through_the_generated_code()
    {
        var build = await packages.AppBuild;
        Log(build);
        Assert.True(build.ExitCode == 0, build.ToString());
        // The packaged Roslyn components load in the command-line compiler and find nothing to complain about.
        Assert.DoesNotMatch(new Regex(@"warning (CS8032|CS9057|AD0001|ES\d{4})"), build.Output);

        var database = Path.Combine(packages.WorkDirectory, "consumer.db");
        var run = await packages.RunConsumerCommandAsync("App", "run", "--no-build", "-c", "Release", "--", database);
        Log(run);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("door: version=3 open=False lockedBy=alice", run.Output, StringComparison.Ordinal);
        Assert.Contains("events: DoorOpened,DoorClosed,DoorLocked(alice@2030-01-02T03:04:05.0000000+02:00)", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task App_resolves_both_packages_at_the_fresh_version_and_ships_no_roslyn_assembly()
    {
        var build = await packages.AppBuild;
        Assert.True(build.ExitCode == 0, build.ToString());
        var output = packages.ConsumerOutputDirectory("App");
        var files = Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToList();
        var depsJson = File.ReadAllText(Path.Combine(output, "App.deps.json"));

        Assert.Contains("EventSourcery.dll", files);
        Assert.Contains("EventSourcery.Sqlite.dll", files);
        Assert.DoesNotContain(files, f => f!.StartsWith("Microsoft.CodeAnalysis", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(files, f => f!.StartsWith("EventSourcery.Generators", StringComparison.Ordinal)
            || f.StartsWith("EventSourcery.Analyzers", StringComparison.Ordinal)
            || f.StartsWith("EventSourcery.CodeFixes", StringComparison.Ordinal));
        Assert.DoesNotContain("Microsoft.CodeAnalysis", depsJson, StringComparison.OrdinalIgnoreCase);
        // Both came from the feed as packages of this run, not from the source tree.
        Assert.Matches(new Regex($@"""EventSourcery/{Regex.Escape(packages.Version)}"":\s*\{{\s*""type"":\s*""package"""), depsJson);
        Assert.Matches(new Regex($@"""EventSourcery.Sqlite/{Regex.Escape(packages.Version)}"":\s*\{{\s*""type"":\s*""package"""), depsJson);
        Assert.True(Directory.Exists(Path.Combine(packages.PackageCache, "eventsourcery", packages.Version)), "the consumer restored into its own package cache");
    }

    [Fact]
    public async Task Misnamed_event_in_a_consumer_gets_ES0003_at_its_name()
    {
        var source = await File.ReadAllLinesAsync(Path.Combine(packages.ConsumerDirectory("Misnamed"), "Events.cs"));
        var line = Array.FindIndex(source, l => l.Contains("record TurnOn", StringComparison.Ordinal)) + 1;
        var column = source[line - 1].IndexOf("TurnOn", StringComparison.Ordinal) + 1;

        var build = await packages.MisnamedBuild;
        Log(build);

        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.True(line > 0, "Events.cs declares TurnOn");
        Assert.Matches(new Regex($@"Events\.cs\({line},{column}\): warning ES0003"), build.Output);
    }

    [Fact]
    public async Task Removing_a_property_of_a_shipped_event_fails_the_consumers_build_with_ES0012()
    {
        var source = await File.ReadAllLinesAsync(Path.Combine(packages.ConsumerDirectory("Versioned"), "Events.cs"));
        var line = Array.FindIndex(source, l => l.Contains("record InvoiceIssued", StringComparison.Ordinal)) + 1;
        var column = source[line - 1].IndexOf("InvoiceIssued", StringComparison.Ordinal) + 1;

        var build = await packages.VersionedBuild;
        Log(build);

        Assert.True(build.ExitCode != 0, build.ToString());
        Assert.Matches(new Regex($@"Events\.cs\({line},{column}\): error ES0012: 'InvoiceIssued' reads the shipped 'invoice_issued' v1, whose stored shape it no longer reads: 'amount' was removed"), build.Output);
    }

    [Fact]
    public async Task The_tool_installs_with_dotnet_tool_install_and_runs_as_eventsourcery()
    {
        var tools = Path.Combine(packages.WorkDirectory, "tools");
        var install = await packages.RunConsumerCommandAsync("App", "tool", "install", "EventSourcery.Cli", "--version", packages.Version, "--tool-path", tools);
        Log(install);
        Assert.True(install.ExitCode == 0, install.ToString());

        var missing = Path.Combine(packages.WorkDirectory, "no-such-store.db");
        var run = await DotNet.RunProgramAsync(Path.Combine(tools, "eventsourcery"), ["streams", missing], TimeSpan.FromMinutes(1));
        Assert.Equal(2, run.ExitCode); // the tool's own exit code for a store that is not there
        Assert.Contains($"The file '{missing}' does not exist.", run.Output, StringComparison.Ordinal);
    }

    private void Log(CommandResult result) =>
        log.WriteLine($"{result.CommandLine}: exit {result.ExitCode} in {result.Elapsed.TotalSeconds:F1} s (packing took {packages.PackDuration.TotalSeconds:F1} s)");
}
