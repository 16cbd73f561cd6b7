using System.Diagnostics;

namespace EventSourcery.Cli.Tests;

/// <summary>
/// Colour only on a terminal, and never with NO_COLOR: the tool runs under <c>script</c>, which gives it a
/// pseudo-terminal as standard output. (Redirected output is checked by the other tests: they see no escape codes.)
/// </summary>
public sealed class ColourTests
{
    [SkippableFact]
    public async Task A_terminal_gets_colour_unless_NO_COLOR_is_set()
    {
        // util-linux's script is what gives the tool a terminal here. Without it a local run skips, saying why; under
        // CI (CI=true) the missing tool fails the run, as a missing server does.
        var hasScript = File.Exists("/usr/bin/script");
        var underCi = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        Assert.True(hasScript || !underCi, "/usr/bin/script (util-linux) is missing under CI: no pseudo-terminal to run the tool on");
        Skip.IfNot(hasScript, "/usr/bin/script (util-linux) is missing: no pseudo-terminal to run the tool on");

        await using var temp = await SampleStore.CreateAsync();

        var coloured = await RunOnTerminalAsync(temp.Path, noColor: false);
        var plain = await RunOnTerminalAsync(temp.Path, noColor: true);

        Assert.Contains("alice", coloured, StringComparison.Ordinal);
        Assert.Contains("\u001b[", coloured, StringComparison.Ordinal);
        Assert.Contains("alice", plain, StringComparison.Ordinal);
        Assert.DoesNotMatch("\u001b\\[[0-9;]*m", plain); // no colour or style codes
    }

    private static async Task<string> RunOnTerminalAsync(string path, bool noColor)
    {
        var info = new ProcessStartInfo("/usr/bin/script") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        info.ArgumentList.Add("-qec");
        info.ArgumentList.Add($"'{Cli.DotnetHost}' '{Cli.DllPath}' streams '{path}'");
        info.ArgumentList.Add("/dev/null");
        info.Environment["TERM"] = "xterm-256color";
        info.Environment.Remove("NO_COLOR");
        if (noColor)
        {
            info.Environment["NO_COLOR"] = "1";
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, await output + await process.StandardError.ReadToEndAsync());
        return await output;
    }
}
