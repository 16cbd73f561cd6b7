// The seed's light-switch story, end to end on an embedded SQLite file (or on PostgreSQL with
// `--postgres "<connection string>"`, or the EVENTSOURCERY_POSTGRES environment variable):
// create a switch, turn it on, try to turn it on again (a domain error), turn it off, reload it and print its history.
using EventSourcery;
using LightSwitchSample;

var postgres = args.SkipWhile(a => a != "--postgres").Skip(1).FirstOrDefault() ?? Environment.GetEnvironmentVariable("EVENTSOURCERY_POSTGRES");
var path = Path.Combine(AppContext.BaseDirectory, "lightswitch.db");
RelationalEventStore opened;
if (postgres is null)
{
    foreach (var file in new[] { path, path + "-wal", path + "-shm" })
    {
        File.Delete(file); // start every run from an empty store so the output reads the same each time
    }

    opened = await SqliteEventStore.OpenAsync($"Data Source={path}");
}
else
{
    // The tables go to the schema "lightswitch", created on first use; each run adds a new switch beside the old ones.
    opened = await PostgreSqlEventStore.OpenAsync(postgres, new PostgreSqlEventStoreOptions { Schema = "lightswitch" });
    path = $"PostgreSQL, schema {((PostgreSqlEventStore)opened).Schema}";
}

await using var store = opened;
var switches = new Repository<LightSwitch>(store);
var id = StreamId.New("light_switch");
var correlation = new EventMetadata { CorrelationId = Guid.CreateVersion7(), Extra = new Dictionary<string, string> { ["user"] = "alice" } };

Console.WriteLine($"Store:   {path}");
Console.WriteLine($"Switch:  {id}");

var created = await switches.NewAsync(id, s => s.TurnOn(correlation));
Console.WriteLine($"1. Created and turned on             -> version {created.Version}, shines: {created.Shines}");

try
{
    await switches.UpdateAsync(id, s => s.TurnOn(correlation));
}
catch (LightSwitch.AlreadyTurnedOn error)
{
    Console.WriteLine($"2. Turned on again                   -> refused: {error.Message} (nothing was saved)");
}

var turnedOn = await FirstEventAsync(store, id);
var updated = await switches.UpdateAsync(id, s => s.TurnOff(EventMetadata.CausedBy(turnedOn)));
Console.WriteLine($"3. Turned off                        -> version {updated.Version}, shines: {updated.Shines}");

try
{
    var stale = await switches.LoadAsync(id) ?? throw new InvalidOperationException("the switch vanished");
    await switches.UpdateAsync(id, s => s.TurnOn(correlation)); // someone else turns it on meanwhile...
    stale.TurnOn(correlation);
    await switches.SaveAsync(stale);                             // ...so this save loses the race
}
catch (ConcurrencyException conflict)
{
    Console.WriteLine($"4. Saved a stale copy                -> ConcurrencyException: expected {conflict.Expected}, actual {conflict.Actual}");
}

var reloaded = await switches.LoadAsync(id) ?? throw new InvalidOperationException("the switch vanished");
Console.WriteLine($"5. Reloaded from the store           -> version {reloaded.Version}, shines: {reloaded.Shines}, pending changes: {reloaded.Changes.Count}");

Console.WriteLine();
Console.WriteLine("History:");
await foreach (var recorded in store.ReadStreamAsync(id))
{
    var metadata = recorded.Event.Metadata;
    var extra = string.Join(", ", metadata.Extra.Select(kv => $"{kv.Key}={kv.Value}"));
    Console.WriteLine($"  v{recorded.Version} #{recorded.Position} {recorded.EventName,-9} at {recorded.Event.CreatedAt:O}");
    Console.WriteLine($"      id {recorded.Event.Id}, correlation {metadata.CorrelationId?.ToString() ?? "-"}, causation {metadata.CausationId?.ToString() ?? "-"}{(extra.Length > 0 ? $", {extra}" : string.Empty)}");
}

static async Task<Event> FirstEventAsync(IEventStore store, StreamId id)
{
    await foreach (var recorded in store.ReadStreamAsync(id, 1, 1))
    {
        return recorded.Event;
    }

    throw new InvalidOperationException($"stream {id} is empty");
}
