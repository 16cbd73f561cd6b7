using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EventSourcery.Hosting;

/// <summary>One outbox a host runs: whose events, delivered to what, how.</summary>
/// <param name="Publisher">Delivers one event; an exception counts as a failed attempt.</param>
/// <param name="Options">Batch size, attempts, backoff.</param>
/// <param name="TenantId">The tenant view to deliver from, or null for the default view.</param>
public sealed record OutboxRegistration(Func<RecordedEvent, CancellationToken, ValueTask> Publisher, OutboxOptions Options, string? TenantId = null);

/// <summary>Registers EventSourcery with a host's services.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>Registers the event store (a singleton) made by <paramref name="storeFactory"/>.</summary>
    /// <returns>A builder to add outbox workers with.</returns>
    public static EventSourceryBuilder AddEventSourcery(this IServiceCollection services, Func<IServiceProvider, IEventStore> storeFactory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(storeFactory);
        services.TryAddSingleton(storeFactory);
        return new EventSourceryBuilder(services);
    }
}

/// <summary>Adds EventSourcery's background workers (outboxes, projections) to a host.</summary>
public sealed class EventSourceryBuilder
{
    internal EventSourceryBuilder(IServiceCollection services) => Services = services;

    /// <summary>The services being configured.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Runs an <see cref="OutboxWorker"/> delivering the published events of the default view (or of
    /// <paramref name="tenantId"/>'s view) to <paramref name="publisher"/>. Call once per view to deliver.
    /// </summary>
    public EventSourceryBuilder AddOutbox(Func<RecordedEvent, CancellationToken, ValueTask> publisher, OutboxOptions? options = null, string? tenantId = null)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        if (tenantId is not null)
        {
            TenantId.Validate(tenantId);
        }

        var registration = new OutboxRegistration(publisher, options ?? new OutboxOptions(), tenantId);
        Services.AddSingleton(registration); // for the health checks
        Services.AddSingleton<IHostedService>(sp => new OutboxWorker(
            sp.GetRequiredService<IEventStore>(),
            registration,
            sp.GetRequiredService<ILogger<OutboxWorker>>()));
        return this;
    }

    /// <summary>
    /// Runs a <see cref="ProjectionWorker"/> for the projection <paramref name="projectionFactory"/> makes, over the
    /// default view (or <paramref name="tenantId"/>'s view). Call once per projection.
    /// </summary>
    public EventSourceryBuilder AddProjection(Func<IServiceProvider, IProjection> projectionFactory, ProjectionOptions? options = null, string? tenantId = null)
    {
        ArgumentNullException.ThrowIfNull(projectionFactory);
        return AddProjectionWorker(
            sp =>
            {
                var projection = projectionFactory(sp);
                return new ProjectionRunner(View(sp, tenantId), projection, Logged(projection.Name, options, sp));
            },
            tenantId);
    }

    /// <summary>Runs a <see cref="ProjectionWorker"/> for a batch projection; see <see cref="AddProjection(Func{IServiceProvider, IProjection}, ProjectionOptions?, string?)"/>.</summary>
    public EventSourceryBuilder AddProjection(Func<IServiceProvider, IBatchProjection> projectionFactory, ProjectionOptions? options = null, string? tenantId = null)
    {
        ArgumentNullException.ThrowIfNull(projectionFactory);
        return AddProjectionWorker(
            sp =>
            {
                var projection = projectionFactory(sp);
                return new ProjectionRunner(View(sp, tenantId), projection, Logged(projection.Name, options, sp));
            },
            tenantId);
    }

    /// <summary>
    /// Adds health checks (Microsoft.Extensions.Diagnostics.HealthChecks), tagged <c>eventsourcery</c>:
    /// <c>eventsourcery-store</c> (the store answers: unhealthy when it does not), <c>eventsourcery-projections</c> (every
    /// projection this host runs: degraded when one lags more than <see cref="EventSourceryHealthOptions.MaxProjectionLag"/>
    /// events, unhealthy when one has stopped) and <c>eventsourcery-outbox</c> (every outbox this host runs: degraded
    /// while dead letters wait). Each result's data holds the numbers. Map them with <c>app.MapHealthChecks(...)</c>.
    /// </summary>
    public EventSourceryBuilder AddHealthChecks(EventSourceryHealthOptions? options = null)
    {
        var settings = options ?? new EventSourceryHealthOptions();
        string[] tags = ["eventsourcery"];
        Services.AddHealthChecks()
            .Add(new HealthCheckRegistration("eventsourcery-store", sp => new StoreHealthCheck(sp.GetRequiredService<IEventStore>()), failureStatus: null, tags))
            .Add(new HealthCheckRegistration("eventsourcery-projections", sp => new ProjectionsHealthCheck(sp.GetServices<IHostedService>().OfType<ProjectionWorker>().ToList(), settings), failureStatus: null, tags))
            .Add(new HealthCheckRegistration("eventsourcery-outbox", sp => new OutboxHealthCheck(sp.GetRequiredService<IEventStore>(), sp.GetServices<OutboxRegistration>().ToList()), failureStatus: null, tags));
        return this;
    }

    /// <summary>The options with an <see cref="ProjectionOptions.OnError"/> that also logs (the caller's own handler still runs).</summary>
    private static ProjectionOptions Logged(string projection, ProjectionOptions? options, IServiceProvider services)
    {
        var logger = services.GetRequiredService<ILogger<ProjectionWorker>>();
        var given = options ?? new ProjectionOptions();
        return given with
        {
            OnError = error =>
            {
                ProjectionWorker.LogPassFailed(logger, projection, error);
                given.OnError?.Invoke(error);
            },
        };
    }

    private EventSourceryBuilder AddProjectionWorker(Func<IServiceProvider, ProjectionRunner> runnerFactory, string? tenantId)
    {
        if (tenantId is not null)
        {
            TenantId.Validate(tenantId);
        }

        Services.AddSingleton<IHostedService>(sp => new ProjectionWorker(runnerFactory(sp), sp.GetRequiredService<ILogger<ProjectionWorker>>()));
        return this;
    }

    private static IEventStore View(IServiceProvider services, string? tenantId)
    {
        var store = services.GetRequiredService<IEventStore>();
        return tenantId is null ? store : store.ForTenant(tenantId);
    }
}
