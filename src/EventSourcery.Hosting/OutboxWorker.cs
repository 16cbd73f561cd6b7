using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EventSourcery.Hosting;

/// <summary>
/// Runs an <see cref="Outbox"/> for the lifetime of the host: delivers what <see cref="IEventStore.PublishAsync"/>
/// stored, logs failures of the store through <see cref="ILogger"/>, and stops gracefully with the host.
/// </summary>
public sealed partial class OutboxWorker : BackgroundService
{
    private readonly Outbox _outbox;
    private readonly ILogger<OutboxWorker> _logger;

    /// <summary>Creates the worker for the outbox of <paramref name="store"/>.</summary>
    public OutboxWorker(IEventStore store, OutboxRegistration registration, ILogger<OutboxWorker> logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(registration);
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        var view = registration.TenantId is { } tenant ? store.ForTenant(tenant) : store;
        var callersOnError = registration.Options.OnError;
        _outbox = new Outbox(view, registration.Publisher, registration.Options with
        {
            OnError = error =>
            {
                LogPassFailed(_logger, error);
                callersOnError?.Invoke(error); // the caller's own handler runs too
            },
        });
        Registration = registration;
    }

    /// <summary>What this worker delivers and how.</summary>
    public OutboxRegistration Registration { get; }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarting(Registration.TenantId ?? "(default)");
        await _outbox.RunAsync(stoppingToken).ConfigureAwait(false);
        LogStopped(Registration.TenantId ?? "(default)");
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Outbox worker for tenant {Tenant} starting")]
    private partial void LogStarting(string tenant);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Outbox worker for tenant {Tenant} stopped")]
    private partial void LogStopped(string tenant);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "An outbox pass failed; the worker retries after its poll interval")]
    private static partial void LogPassFailed(ILogger logger, Exception error);
}
