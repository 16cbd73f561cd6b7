// The transactional outbox, end to end on SQLite: orders are published (stored + queued in one transaction), and a
// console "broker" that is down for a while receives them. The outbox retries with backoff, one failing stream never
// holds up the others, and in the end every event arrives once, in order per order.
using EventSourcery;
using EventSourcery.Sqlite;
using OrdersSample;

var path = Path.Combine(AppContext.BaseDirectory, "orders.db");
foreach (var file in new[] { path, path + "-wal", path + "-shm" })
{
    File.Delete(file);
}

await using var store = await SqliteEventStore.OpenAsync($"Data Source={path}");
string[] customers = ["ada", "grace", "linus"];
var orders = customers.Select(c => (Customer: c, Id: StreamId.FromName($"order-of-{c}", "order"))).ToArray();
foreach (var (customer, id) in orders)
{
    await store.PublishAsync(id, [new OrderPlaced(customer, 3)], ExpectedVersion.NoStream);
}

foreach (var (customer, id) in orders)
{
    await store.PublishAsync(id, [new OrderPaid(customer, 42.50m), new OrderShipped(customer, $"PARCEL-{customer.ToUpperInvariant()}")], ExpectedVersion.Exactly(1));
}

Console.WriteLine($"Published {orders.Length * 3} events for {orders.Length} orders to {Path.GetFileName(path)}.");
Console.WriteLine();

// The broker is down for its first 3 calls, and refuses grace's payment twice more after that.
var calls = 0;
var graceRefusals = 2;
var delivered = new List<string>();
ValueTask Broker(RecordedEvent e, CancellationToken ct)
{
    calls++;
    var label = $"{e.StreamId.Name,-15} v{e.Version} {e.EventName}";
    if (calls <= 3)
    {
        Console.WriteLine($"  call {calls,2}: {label,-38} -> FAILED (broker unavailable)");
        throw new HttpRequestException("broker unavailable");
    }

    if (e.Event is OrderPaid { Customer: "grace" } && graceRefusals-- > 0)
    {
        Console.WriteLine($"  call {calls,2}: {label,-38} -> FAILED (payment topic rejected it)");
        throw new InvalidOperationException("payment topic rejected the message");
    }

    Console.WriteLine($"  call {calls,2}: {label,-38} -> delivered");
    delivered.Add(label);
    return ValueTask.CompletedTask;
}

var outbox = new Outbox(store, Broker, new OutboxOptions
{
    BatchSize = 4,
    InitialBackoff = TimeSpan.FromMilliseconds(50),
    MaxBackoff = TimeSpan.FromMilliseconds(400),
    MaxAttempts = 10,
});

for (var pass = 1; await outbox.GetPendingCountAsync() > 0 && pass <= 50; pass++)
{
    var count = await outbox.RunOnceAsync();
    Console.WriteLine($"pass {pass,2}: delivered {count}, pending {await outbox.GetPendingCountAsync()}");
    await Task.Delay(60);
}

Console.WriteLine();
Console.WriteLine("Delivered, in order:");
foreach (var line in delivered)
{
    Console.WriteLine($"  {line}");
}

var inOrder = delivered.GroupBy(l => l.Split(' ')[0]).All(g => g.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]).SequenceEqual(["v1", "v2", "v3"]));
Console.WriteLine();
Console.WriteLine($"{delivered.Count} of {orders.Length * 3} delivered, each order in order: {inOrder}, dead letters: {(await outbox.GetDeadLettersAsync()).Count}");
return delivered.Count == orders.Length * 3 && inOrder ? 0 : 1;
