using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EventSourcery.Hosting;

/// <summary>
/// EventSourcery's commands in the application's own command line, for what needs the application's code (its
/// projections' handlers): <c>dotnet run -- projections list</c> and <c>dotnet run -- projections rebuild NAME</c>.
/// Replace <c>host.RunAsync()</c> with <c>return await host.RunWithEventSourceryCommandsAsync(args);</c>: a command
/// runs and the process exits with its code, without starting the host's workers; any other command line runs the host.
/// </summary>
/// <remarks>
/// Exit codes: 0 done; 1 the command line is wrong (an unknown command, a missing name); 3 no projection of that name is
/// registered; 5 the projection failed (its handler kept failing, or an event cannot be read). The same codes as the
/// <c>eventsourcery</c> tool's.
/// </remarks>
public static class EventSourceryCommands
{
    private const int Ok = 0;
    private const int Usage = 1;
    private const int NotFound = 3;
    private const int Failed = 5;

    private static readonly string[] Headers = ["PROJECTION", "CHECKPOINT", "HEAD", "LAG", "REBUILD EMPTIES READ MODEL"];

    private const string Help = """
        Usage:
          projections list             every projection this application registers: checkpoint, head, lag
          projections rebuild NAME     empties NAME's read model (when it can), forgets its checkpoint and runs it to the head
        """;

    /// <summary>Runs the EventSourcery command <paramref name="args"/> names, or else the host until it stops.</summary>
    /// <returns>The command's exit code; 0 when the host ran.</returns>
    public static Task<int> RunWithEventSourceryCommandsAsync(this IHost host, string[] args, CancellationToken cancellationToken = default)
        => RunAsync(host, args, Console.Out, Console.Error, terminal: !Console.IsOutputRedirected, cancellationToken);

    internal static async Task<int> RunAsync(IHost host, IReadOnlyList<string> args, TextWriter output, TextWriter error, bool terminal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count == 0 || args[0] != "projections")
        {
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
            return Ok;
        }

        // Resolving the workers does not start them: the command has the projections to itself in this process.
        var runners = host.Services.GetServices<IHostedService>().OfType<ProjectionWorker>().Select(w => w.Runner).ToList();
        switch (args.Count > 1 ? args[1] : null)
        {
            case "list" when args.Count == 2:
                await ListAsync(runners, output, cancellationToken).ConfigureAwait(false);
                return Ok;
            case "rebuild" when args.Count == 3:
                return await RebuildAsync(runners, args[2], output, error, terminal, cancellationToken).ConfigureAwait(false);
            default:
                await error.WriteLineAsync($"eventsourcery: '{string.Join(' ', args)}' is not a command.{Environment.NewLine}{Help}").ConfigureAwait(false);
                return Usage;
        }
    }

    private static async Task ListAsync(List<ProjectionRunner> runners, TextWriter output, CancellationToken cancellationToken)
    {
        var rows = new List<string[]> { Headers };
        foreach (var runner in runners)
        {
            var status = await runner.GetStatusAsync(cancellationToken).ConfigureAwait(false);
            rows.Add([status.Name, Number(status.Checkpoint), Number(status.HeadPosition), Number(status.Lag), runner.CanResetReadModel ? "yes" : "no"]);
        }

        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var row in rows)
        {
            await output.WriteLineAsync(string.Join("  ", row.Select((cell, i) => i is 1 or 2 or 3 ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]))).TrimEnd()).ConfigureAwait(false);
        }

        if (runners.Count == 0)
        {
            await output.WriteLineAsync("(no projection is registered: AddProjection in AddEventSourcery)").ConfigureAwait(false);
        }
    }

    private static async Task<int> RebuildAsync(List<ProjectionRunner> runners, string name, TextWriter output, TextWriter error, bool terminal, CancellationToken cancellationToken)
    {
        var runner = runners.FirstOrDefault(r => r.Name == name);
        if (runner is null)
        {
            var known = runners.Count == 0 ? "none is registered" : "registered: " + string.Join(", ", runners.Select(r => r.Name));
            await error.WriteLineAsync($"eventsourcery: no projection is named '{name}' ({known}).").ConfigureAwait(false);
            return NotFound;
        }

        if (!runner.CanResetReadModel)
        {
            await output.WriteLineAsync($"{name} is not an IResettableProjection: its read model is not emptied first, so its handlers must be idempotent.").ConfigureAwait(false);
        }

        var bar = new ProgressBar(name, output, terminal);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var handled = await runner.RebuildAsync(bar, cancellationToken).ConfigureAwait(false);
            bar.Finish();
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Rebuilt {name}: {handled:N0} events in {seconds:F1} s.")).ConfigureAwait(false);
            return Ok;
        }
        catch (ProjectionException failure)
        {
            bar.Finish();
            await error.WriteLineAsync($"eventsourcery: {name} stopped at position {Number(failure.Position)}: {failure.InnerException?.Message ?? failure.Message}").ConfigureAwait(false);
            return Failed;
        }
    }

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>
    /// The rebuild's progress: on a terminal, one line redrawn in place (a bar, the events done, an ETA from the rate so
    /// far); otherwise a line at every tenth of the way, which a log keeps readably.
    /// </summary>
    private sealed class ProgressBar(string name, TextWriter output, bool terminal) : IProgress<ProjectionProgress>
    {
        private const int Width = 30;
        private readonly long _started = Stopwatch.GetTimestamp();
        private int _lastTenth = -1;
        private bool _drawn;

        public void Report(ProjectionProgress value)
        {
            var fraction = value.Fraction;
            var elapsed = Stopwatch.GetElapsedTime(_started);
            var eta = fraction is > 0 and < 1 ? TimeSpan.FromTicks((long)(elapsed.Ticks * (1 - fraction) / fraction)) : TimeSpan.Zero;
            var text = string.Create(CultureInfo.InvariantCulture, $"{name} [{new string('#', (int)(fraction * Width)).PadRight(Width, '.')}] {fraction * 100,3:F0}%  {value.Handled:N0} events  ETA {eta:mm\\:ss}");
            if (terminal)
            {
                output.Write("\r" + text);
                _drawn = true;
            }
            else if ((int)(fraction * 10) is var tenth && tenth > _lastTenth)
            {
                _lastTenth = tenth;
                output.WriteLine(text);
            }
        }

        public void Finish()
        {
            if (_drawn)
            {
                output.WriteLine();
            }
        }
    }
}
