using System.Collections.Concurrent;
using EventSourcery.StoreContract;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EventSourcery.Hosting.Tests;

public sealed record ParcelShipped(string Parcel) : Event;

public sealed class OutboxWorkerTests
{
    [Fact]
    public async Task The_worker_delivers_published_events_while_the_host_runs_and_stops_with_it()
    {
        var store = new InMemoryEventStore();
        var delivered = new ConcurrentQueue<string>();
        var failures = 2;
        using var host = Host.CreateDefaultBuilder()
            .ConfigureLogging(logging => logging.ClearProviders())
            .ConfigureServices(services => services
                .AddEventSourcery(_ => store)
                .AddOutbox(
                    (e, _) =>
                    {
                        if (Interlocked.Decrement(ref failures) >= 0)
                        {
                            throw new InvalidOperationException("broker warming up");
                        }

                        delivered.Enqueue(((ParcelShipped)e.Event).Parcel);
                        return ValueTask.CompletedTask;
                    },
                    new OutboxOptions { PollInterval = TimeSpan.FromMilliseconds(10), InitialBackoff = TimeSpan.FromMilliseconds(10), Jitter = 0 }))
            .Build();

        await host.StartAsync();
        await store.PublishAsync(StreamId.New("parcel"), [new ParcelShipped("p1"), new ParcelShipped("p2")], ExpectedVersion.NoStream);
        await WaitUntil(() => delivered.Count == 2);
        await host.StopAsync();

        Assert.Equal(["p1", "p2"], delivered);
    }

    [Fact]
    public async Task A_worker_per_tenant_delivers_only_that_tenants_events()
    {
        var store = new InMemoryEventStore();
        var delivered = new ConcurrentQueue<(string? Tenant, string Parcel)>();
        ValueTask Publish(RecordedEvent e, CancellationToken ct)
        {
            delivered.Enqueue((e.TenantId, ((ParcelShipped)e.Event).Parcel));
            return ValueTask.CompletedTask;
        }

        var fast = new OutboxOptions { PollInterval = TimeSpan.FromMilliseconds(10) };
        using var host = Host.CreateDefaultBuilder()
            .ConfigureLogging(logging => logging.ClearProviders())
            .ConfigureServices(services => services.AddEventSourcery(_ => store).AddOutbox(Publish, fast, tenantId: "acme"))
            .Build();

        await host.StartAsync();
        await store.PublishAsync(StreamId.New(), [new ParcelShipped("default")], ExpectedVersion.NoStream);
        await store.ForTenant("acme").PublishAsync(StreamId.New(), [new ParcelShipped("acme")], ExpectedVersion.NoStream);
        await WaitUntil(() => !delivered.IsEmpty);
        await Task.Delay(100);
        await host.StopAsync();

        Assert.Equal([("acme", "acme")], delivered);
    }

    [Fact]
    public async Task A_store_failure_reaches_the_callers_OnError_as_well_as_the_log_and_the_worker_carries_on()
    {
        var store = new FlakyStore(new InMemoryEventStore()) { FailingClaims = 2 };
        var errors = new ConcurrentQueue<Exception>();
        var logs = new ConcurrentQueue<(LogLevel Level, string Message)>();
        var delivered = new ConcurrentQueue<string>();
        using var host = Host.CreateDefaultBuilder()
            .ConfigureLogging(logging => logging.ClearProviders().AddProvider(new ListLoggerProvider(logs)))
            .ConfigureServices(services => services
                .AddEventSourcery(_ => store)
                .AddOutbox(
                    (e, _) =>
                    {
                        delivered.Enqueue(((ParcelShipped)e.Event).Parcel);
                        return ValueTask.CompletedTask;
                    },
                    new OutboxOptions { PollInterval = TimeSpan.FromMilliseconds(10), OnError = errors.Enqueue }))
            .Build();

        await store.PublishAsync(StreamId.New("parcel"), [new ParcelShipped("p1")], ExpectedVersion.NoStream);
        await host.StartAsync();
        await WaitUntil(() => delivered.Count == 1);
        await host.StopAsync();

        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Contains("outbox claim", e.Message, StringComparison.Ordinal));
        Assert.Equal(2, logs.Count(l => l.Level == LogLevel.Error && l.Message.Contains("outbox pass failed", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_builder_rejects_a_malformed_tenant()
    {
        var services = new ServiceCollection();
        Assert.Throws<ArgumentException>(() => services.AddEventSourcery(_ => new InMemoryEventStore()).AddOutbox((_, _) => ValueTask.CompletedTask, tenantId: "not valid"));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the worker");
            await Task.Delay(10);
        }
    }
}
