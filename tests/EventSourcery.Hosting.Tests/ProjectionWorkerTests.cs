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
