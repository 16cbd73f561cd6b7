// The outbox to RabbitMQ and a consumer that projects from the queue. Orders are published (stored and queued in one
// transaction) to an embedded SQLite store; the outbox hands them to RabbitMQ through EventSourcery.RabbitMQ's
// publisher (confirmed, routed by the stream's category); a consumer of the "shipping" queue builds the shipping
// department's board from the messages, deduplicating by message id (the event's id).
//
//   dotnet run --project samples/Shipping -- amqp://guest:guest@localhost:5672/
//
// It needs a broker: the RabbitMQ tests run it against the one they start (tests/EventSourcery.RabbitMQ.Tests).
using System.Text.Json;
using EventSourcery;
using RabbitMQ.Client;
using ShippingSample;

if (args.Length != 1 || !Uri.TryCreate(args[0], UriKind.Absolute, out var broker))
{
    Console.Error.WriteLine("usage: Shipping <amqp://user:password@host:port/>");
    return 2;
}

var exchange = "shipping-demo-" + Guid.NewGuid().ToString("N")[..6];
var path = Path.Combine(Path.GetTempPath(), exchange + ".db");
await using (var store = await SqliteEventStore.OpenAsync($"Data Source={path};Pooling=False"))
{
    // The consumer's queue exists before anything is published (a topic exchange drops what no queue is bound to).
    await using var consumerConnection = await new ConnectionFactory { Uri = broker, ClientProvidedName = "shipping-board" }.CreateConnectionAsync();
    await using var consumer = await consumerConnection.CreateChannelAsync();
    await consumer.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: true, autoDelete: false);
    var queue = (await consumer.QueueDeclareAsync(exchange + "-shipping", durable: true, exclusive: false, autoDelete: true)).QueueName;
    await consumer.QueueBindAsync(queue, exchange, "order");

    string[] customers = ["ada", "grace", "linus"];
    foreach (var customer in customers)
    {
        var order = StreamId.FromName($"order-of-{customer}", "order");
        await store.PublishAsync(order, [new OrderPlaced(customer, customer.Length)], ExpectedVersion.NoStream);
        await store.PublishAsync(order, [new OrderPaid(10m * customer.Length)], ExpectedVersion.Exactly(1));
    }

    await using var publisher = await RabbitMqPublisher.CreateAsync(new RabbitMqPublisherOptions { Uri = broker, Exchange = exchange });
    var delivered = await new Outbox(store, publisher.PublishAsync).RunOnceAsync();
    Console.WriteLine($"Published {delivered} events for {customers.Length} orders through the outbox to exchange '{exchange}' (routing key: the category, 'order').");

    // The consumer: one message at a time, acknowledged once projected.
    var board = new ShippingBoard();
    var projected = 0;
    var deadline = DateTime.UtcNow.AddSeconds(20);
    while (projected < delivered && DateTime.UtcNow < deadline)
    {
        if (await consumer.BasicGetAsync(queue, autoAck: false) is not { } message)
        {
            await Task.Delay(50);
            continue;
        }

        using var payload = JsonDocument.Parse(message.Body);
        var streamName = message.BasicProperties.Headers?["es-stream-id"] is byte[] id ? System.Text.Encoding.UTF8.GetString(id) : "?";
        board.Project(message.BasicProperties.MessageId!, streamName, message.BasicProperties.Type!, payload.RootElement);
        await consumer.BasicAckAsync(message.DeliveryTag, multiple: false);
        projected++;
    }

    Console.WriteLine($"The shipping board, projected from queue '{queue}' ({projected} messages, {board.Duplicates} duplicates):");
    foreach (var (_, customer, items, paid) in board.Orders.OrderBy(o => o.Customer, StringComparer.Ordinal))
    {
        Console.WriteLine($"  {customer,-6} {items} item(s), paid {paid,6:F2}, ready to ship");
    }

    var complete = projected == delivered && board.Orders.Count() == customers.Length && board.Orders.All(o => o.Paid > 0);
    Console.WriteLine(complete ? "Every order reached the shipping board." : "Some orders are missing from the board.");
    await consumer.ExchangeDeleteAsync(exchange);
    if (!complete)
    {
        return 1;
    }
}

Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
File.Delete(path);
return 0;
