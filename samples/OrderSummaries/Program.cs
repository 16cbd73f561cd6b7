// A read model in SQLite through EF Core: order summaries kept by a projection that writes through the same DbContext
// the event store works in. Each batch's rows and the projection's checkpoint commit together, so a run that fails
// halfway leaves nothing behind, the next run carries on from the checkpoint, and every event counts exactly once.
// A rebuild (reset the checkpoint, empty the table, run again) gives the same table.
using EventSourcery;
using Microsoft.EntityFrameworkCore;
using OrderSummariesSample;

var path = Path.Combine(AppContext.BaseDirectory, "order-summaries.db");
foreach (var file in new[] { path, path + "-wal", path + "-shm" })
{
    File.Delete(file);
}

await using var db = new ShopDb(new DbContextOptionsBuilder<ShopDb>().UseSqlite($"Data Source={path}").Options);
await db.Database.EnsureCreatedAsync(); // the order_summaries table and the event store's tables
await using var store = new SqliteDbContextEventStore(db);

string[] customers = ["ada", "grace", "linus", "margaret"];
var orders = customers.ToDictionary(c => c, c => StreamId.FromName($"order-of-{c}", "order"));
foreach (var customer in customers)
{
    await store.AppendAsync(orders[customer], [new OrderPlaced(customer, customer.Length)], ExpectedVersion.NoStream);
}

await store.AppendAsync(orders["ada"], [new OrderPaid(42.50m), new OrderShipped("PARCEL-ADA")], ExpectedVersion.Exactly(1));
await store.AppendAsync(orders["grace"], [new OrderPaid(19.99m)], ExpectedVersion.Exactly(1));
await store.AppendAsync(orders["margaret"], [new OrderPaid(7.00m), new OrderShipped("PARCEL-MARGARET")], ExpectedVersion.Exactly(1));
await store.AppendAsync(orders["grace"], [new OrderShipped("PARCEL-GRACE")], ExpectedVersion.Exactly(2));
var stored = 0;
await foreach (var _ in store.ReadAllAsync())
{
    stored++;
}

Console.WriteLine($"Stored {stored} events for {orders.Count} orders in {Path.GetFileName(path)}.");
Console.WriteLine();

// Run 1: the projection crashes right after writing the first shipment, and is not allowed to retry.
var projection = new OrderSummaryProjection(db) { CrashesAfterShipping = 1 };
var runner = new ProjectionRunner(store, projection, new ProjectionOptions { BatchSize = 4, MaxAttempts = 1 });
Console.WriteLine("Run 1: the projection crashes right after writing a shipment (no retries)");
var failedAsExpected = false;
try
{
    await runner.RunOnceAsync();
}
catch (ProjectionException ex)
{
    failedAsExpected = true;
    Console.WriteLine($"  stopped at position {ex.Position}: {ex.InnerException?.Message}");
}

Console.WriteLine($"  checkpoint {await runner.GetCheckpointAsync()} of {await store.ReadHeadPositionAsync()}; what the crashed event wrote was rolled back with it:");
await PrintAsync();

// Run 2: carries on from the checkpoint.
var handled = await runner.RunOnceAsync();
Console.WriteLine($"Run 2: handled {handled} events, checkpoint {await runner.GetCheckpointAsync()}");
var afterRuns = await PrintAsync();

// Rebuild: forget the checkpoint, empty the table, run again from the first event.
await runner.ResetAsync();
await db.OrderSummaries.ExecuteDeleteAsync();
db.ChangeTracker.Clear();
handled = await runner.RunOnceAsync();
Console.WriteLine($"Rebuild: reset, emptied the table, handled {handled} events");
var rebuilt = await PrintAsync();

// Exactly once: each summary counts as many events as its order's stream holds.
var exactlyOnce = true;
foreach (var summary in await db.OrderSummaries.AsNoTracking().ToListAsync())
{
    var events = 0;
    await foreach (var _ in store.ReadStreamAsync(new StreamId(summary.OrderId, "order")))
    {
        events++;
    }

    exactlyOnce &= summary.Events == events;
}

var same = afterRuns.SequenceEqual(rebuilt);
Console.WriteLine($"Run 1 failed as planned: {failedAsExpected}, each event applied exactly once: {exactlyOnce}, rebuild gives the same table: {same}");
return failedAsExpected && exactlyOnce && same && rebuilt.Count == orders.Count ? 0 : 1;

async Task<List<string>> PrintAsync()
{
    var rows = (await db.OrderSummaries.AsNoTracking().OrderBy(s => s.Customer).ToListAsync())
        .Select(s => $"{s.Customer,-9} {s.Items,5} {s.Paid,8:0.00}  {s.Status,-8} {s.Parcel ?? "-",-16} {s.Events,6}")
        .ToList();
    Console.WriteLine($"  {"customer",-9} {"items",5} {"paid",8}  {"status",-8} {"parcel",-16} {"events",6}");
    foreach (var row in rows)
    {
        Console.WriteLine($"  {row}");
    }

    Console.WriteLine();
    return rows;
}
