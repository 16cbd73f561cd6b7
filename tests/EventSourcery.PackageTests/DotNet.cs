using System.Diagnostics;
using System.Text;

namespace EventSourcery.PackageTests;

/// <summary>The outcome of one <c>dotnet</c> command, printable as a whole into an assertion message.</summary>
public sealed record CommandResult(string CommandLine, string WorkingDirectory, int ExitCode, string Output, TimeSpan Elapsed)
{
    public override string ToString() =>
        $"$ {CommandLine}{Environment.NewLine}  (in {WorkingDirectory}, exit code {ExitCode}, {Elapsed.TotalSeconds:F1} s){Environment.NewLine}{Output}";
}

/// <summary>Runs the SDK's <c>dotnet</c> as a child process with a timeout, capturing stdout and stderr.</summary>
public static class DotNet
{
    /// <summary>
    /// Runs <c>dotnet</c> with <paramref name="arguments"/>. Build servers and MSBuild node reuse are off, so no
    /// process outlives the command holding its output pipes open; telemetry and banners are off.
    /// </summary>
    public static Task<CommandResult> RunAsync(
        string workingDirectory,
        IEnumerable<string> arguments,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
        => RunProgramAsync(DotNetExecutable(), arguments, timeout, workingDirectory, environment);

    /// <summary>Runs <paramref name="program"/> (an installed tool, say) the same way, in the temp folder unless told.</summary>
    public static async Task<CommandResult> RunProgramAsync(
        string program,
        IEnumerable<string> arguments,
        TimeSpan timeout,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        workingDirectory ??= Path.GetTempPath();
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // The test host inherits MSBuild's variables from `dotnet test`; a nested build must pick its own.
        foreach (var name in info.Environment.Keys.ToList())
        {
            if (name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
            {
                info.Environment.Remove(name);
            }
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        info.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var output = new StringBuilder();
        var commandLine = Path.GetFileName(program) + " " + string.Join(' ', info.ArgumentList);
        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException($"Timed out after {timeout.TotalSeconds:F0} s:{Environment.NewLine}{new CommandResult(commandLine, workingDirectory, -1, Snapshot(output), stopwatch.Elapsed)}");
        }

        return new CommandResult(commandLine, workingDirectory, process.ExitCode, Snapshot(output), stopwatch.Elapsed);
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    // The CLI tells child processes where its host is; fall back to PATH when the tests run some other way.
    private static string DotNetExecutable() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
