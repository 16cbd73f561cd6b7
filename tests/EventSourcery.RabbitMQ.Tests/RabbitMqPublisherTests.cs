using System.Text;
using System.Text.Json;
using RabbitMQ.Client;

namespace EventSourcery.RabbitMQ.Tests;

public sealed record ItemPacked(string Sku, int Quantity) : Event;

/// <summary>
/// <see cref="RabbitMqPublisher"/> as the outbox's publisher, against a real broker: what a consumer receives, in what
/// order, and what a broker restart in the middle of a run loses (nothing).
/// </summary>
[Collection(RabbitMqTests.Name)]
public sealed class RabbitMqPublisherTests(RabbitMqBroker broker)
{
    [SkippableFact]
    public async Task Every_published_event_arrives_once_in_order_per_stream_with_its_id_name_and_headers()
    {
        broker.SkipIfUnavailable();
        var exchange = "shop-" + Guid.NewGuid().ToString("N")[..8];
        await using var consumer = await Consumer.CreateAsync(broker.Uri, exchange, "parcel.#");
        var store = new InMemoryEventStore();
        var parcels = Enumerable.Range(0, 3).Select(i => StreamId.FromName($"parcel-{i}", "parcel")).ToArray();
        var correlation = Guid.CreateVersion7();
        foreach (var round in Enumerable.Range(0, 4))
        {
            foreach (var parcel in parcels)
            {
                await store.PublishAsync(parcel, [new ItemPacked($"sku-{round}", round + 1) { Metadata = new EventMetadata { CorrelationId = correlation } }], ExpectedVersion.Any);
            }
        }

        await store.PublishAsync(StreamId.New("invoice"), [new ItemPacked("elsewhere", 1)], ExpectedVersion.NoStream); // routed to "invoice": not bound here
        await using var publisher = await RabbitMqPublisher.CreateAsync(new RabbitMqPublisherOptions { Uri = broker.Uri, Exchange = exchange, RoutingKey = e => $"{e.StreamId.Category}.{e.EventName}" });
        Assert.Equal(13, await new Outbox(store, publisher.PublishAsync).RunOnceAsync());

        var messages = await consumer.DrainAsync(expected: 12);
        Assert.Equal(12, messages.Count);
        var stored = (await store.ReadAllAsync().ToListAsync()).Where(e => e.StreamId.Category == "parcel").ToDictionary(e => e.Event.Id.ToString());
        Assert.Equal(stored.Keys.Order(), messages.Select(m => m.Properties.MessageId!).Order()); // each once
        foreach (var group in messages.GroupBy(m => (string)Header(m, "es-stream-id")))
        {
            Assert.Equal([1L, 2L, 3L, 4L], group.Select(m => (long)m.Properties.Headers!["es-stream-version"]!));
        }

        var first = messages[0];
        var recorded = stored[first.Properties.MessageId!];
        Assert.Equal("parcel.ItemPacked", first.RoutingKey);
        Assert.Equal(("ItemPacked", "application/json", DeliveryModes.Persistent), (first.Properties.Type, first.Properties.ContentType, first.Properties.DeliveryMode));
        Assert.Equal(correlation.ToString(), first.Properties.CorrelationId);
        Assert.Equal(("parcel", recorded.Position), ((string)Header(first, "es-stream-category"), (long)first.Properties.Headers!["es-position"]!));
        using var body = JsonDocument.Parse(first.Body);
        Assert.Equal(((ItemPacked)recorded.Event).Sku, body.RootElement.GetProperty("sku").GetString());
    }

    [SkippableFact]
    public async Task A_broker_restarted_in_the_middle_of_a_run_loses_nothing_and_the_outbox_resumes_by_itself()
    {
        broker.SkipIfUnavailable();
        var exchange = "restart-" + Guid.NewGuid().ToString("N")[..8];
        await using (var declare = await Consumer.CreateAsync(broker.Uri, exchange, "#"))
        {
        }

        var store = new InMemoryEventStore();
        var streams = Enumerable.Range(0, 4).Select(i => StreamId.FromName($"box-{i}", "box")).ToArray();
        for (var i = 0; i < 40; i++)
        {
            await store.PublishAsync(streams[i % 4], [new ItemPacked($"sku-{i}", i)], ExpectedVersion.Any);
        }

        await using var publisher = await RabbitMqPublisher.CreateAsync(new RabbitMqPublisherOptions { Uri = broker.Uri, Exchange = exchange });
        var outbox = new Outbox(store, publisher.PublishAsync, new OutboxOptions { BatchSize = 10, InitialBackoff = TimeSpan.FromMilliseconds(20), MaxBackoff = TimeSpan.FromMilliseconds(200), MaxAttempts = 1_000 });
        Assert.Equal(10, await outbox.RunOnceAsync()); // a first batch, then the broker goes down

        await broker.StopAsync();
        Assert.Equal(0, await outbox.RunOnceAsync()); // every attempt fails while it is down
        await broker.StartAsync();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await outbox.GetPendingCountAsync() > 0 && DateTime.UtcNow < deadline)
        {
            await outbox.RunOnceAsync(); // the connection recovers by itself; failed entries come back after their backoff
            await Task.Delay(100);
        }

        Assert.Equal(0, await outbox.GetPendingCountAsync());
        Assert.Empty(await outbox.GetDeadLettersAsync());
        await using var consumer = await Consumer.CreateAsync(broker.Uri, exchange, "#");
        var messages = await consumer.DrainAsync(expected: 40);
        var ids = messages.Select(m => m.Properties.MessageId!).ToList();
        var stored = await store.ReadAllAsync().ToListAsync();
        Assert.Equal(stored.Select(e => e.Event.Id.ToString()).Order(), ids.Distinct().Order()); // nothing lost (at least once)
        foreach (var group in messages.DistinctBy(m => m.Properties.MessageId).GroupBy(m => (string)Header(m, "es-stream-id")))
        {
            var versions = group.Select(m => (long)m.Properties.Headers!["es-stream-version"]!).ToList();
            Assert.Equal(versions.Order(), versions); // each stream in order
        }
    }

    [SkippableFact]
    public async Task With_Mandatory_an_event_no_queue_receives_is_a_failed_delivery()
    {
        broker.SkipIfUnavailable();
        var store = new InMemoryEventStore();
        await store.PublishAsync(StreamId.New("nowhere"), [new ItemPacked("lost", 1)], ExpectedVersion.NoStream);
        await using var publisher = await RabbitMqPublisher.CreateAsync(new RabbitMqPublisherOptions { Uri = broker.Uri, Exchange = "unbound-" + Guid.NewGuid().ToString("N")[..8], Mandatory = true });

        var outbox = new Outbox(store, publisher.PublishAsync, new OutboxOptions { MaxAttempts = 1 });
        Assert.Equal(0, await outbox.RunOnceAsync());

        var dead = Assert.Single(await outbox.GetDeadLettersAsync());
        Assert.NotNull(dead.LastError);
    }

    private static object Header(BasicGetResult message, string name)
        => message.BasicProperties.Headers![name] is byte[] text ? Encoding.UTF8.GetString(text) : message.BasicProperties.Headers[name]!;

    /// <summary>A durable queue bound to the exchange, read with basic.get.</summary>
    private sealed class Consumer : IAsyncDisposable
    {
        private readonly IConnection _connection;
        private readonly IChannel _channel;
        private readonly string _queue;

        private Consumer(IConnection connection, IChannel channel, string queue)
        {
            _connection = connection;
            _channel = channel;
            _queue = queue;
        }

        public static async Task<Consumer> CreateAsync(Uri uri, string exchange, string binding)
        {
            var connection = await new ConnectionFactory { Uri = uri }.CreateConnectionAsync();
            var channel = await connection.CreateChannelAsync();
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: true, autoDelete: false);
            var queue = exchange + "-queue";
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
            await channel.QueueBindAsync(queue, exchange, binding);
            return new Consumer(connection, channel, queue);
        }

        public async Task<List<Message>> DrainAsync(int expected)
        {
            var messages = new List<Message>();
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (DateTime.UtcNow < deadline)
            {
                var next = await _channel.BasicGetAsync(_queue, autoAck: true);
                if (next is null)
                {
                    if (messages.Count >= expected)
                    {
                        break;
                    }

                    await Task.Delay(50);
                    continue;
                }

                messages.Add(new Message(next.RoutingKey, next.BasicProperties, next.Body.ToArray(), next));
            }

            return messages;
        }

        public async ValueTask DisposeAsync()
        {
            await _channel.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }

    private sealed record Message(string RoutingKey, IReadOnlyBasicProperties Properties, byte[] Body, BasicGetResult Raw)
    {
        public static implicit operator BasicGetResult(Message message) => message.Raw;
    }
}
