// Personal data and crypto-shredding: two customers' emails and phone numbers are stored encrypted, each with its
// customer's key; shredding one customer deletes that key, and from then on every read of that customer's events
// gives the masks, while the other customer's data and every unmarked property read as before.
//
//   dotnet run --project samples/Customers
using CustomersSample;
using EventSourcery;
using Microsoft.Data.Sqlite;

var path = Path.Combine(Path.GetTempPath(), $"customers-{Guid.NewGuid():N}.db");
var connectionString = $"Data Source={path};Pooling=False";
try
{
    await using var store = await SqliteEventStore.OpenAsync(connectionString);
    var ada = Guid.Parse("0b7c6a52-4c1e-4f7e-9d1a-5e2f0c3a9b11");
    var grace = Guid.Parse("6f1d2e3c-8a9b-4c0d-b1e2-f3a4b5c6d7e8");
    var adaStream = StreamId.FromName($"customer-{ada}", "customer");
    var graceStream = StreamId.FromName($"customer-{grace}", "customer");
    await store.AppendAsync(adaStream, [new CustomerSignedUp(ada, "ada@example.com", "basic"), new PlanChanged(ada, "gold", "+44 20 7946 0018")], ExpectedVersion.NoStream);
    await store.AppendAsync(graceStream, [new CustomerSignedUp(grace, "grace@example.com", "basic")], ExpectedVersion.NoStream);

    Console.WriteLine("Events as the application reads them:");
    await PrintAsync(store);

    Console.WriteLine();
    Console.WriteLine("Ada's first event as the database keeps it (the email sealed in \"$pd\", the plan as it is):");
    Console.WriteLine("  " + await StoredPayloadAsync(connectionString, "CustomerSignedUp"));

    Console.WriteLine();
    Console.WriteLine($"Shredding Ada: key deleted = {await store.ShredAsync(ada)}; again = {await store.ShredAsync(ada)}");
    Console.WriteLine();
    Console.WriteLine("Events after shredding:");
    await PrintAsync(store);

    try
    {
        await store.AppendAsync(adaStream, [new PlanChanged(ada, "basic", "+44 20 7946 0000")], ExpectedVersion.Exactly(2));
    }
    catch (EventSourcery.PersonalData.DataSubjectShreddedException refused)
    {
        Console.WriteLine();
        Console.WriteLine($"A new event about Ada is refused: {refused.GetType().Name}");
    }

    return 0;
}
finally
{
    SqliteConnection.ClearAllPools();
    foreach (var file in new[] { path, path + "-wal", path + "-shm" })
    {
        File.Delete(file);
    }
}

static async Task PrintAsync(IEventStore store)
{
    await foreach (var recorded in store.ReadAllAsync())
    {
        var text = recorded.Event switch
        {
            CustomerSignedUp e => $"CustomerSignedUp  email={e.Email,-18} plan={e.Plan}",
            PlanChanged e => $"PlanChanged       phone={e.Phone,-18} plan={e.Plan}",
            _ => recorded.EventName,
        };
        Console.WriteLine($"  {recorded.Position}. {text}");
    }
}

static async Task<string> StoredPayloadAsync(string connectionString, string eventName)
{
    await using var connection = new SqliteConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new SqliteCommand("SELECT payload FROM es_events WHERE event_name = $name ORDER BY position LIMIT 1;", connection);
    command.Parameters.AddWithValue("$name", eventName);
    var payload = await command.ExecuteScalarAsync();
    return payload is byte[] bytes ? System.Text.Encoding.UTF8.GetString(bytes) : payload?.ToString() ?? "(none)";
}
