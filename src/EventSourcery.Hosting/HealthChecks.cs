using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EventSourcery.Hosting;

/// <summary>Thresholds of the health checks added by <see cref="EventSourceryBuilder.AddHealthChecks"/>.</summary>
public sealed record EventSourceryHealthOptions
{
    /// <summary>How many events a projection may trail the store's head by before it reports degraded (1,000 by default).</summary>
    public long MaxProjectionLag { get; init { ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(MaxProjectionLag)); field = value; } } = 1_000;
}

/// <summary>The store answers a cheap read (its head position, or the first event).</summary>
internal sealed class StoreHealthCheck(IEventStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            if (store is ICheckpointStore checkpoints)
            {
                var head = await checkpoints.ReadHeadPositionAsync(cancellationToken).ConfigureAwait(false);
                return HealthCheckResult.Healthy($"The store answers; its head position is {head}.", new Dictionary<string, object> { ["head"] = head });
            }

            await using var events = store.ReadAllAsync(0, cancellationToken).GetAsyncEnumerator(cancellationToken);
            await events.MoveNextAsync().ConfigureAwait(false);
            return HealthCheckResult.Healthy("The store answers.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The store does not answer: {ex.Message}", ex);
        }
    }
}

/// <summary>Every projection the host runs: stopped (unhealthy), lagging (degraded), or caught up.</summary>
internal sealed class ProjectionsHealthCheck(IReadOnlyList<ProjectionWorker> workers, EventSourceryHealthOptions options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>();
        var stopped = new List<string>();
        var lagging = new List<string>();
        try
        {
            foreach (var worker in workers)
            {
                var status = await worker.Runner.GetStatusAsync(cancellationToken).ConfigureAwait(false);
                var key = data.ContainsKey(status.Name) ? $"{status.Name}#{data.Count}" : status.Name;
                data[key] = string.Create(CultureInfo.InvariantCulture, $"checkpoint {status.Checkpoint}, head {status.HeadPosition}, lag {status.Lag}");
                if (status.LastError is { } error)
                {
                    stopped.Add($"{key} stopped at position {error.Position}: {error.InnerException?.Message ?? error.Message}");
                }
                else if (status.Lag > options.MaxProjectionLag)
                {
                    lagging.Add(string.Create(CultureInfo.InvariantCulture, $"{key} lags {status.Lag} events"));
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The projections' checkpoints cannot be read: {ex.Message}", ex, data);
        }

        return stopped.Count > 0 ? HealthCheckResult.Unhealthy(string.Join("; ", stopped), data: data)
            : lagging.Count > 0 ? HealthCheckResult.Degraded(string.Join("; ", lagging) + string.Create(CultureInfo.InvariantCulture, $" (more than {options.MaxProjectionLag})"), data: data)
            : HealthCheckResult.Healthy($"{workers.Count} projection(s) within {options.MaxProjectionLag} events of the head.", data);
    }
}

/// <summary>Every outbox the host runs: dead letters waiting for a person (degraded), and how many entries are pending.</summary>
internal sealed class OutboxHealthCheck(IEventStore store, IReadOnlyList<OutboxRegistration> outboxes) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>();
        var dead = new List<string>();
        try
        {
            foreach (var outbox in outboxes)
            {
                var view = outbox.TenantId is null ? store : store.ForTenant(outbox.TenantId);
                if (view is not IOutboxStore entries)
                {
                    continue;
                }

                var key = outbox.TenantId ?? "(default view)";
                var deadLetters = (await entries.ReadDeadLettersAsync(cancellationToken).ConfigureAwait(false)).Count;
                var pending = await entries.CountOutboxAsync(cancellationToken).ConfigureAwait(false);
                data[key] = string.Create(CultureInfo.InvariantCulture, $"pending {pending}, dead letters {deadLetters}");
                if (deadLetters > 0)
                {
                    dead.Add(string.Create(CultureInfo.InvariantCulture, $"{key}: {deadLetters} dead letter(s)"));
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The outbox cannot be read: {ex.Message}", ex, data);
        }

        return dead.Count > 0
            ? HealthCheckResult.Degraded(string.Join("; ", dead) + " waiting for RetryAsync.", data: data)
            : HealthCheckResult.Healthy("No dead letters.", data);
    }
}
