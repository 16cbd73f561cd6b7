using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace EventSourcery.Tests;

public sealed record MetricProbe(int N) : Event;

public sealed class OutboxMetricsTests
{
    [Fact]
    public async Task The_outbox_counts_published_failed_dead_lettered_and_pending_events_per_tenant()
    {
        var tenant = "metrics-" + Guid.NewGuid().ToString("N"); // isolates this test's measurements from other tests'
        var totals = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == OutboxMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == TelemetryTags.Tenant && Equals(tag.Value, tenant))
                {
                    totals.AddOrUpdate(instrument.Name, value, (_, v) => v + value);
                }
            }
        });
        listener.Start();

        var view = new InMemoryEventStore().ForTenant(tenant);
        await view.PublishAsync(StreamId.New(), [new MetricProbe(1), new MetricProbe(2)], ExpectedVersion.NoStream);
        await view.PublishAsync(StreamId.New(), [new MetricProbe(3)], ExpectedVersion.NoStream);
        var outbox = new Outbox(view, (e, _) => ((MetricProbe)e.Event).N == 3 ? throw new InvalidOperationException("no") : ValueTask.CompletedTask,
            new OutboxOptions { MaxAttempts = 2, InitialBackoff = TimeSpan.Zero, Jitter = 0 });

        await outbox.RunOnceAsync(); // 1 and 2 published, 3 fails once
        await outbox.RunOnceAsync(); // 3 fails again: dead-lettered

        Assert.Equal(2, totals.GetValueOrDefault("eventsourcery.outbox.published"));
        Assert.Equal(1, totals.GetValueOrDefault("eventsourcery.outbox.failed"));
        Assert.Equal(1, totals.GetValueOrDefault("eventsourcery.outbox.dead_lettered"));
        Assert.Equal(1, totals.GetValueOrDefault("eventsourcery.outbox.pending")); // the dead letter
    }
}
