namespace EventSourcery.Reliability.Tests;

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

    /// <summary>Reads until the enumeration throws <see cref="EventReadException"/>; returns what came before and the exception.</summary>
    public static async Task<(List<RecordedEvent> ReadBefore, EventReadException Exception)> UntilFailureAsync(IAsyncEnumerable<RecordedEvent> events)
    {
        var read = new List<RecordedEvent>();
        var ex = await Assert.ThrowsAsync<EventReadException>(async () =>
        {
            await foreach (var e in events)
            {
                read.Add(e);
            }
        });
        return (read, ex);
    }
}
