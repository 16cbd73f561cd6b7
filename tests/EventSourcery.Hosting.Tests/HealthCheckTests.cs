using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EventSourcery.Hosting.Tests;

public sealed class HealthCheckTests
{
    private static readonly ProjectionOptions Fast = new() { PollInterval = TimeSpan.FromMilliseconds(10), RetryDelay = TimeSpan.Zero, MaxAttempts = 1 };

    [Fact]
    public async Task A_caught_up_host_is_healthy_with_the_numbers_in_the_data()
    {
        var store = new InMemoryEventStore();
        await store.AppendAsync(StreamId.New("parcel"), [new ParcelShipped("p1"), new ParcelShipped("p2")], ExpectedVersion.NoStream);
        using var host = Build(services => services
            .AddEventSourcery(_ => store)
            .AddProjection(_ => new Counting("parcels"), Fast)
            .AddOutbox((_, _) => ValueTask.CompletedTask)
            .AddHealthChecks());

        await host.StartAsync();
        var report = await WaitForAsync(host, r => r.Entries["eventsourcery-projections"].Data["parcels"] is "checkpoint 2, head 2, lag 0");
        await host.StopAsync();

        Assert.Equal(HealthStatus.Healthy, report.Status);
        Assert.Equal(2L, report.Entries["eventsourcery-store"].Data["head"]);
        Assert.Equal("pending 0, dead letters 0", report.Entries["eventsourcery-outbox"].Data["(default view)"]);
        Assert.All(report.Entries.Values, e => Assert.Contains("eventsourcery", e.Tags));
    }

    [Fact]
    public async Task A_lagging_projection_is_degraded_and_a_stopped_one_unhealthy()
    {
        var store = new InMemoryEventStore();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var host = Build(services => services
            .AddEventSourcery(_ => store)
            .AddProjection(_ => new Counting("slow", release.Task), Fast)
            .AddHealthChecks(new EventSourceryHealthOptions { MaxProjectionLag = 2 }));

        await host.StartAsync();
        await store.AppendAsync(StreamId.New("parcel"), [.. Enumerable.Range(0, 5).Select(i => (Event)new ParcelShipped($"p{i}"))], ExpectedVersion.NoStream);
        var lagging = await WaitForAsync(host, r => r.Entries["eventsourcery-projections"].Status == HealthStatus.Degraded);
        release.SetResult();
        var caughtUp = await WaitForAsync(host, r => r.Status == HealthStatus.Healthy);
        await host.StopAsync();

        Assert.Equal("checkpoint 0, head 5, lag 5", lagging.Entries["eventsourcery-projections"].Data["slow"]);
        Assert.Contains("slow lags 5 events", lagging.Entries["eventsourcery-projections"].Description, StringComparison.Ordinal);
        Assert.Equal("checkpoint 5, head 5, lag 0", caughtUp.Entries["eventsourcery-projections"].Data["slow"]);

        using var broken = Build(services => services
            .AddEventSourcery(_ => store)
            .AddProjection(_ => new Broken(), Fast)
            .AddHealthChecks());
        await broken.StartAsync();
        var stopped = await WaitForAsync(broken, r => r.Entries["eventsourcery-projections"].Status == HealthStatus.Unhealthy);
        await broken.StopAsync();
        Assert.Contains("broken stopped at position 1: always", stopped.Entries["eventsourcery-projections"].Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dead_letters_make_the_outbox_degraded_per_view_and_an_unreachable_store_is_unhealthy()
    {
        var store = new InMemoryEventStore();
        await store.ForTenant("acme").PublishAsync(StreamId.New("parcel"), [new ParcelShipped("lost")], ExpectedVersion.NoStream);
        using var host = Build(services => services
            .AddEventSourcery(_ => store)
            .AddOutbox((_, _) => throw new InvalidOperationException("broker down"), new OutboxOptions { MaxAttempts = 1, PollInterval = TimeSpan.FromMilliseconds(10) }, tenantId: "acme")
            .AddHealthChecks());

        await host.StartAsync();
        var report = await WaitForAsync(host, r => r.Entries["eventsourcery-outbox"].Status == HealthStatus.Degraded);
        await host.StopAsync();
        Assert.Equal("pending 1, dead letters 1", report.Entries["eventsourcery-outbox"].Data["acme"]);

        using var unreachable = Build(services => services.AddEventSourcery(_ => new Unreachable()).AddHealthChecks());
        var down = await unreachable.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, down.Entries["eventsourcery-store"].Status);
        Assert.NotNull(down.Entries["eventsourcery-store"].Exception);
    }

    private static IHost Build(Action<IServiceCollection> configure)
        => Host.CreateDefaultBuilder()
            .ConfigureLogging(logging => logging.ClearProviders())
            .ConfigureServices(configure)
            .Build();

    private static async Task<HealthReport> WaitForAsync(IHost host, Func<HealthReport, bool> condition)
    {
        var checks = host.Services.GetRequiredService<HealthCheckService>();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var report = await checks.CheckHealthAsync();
            if (condition(report))
            {
                return report;
            }

            Assert.True(DateTime.UtcNow < deadline, "timed out: " + string.Join("; ", report.Entries.Select(e => $"{e.Key} {e.Value.Status} {e.Value.Description}")));
            await Task.Delay(10);
        }
    }

    private sealed class Counting(string name, Task? gate = null) : IProjection
    {
        public string Name => name;

        public async ValueTask HandleAsync(RecordedEvent recorded, CancellationToken cancellationToken)
        {
            if (gate is not null)
            {
                await gate.WaitAsync(cancellationToken);
            }
        }
    }

    private sealed class Broken : IProjection
    {
        public string Name => "broken";

        public ValueTask HandleAsync(RecordedEvent recorded, CancellationToken cancellationToken) => throw new InvalidOperationException("always");
    }

    /// <summary>A store whose database cannot be reached: every read fails.</summary>
    private sealed class Unreachable : IEventStore
    {
        public ValueTask<AppendResult> AppendAsync(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, CancellationToken cancellationToken = default) => throw Down();

        public ValueTask<AppendResult> PublishAsync(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, CancellationToken cancellationToken = default) => throw Down();

        public IAsyncEnumerable<RecordedEvent> ReadStreamAsync(StreamId streamId, long fromVersion = 1, long toVersion = long.MaxValue, CancellationToken cancellationToken = default) => throw Down();

        public IAsyncEnumerable<RecordedEvent> ReadAllAsync(long afterPosition = 0, CancellationToken cancellationToken = default) => throw Down();

        public ValueTask<bool> DeleteStreamAsync(StreamId streamId, ExpectedVersion expectedVersion = default, CancellationToken cancellationToken = default) => throw Down();

        public IEventStore ForTenant(string tenantId) => this;

        private static IOException Down() => new("connection refused");
    }
}
