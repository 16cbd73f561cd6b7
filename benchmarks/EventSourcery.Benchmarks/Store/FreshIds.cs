using System.Runtime.CompilerServices;

namespace EventSourcery.Benchmarks.Store;

/// <summary>
/// Event ids are unique per store (docs/decisions/0008), so a benchmark that appends prepared events again and again
/// gives them new ids first, in place: one <see cref="Guid.CreateVersion7()"/> per event and no allocation, the same
/// for every variant of a benchmark (the store, the raw baseline and the EF peer append the same renewed events).
/// </summary>
public static class FreshIds
{
    /// <summary>Gives every event of <paramref name="events"/> a new id and returns the same array.</summary>
    public static Event[] Renew(Event[] events)
    {
        foreach (var e in events)
        {
            IdOf(e) = Guid.CreateVersion7();
        }

        return events;
    }

    // The compiler's backing field of Event.Id (an init-only auto-property): benchmark code only, never the library.
    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "<Id>k__BackingField")]
    private static extern ref Guid IdOf(Event e);
}
