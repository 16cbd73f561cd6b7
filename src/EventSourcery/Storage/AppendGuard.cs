namespace EventSourcery.Storage;

/// <summary>
/// For store authors: the checks every <see cref="IEventStore"/> makes the same way, so that a new store refuses what
/// the in-memory and SQLite stores refuse, with the same exceptions.
/// </summary>
public static class AppendGuard
{
    /// <summary>Throws when <paramref name="streamId"/> is the default (empty) id.</summary>
    /// <exception cref="ArgumentException">The id is <c>default</c>; the exception names <paramref name="paramName"/>.</exception>
    public static void ThrowIfDefault(StreamId streamId, string paramName) => streamId.ThrowIfDefault(paramName);

    /// <summary>Checks an append's events before anything is stored.</summary>
    /// <exception cref="ArgumentException">No events, or a null one.</exception>
    /// <exception cref="DuplicateEventIdException">Two of the events share an id.</exception>
    /// <exception cref="ArgumentException">The stream id is <c>default</c>.</exception>
    public static void ThrowIfInvalid(StreamId streamId, IReadOnlyList<Event> events)
    {
        streamId.ThrowIfDefault(nameof(streamId));
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            throw new ArgumentException("An append needs at least one event.", nameof(events));
        }

        for (var i = 0; i < events.Count; i++)
        {
            if (events[i] is null)
            {
                throw new ArgumentException($"events[{i}] is null.", nameof(events));
            }
        }

        if (events.Count == 1)
        {
            return;
        }

        // Sorted copy on the stack for ordinary batches (no allocation on the append path), a set for huge ones.
        if (events.Count <= 256)
        {
            Span<Guid> ids = stackalloc Guid[events.Count];
            for (var i = 0; i < ids.Length; i++)
            {
                ids[i] = events[i].Id;
            }

            ids.Sort();
            for (var i = 1; i < ids.Length; i++)
            {
                if (ids[i] == ids[i - 1])
                {
                    throw new DuplicateEventIdException(streamId, ids[i], storedIn: null, storedVersion: 0);
                }
            }

            return;
        }

        var seen = new HashSet<Guid>(events.Count);
        for (var i = 0; i < events.Count; i++)
        {
            if (!seen.Add(events[i].Id))
            {
                throw new DuplicateEventIdException(streamId, events[i].Id, storedIn: null, storedVersion: 0);
            }
        }
    }
}
