namespace EventSourcery.Storage;

/// <summary>
/// Whether an append whose events' ids are (partly) stored already is a retry of an append that committed, the way
/// EventStoreDB decides it: every event is stored, in order, as consecutive versions of this very stream, where the
/// expected version says the first one goes. Then the append returns the original result and writes nothing.
/// </summary>
/// <remarks>
/// For store authors: look up where the append's ids are stored only when the append fails its version check or a
/// unique index of ids (the happy path pays nothing), then ask <see cref="Resolve"/>.
/// </remarks>
public static class AppendRetry
{
    /// <summary>
    /// The original result when the append is a retry; null when none of its ids is stored (not a retry: the caller
    /// reports what went wrong itself).
    /// </summary>
    /// <exception cref="DuplicateEventIdException">An id is stored, and the append is not an exact retry.</exception>
    public static AppendResult? Resolve(StreamId streamId, ExpectedVersion expected, IReadOnlyList<Event> events, IReadOnlyList<StoredEventId?> stored)
    {
        var firstStored = -1;
        for (var i = 0; i < stored.Count; i++)
        {
            if (stored[i] is not null)
            {
                firstStored = i;
                break;
            }
        }

        if (firstStored < 0)
        {
            return null;
        }

        if (IsRetry(expected, stored) is { } result)
        {
            return result;
        }

        // Name an id stored somewhere else if there is one: that is the likelier mistake.
        var culprit = firstStored;
        for (var i = firstStored; i < stored.Count; i++)
        {
            if (stored[i] is { InAppendedStream: false })
            {
                culprit = i;
                break;
            }
        }

        var where = stored[culprit]!.Value;
        throw new DuplicateEventIdException(streamId, events[culprit].Id, where.StreamId, where.Version);
    }

    private static AppendResult? IsRetry(ExpectedVersion expected, IReadOnlyList<StoredEventId?> stored)
    {
        if (stored[0] is not { InAppendedStream: true } first)
        {
            return null;
        }

        for (var i = 1; i < stored.Count; i++)
        {
            if (stored[i] is not { InAppendedStream: true } next || next.Version != first.Version + i)
            {
                return null;
            }
        }

        // The expectation the original append met: the stream as it was just before its first event.
        if (!expected.IsSatisfiedBy(first.Version == 1 ? null : first.Version - 1))
        {
            return null;
        }

        return new AppendResult(first.Version + stored.Count - 1, stored[^1]!.Value.Position);
    }
}
