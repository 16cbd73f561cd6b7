// Appends through the repository on PostgreSQL, then opens a second store on the same schema and reloads: the events
// come back through the packaged generator's registry and codecs, and the aggregate through its generated dispatch.
// Usage: PgApp "<connection string>" <schema>
using EventSourcery;
using PackageConsumer;

var options = new PostgreSqlEventStoreOptions { Schema = args[1] };
var id = StreamId.New("door");

await using (var store = await PostgreSqlEventStore.OpenAsync(args[0], options))
{
    var doors = new Repository<Door>(store);
    await doors.NewAsync(id, d => d.Open());
    await doors.UpdateAsync(id, d =>
    {
        d.Close();
        d.Lock("alice");
    });
}

await using (var reopened = await PostgreSqlEventStore.OpenAsync(args[0], options))
{
    var door = await new Repository<Door>(reopened).LoadAsync(id) ?? throw new InvalidOperationException("door not found");
    Console.WriteLine($"door: version={door.Version} open={door.IsOpen} lockedBy={door.LockedBy}");

    var names = new List<string>();
    await foreach (var recorded in reopened.ReadStreamAsync(id))
    {
        names.Add(recorded.Event is DoorLocked locked ? $"{nameof(DoorLocked)}({locked.By}@{locked.At:O})" : recorded.Event.GetType().Name);
    }

    Console.WriteLine($"events: {string.Join(",", names)}");
}
