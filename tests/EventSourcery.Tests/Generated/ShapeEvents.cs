using System.Collections.Immutable;

namespace EventSourcery.Tests.Generated;

public enum Priority { Low, Normal, High, Urgent = High }

[Flags]
public enum Colors { None = 0, Red = 1, Blue = 2 }

public sealed record Address(string Street, int? Number, Address? Previous);

public struct Point
{
    public int X { get; set; }
    public int Y { get; set; }
}

public sealed class Customer
{
    public required string Name { get; init; }
    public string Country { get; set; } = "PL";
}

/// <summary>One event with every property shape the generator supports.</summary>
[EventName("everything_happened", Version = 3)]
public sealed record EverythingHappened(
    bool Flag, byte B, sbyte SB, short S, ushort US, int I, uint UI, long L, ulong UL,
    float F, double D, decimal M, char C, string Text, string? MaybeText,
    Guid G, DateTime When, DateTimeOffset At, DateOnly Day, TimeOnly Time, TimeSpan Span, Uri Link, byte[] Blob,
    Priority Priority, Colors Colors, int? MaybeInt, Priority? MaybePriority,
    int[] Numbers, List<string> Names, IReadOnlyList<Address> Addresses, IList<long> Longs, ICollection<double> Doubles,
    IEnumerable<Guid> Guids, IReadOnlyCollection<string?> MaybeNames, HashSet<int> Set, ISet<string> StringSet, IReadOnlySet<char> Chars,
    ImmutableArray<int> Immutable, Dictionary<string, int> Scores, IReadOnlyDictionary<Guid, Address> ByGuid,
    IDictionary<int, string?> ByInt, Dictionary<long, List<int>> Nested,
    Address Home, Point Point, Point? MaybePoint, Customer Customer) : Event
{
    public string WithDefault { get; init; } = "default";

#pragma warning disable ES0005 // deliberately settable: the codec must set it after construction
    public int Settable { get; set; } = 7;
#pragma warning restore ES0005

    public string Computed => Text + "!";
}

/// <summary>Version 2 of an event that gained properties with defaults: old payloads must still read.</summary>
public sealed record PriceChanged(decimal Amount, string Currency = "EUR") : Event
{
    public string Reason { get; init; } = "unspecified";
}

public abstract record SwitchEvent : Event;

public sealed record SwitchedOn : SwitchEvent;

public record SwitchedOff(string Why) : SwitchEvent;

public sealed record SwitchedOffHard(string Why, int Force) : SwitchedOff(Why);

public sealed record NeverHandled : SwitchEvent;

/// <summary>An aggregate of one event family with Apply overloads for a base and derived events.</summary>
#pragma warning disable ES0002 // NeverHandled is deliberately unhandled: a test checks the runtime error
public sealed partial class Panel : Aggregate<SwitchEvent>
#pragma warning restore ES0002
{
    public List<string> Log { get; } = [];

    public void On() => Emit(new SwitchedOn());

    public void Off(string why) => Emit(new SwitchedOff(why));

    public void OffHard(string why) => Emit(new SwitchedOffHard(why, 9));

    public void Break() => Emit(new NeverHandled());

    private void Apply(SwitchedOn e) => Log.Add("on");

    private void Apply(SwitchedOff e) => Log.Add("off:" + e.Why);

    private void Apply(SwitchedOffHard e) => Log.Add("hard:" + e.Force);
}

/// <summary>A derived aggregate adding its own Apply; the base's events still reach the base's Apply methods.</summary>
public partial class BasePanel : Aggregate
{
    public List<string> Log { get; } = [];

    public void On() => Emit(new SwitchedOn());

    protected void Record(Event e) => Emit(e);

    private void Apply(SwitchedOn e) => Log.Add("base-on");
}

public sealed partial class DerivedPanel : BasePanel
{
    public void Off() => Record(new SwitchedOff("derived"));

    private void Apply(SwitchedOff e) => Log.Add("derived-off");
}

#pragma warning disable ES0001 // deliberately not partial: the test checks the runtime error
public sealed class NotPartialPanel : Aggregate
#pragma warning restore ES0001
{
    public void On() => Emit(new SwitchedOn());

#pragma warning disable CA1822 // an Apply is an instance method by contract
    private void Apply(SwitchedOn e)
    {
    }
#pragma warning restore CA1822
}
