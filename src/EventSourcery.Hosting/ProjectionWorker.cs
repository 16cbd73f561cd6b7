using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EventSourcery.Hosting;

/// <summary>
/// Runs one projection for the lifetime of the host: catches up, then follows new events. A projection whose handler
/// keeps failing, or that meets an event it cannot read, stops alone (logged with its position); the host and the other
/// projections go on. Failures of the store (busy, unreachable) are logged as warnings and the projection tries again.
/// </summary>
public sealed partial class ProjectionWorker : BackgroundService
{
    private readonly ProjectionRunner _runner;
    private readonly ILogger<ProjectionWorker> _logger;

    /// <summary>Creates the worker for <paramref name="runner"/>.</summary>
    public ProjectionWorker(ProjectionRunner runner, ILogger<ProjectionWorker> logger)
    {
        _runner = runner ?? throw new ArgumentNullException(nameof(runner));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>The runner this worker drives (for its status).</summary>
    public ProjectionRunner Runner => _runner;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarting(_runner.Name);
        try
        {
            await _runner.RunAsync(stoppingToken).ConfigureAwait(false);
            LogStopped(_runner.Name);
        }
        catch (ProjectionException failure)
        {
            LogFailed(failure.ProjectionName, failure.Position, failure.InnerException);
        }
    }

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Projection {Projection} starting")]
    private partial void LogStarting(string projection);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Projection {Projection} stopped")]
    private partial void LogStopped(string projection);

    [LoggerMessage(EventId = 13, Level = LogLevel.Error, Message = "Projection {Projection} stopped at position {Position}: its handler kept failing, or the event there cannot be read")]
    private partial void LogFailed(string projection, long position, Exception? error);

    /// <summary>Logs a pass that failed because of the store; the runner tries again (see <see cref="ProjectionOptions.OnError"/>).</summary>
    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "Projection {Projection}: a pass failed in the store and will be tried again")]
    internal static partial void LogPassFailed(ILogger logger, string projection, Exception error);
}
