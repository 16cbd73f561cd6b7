using EventSourcery.Serialization;
using Shop;
using Old = Shop.Old;

namespace EventSourcery.Versioning.Tests;

/// <summary>
/// Events stored by an older build (Shop.Old: v1 of every event) read by the current build (Shop: v3, with a JSON step,
/// typed shapes and two-step chains) as current versions, the same way on every read path, with the stored ids, times
/// and metadata; stored rows are not rewritten.
/// </summary>
public abstract class UpcastingContract
{
    /// <summary>A store over this test's database, reading and writing with <paramref name="registry"/>.</summary>
    protected abstract Task<IEventStore> OpenAsync(EventRegistry registry);

    [SkippableFact]
    public async Task Old_events_read_as_current_versions_on_every_read_path()
    {
        var old = await OpenAsync(Old.OldBuild.Registry);
        var id = StreamId.New("order");
        Event[] written = [new Old.OrderCreated("o-1", 12.5m), new Old.OrderShipped("o-1", "dhl"), new Old.OrderCancelled("o-1", "late")];
        await old.PublishAsync(id, written, ExpectedVersion.NoStream);

        var current = await OpenAsync(NewBuild.Registry);
        Event[] expected =
        [
            new OrderPlaced("o-1", 12.5m, "EUR") { Id = written[0].Id, CreatedAt = written[0].CreatedAt },
            new OrderShipped("o-1", Carrier.Dhl, null) { Id = written[1].Id, CreatedAt = written[1].CreatedAt },
            new OrderCancelled("o-1", "late") { Id = written[2].Id, CreatedAt = written[2].CreatedAt },
        ];

        var stream = await ToListAsync(current.ReadStreamAsync(id));
        Assert.Equal(expected, stream.Select(e => e.Event));
        Assert.Equal(["OrderCreated", "order_shipped", "order_cancelled"], stream.Select(e => e.EventName)); // as stored
        Assert.All(stream, e => Assert.Equal(1, e.SchemaVersion));

        if (current is IStreamEventReader reader) // the repository's lean read, where the store has one
        {
            var lean = new List<Event>();
            await foreach (var e in reader.ReadStreamEventsAsync(id))
            {
                lean.Add(e.Event);
            }

            Assert.Equal(expected, lean);
        }

        var order = await new Repository<Order>(current).LoadAsync(id) ?? throw new InvalidOperationException("no order");
        Assert.Equal((12.5m, "EUR", Carrier.Dhl, "late", 3L), (order.Total, order.Currency, order.Carrier, order.CancelledBecause, order.Version));

        Assert.Equal(expected, (await ToListAsync(current.ReadAllAsync())).Select(e => e.Event));

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var subscribed = new List<Event>();
        await foreach (var e in current.Subscribe().ReadAsync(cts.Token))
        {
            subscribed.Add(e.Event);
            if (subscribed.Count == expected.Length)
            {
                break;
            }
        }

        Assert.Equal(expected, subscribed);

        var projection = new Collecting("orders");
        Assert.Equal(3, await new ProjectionRunner(current, projection).RunOnceAsync());
        Assert.Equal(expected, projection.Events);

        var delivered = new List<Event>();
        await new Outbox(current, (e, _) =>
        {
            delivered.Add(e.Event);
            return ValueTask.CompletedTask;
        }).RunOnceAsync();
        Assert.Equal(expected, delivered);

        // Nothing was rewritten: the old build still reads its own events.
        Assert.Equal(written, (await ToListAsync(old.ReadStreamAsync(id))).Select(e => e.Event));
    }

    [SkippableFact]
    public async Task Current_and_upcast_events_mix_in_one_stream_and_a_rebuilt_projection_sees_only_current_versions()
    {
        var old = await OpenAsync(Old.OldBuild.Registry);
        var id = StreamId.New("order");
        await old.AppendAsync(id, [new Old.OrderCreated("o-2", 3m)], ExpectedVersion.NoStream);
        var current = await OpenAsync(NewBuild.Registry);
        await current.AppendAsync(id, [new OrderShipped("o-2", Carrier.Ups, new DateOnly(2026, 12, 24))], ExpectedVersion.Exactly(1));

        var stream = await ToListAsync(current.ReadStreamAsync(id));
        Assert.Equal([1, 3], stream.Select(e => e.SchemaVersion));
        var placed = Assert.IsType<OrderPlaced>(stream[0].Event);
        Assert.Equal(("o-2", 3m, "EUR"), (placed.OrderId, placed.Total, placed.Currency));
        Assert.Equal(Carrier.Ups, Assert.IsType<OrderShipped>(stream[1].Event).Carrier);

        var projection = new Collecting("rebuilt");
        var runner = new ProjectionRunner(current, projection);
        await runner.RunOnceAsync();
        projection.Events.Clear();
        await runner.ResetAsync();
        Assert.Equal(2, await runner.RunOnceAsync());
        Assert.Equal([typeof(OrderPlaced), typeof(OrderShipped)], projection.Events.Select(e => e.GetType()));
    }

    [SkippableFact]
    public async Task An_upcaster_that_throws_fails_the_read_naming_the_stored_event_and_its_version()
    {
        var old = await OpenAsync(Old.OldBuild.Registry);
        var id = StreamId.New("order");
        var appended = await old.AppendAsync(id, [new Old.OrderShipped("o-3", "")], ExpectedVersion.NoStream);
        var current = await OpenAsync(NewBuild.Registry);

        var ex = await Assert.ThrowsAsync<EventReadException>(() => ToListAsync(current.ReadStreamAsync(id)));

        Assert.Equal((id, 1L, appended.LastPosition, "order_shipped"), (ex.StreamId, ex.Version, ex.Position, ex.EventName));
        var upcast = Assert.IsType<EventUpcastException>(ex.InnerException);
        Assert.Equal(("order_shipped", 1), (upcast.EventName, upcast.SchemaVersion));
        Assert.IsType<ArgumentException>(upcast.InnerException);
    }

    private static async Task<List<RecordedEvent>> ToListAsync(IAsyncEnumerable<RecordedEvent> events)
    {
        var list = new List<RecordedEvent>();
        await foreach (var e in events)
        {
            list.Add(e);
        }

        return list;
    }

    private sealed class Collecting(string name) : IProjection
    {
        public string Name => name;

        public List<Event> Events { get; } = [];

        public ValueTask HandleAsync(RecordedEvent recorded, CancellationToken cancellationToken)
        {
            Events.Add(recorded.Event);
            return ValueTask.CompletedTask;
        }
    }
}
