namespace EventSourcery.PostgreSql.Tests;

internal static class Read
{
    public static async Task<List<RecordedEvent>> StreamAsync(IEventStore store, StreamId id, long fromVersion = 1)
    {
        var events = new List<RecordedEvent>();
        await foreach (var e in store.ReadStreamAsync(id, fromVersion))
        {
            events.Add(e);
        }

        return events;
    }

    public static async Task<List<RecordedEvent>> AllAsync(IEventStore store, long afterPosition = 0)
    {
        var events = new List<RecordedEvent>();
        await foreach (var e in store.ReadAllAsync(afterPosition))
        {
            events.Add(e);
        }

        return events;
    }
}
