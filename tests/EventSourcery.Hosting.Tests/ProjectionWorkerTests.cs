using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EventSourcery.Hosting.Tests;

public sealed class ProjectionWorkerTests
{
    [Fact]
    public async Task Projections_follow_the_store_and_a_failing_one_stops_alone()
    {
        var store = new InMemoryEventStore();
        var shipped = new ConcurrentQueue<string>();
        var fast = new ProjectionOptions { PollInterval = TimeSpan.FromMilliseconds(10), RetryDelay = TimeSpan.Zero, MaxAttempts = 2 };
        using var host = Host.CreateDefaultBuilder()
            .ConfigureLogging(logging => logging.ClearProviders())
            .ConfigureServices(services => services
                .AddEventSourcery(_ => store)
                .AddProjection(_ => new Collector("parcels", shipped), fast)
                .AddProjection(_ => new Broken(), fast))
            .Build();

        await host.StartAsync();
        await store.AppendAsync(StreamId.New("parcel"), [new ParcelShipped("p1"), new ParcelShipped("p2")], ExpectedVersion.NoStream);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (shipped.Count < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        await store.AppendAsync(StreamId.New("parcel"), [new ParcelShipped("p3")], ExpectedVersion.NoStream);
        while (shipped.Count < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        await host.StopAsync();
        Assert.Equal(["p1", "p2", "p3"], shipped); // the broken projection stopped; this one and the host carried on
        Assert.Equal(0, await store.LoadCheckpointAsync("broken"));
    }

    [Fact]
    public async Task A_store_failure_is_logged_as_a_warning_and_the_projection_carries_on()
    {
        var store = new EventSourcery.StoreContract.FlakyStore(new InMemoryEventStore()) { FailingReads = 2 };
        await store.AppendAsync(StreamId.New("parcel"), [new ParcelShipped("p1")], ExpectedVersion.NoStream);
        var shipped = new ConcurrentQueue<string>();
        var logs = new ConcurrentQueue<(LogLevel Level, string Message)>();
        var seenByCaller = 0;
        var options = new ProjectionOptions { PollInterval = TimeSpan.FromMilliseconds(10), OnError = _ => Interlocked.Increment(ref seenByCaller) };
        using var host = Host.CreateDefaultBuilder()
            .ConfigureLogging(logging => logging.ClearProviders().AddProvider(new ListLoggerProvider(logs)))
            .ConfigureServices(services => services
                .AddEventSourcery(_ => store)
                .AddProjection(_ => new Collector("parcels", shipped), options))
            .Build();

        await host.StartAsync();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (shipped.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        await host.StopAsync();
        Assert.Equal(["p1"], shipped);
        var warnings = logs.Where(l => l.Level == LogLevel.Warning && l.Message.Contains("parcels", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Equal(2, seenByCaller); // the caller's own OnError still runs
    }

    private sealed class Collector(string name, ConcurrentQueue<string> into) : IProjection
    {
        public string Name => name;

        public ValueTask HandleAsync(RecordedEvent recorded, CancellationToken cancellationToken)
        {
            into.Enqueue(((ParcelShipped)recorded.Event).Parcel);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class Broken : IProjection
    {
        public string Name => "broken";

        public ValueTask HandleAsync(RecordedEvent recorded, CancellationToken cancellationToken) => throw new InvalidOperationException("always");
    }
}
