namespace EventSourcery.StoreContract;

/// <summary>Reads a store's events into lists, for assertions.</summary>
public static class Read
{
    /// <summary>The stream's events from <paramref name="fromVersion"/>.</summary>
    public static Task<List<RecordedEvent>> StreamAsync(IEventStore store, StreamId id, long fromVersion = 1)
        => ToListAsync(store.ReadStreamAsync(id, fromVersion));

    /// <summary>Every event of the store's view after <paramref name="afterPosition"/>.</summary>
    public static Task<List<RecordedEvent>> AllAsync(IEventStore store, long afterPosition = 0)
        => ToListAsync(store.ReadAllAsync(afterPosition));

    /// <summary>Everything <paramref name="items"/> yields.</summary>
    public static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
