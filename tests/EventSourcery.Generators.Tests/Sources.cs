namespace EventSourcery.Generators.Tests;

/// <summary>The source programs the generator tests run on.</summary>
internal static class Sources
{
    public const string LightSwitch = """
        using EventSourcery;

        namespace Demo;

        public sealed record TurnedOn : Event;
        public sealed record TurnedOff : Event;

        public sealed partial class LightSwitch : Aggregate
        {
            public sealed class AlreadyTurnedOn : System.Exception;

            private bool _shines;

            public bool Shines => _shines;

            private void Apply(TurnedOn e) => _shines = true;

            private void Apply(TurnedOff e) => _shines = false;

            public void TurnOn()
            {
                if (_shines)
                {
                    throw new AlreadyTurnedOn();
                }

                Emit(new TurnedOn());
            }
        }
        """;

    public const string EventHierarchy = """
        using EventSourcery;

        namespace Shop;

        public abstract record OrderEvent(string OrderId) : Event;
        public sealed record OrderPlaced(string OrderId, decimal Total) : OrderEvent(OrderId);
        public record OrderShipped(string OrderId) : OrderEvent(OrderId);
        public sealed record OrderShippedExpress(string OrderId, string Courier) : OrderShipped(OrderId);

        public sealed partial class Order : Aggregate<OrderEvent>
        {
            public int Seen { get; private set; }
            public string? Courier { get; private set; }

            private void Apply(OrderEvent e) => Seen++;
            internal void Apply(OrderShipped e) => Seen += 10;
            public void Apply(OrderShippedExpress e) => Courier = e.Courier;

            public void Ship(string courier) => Emit(new OrderShippedExpress("o-1", courier));
        }
        """;

    public const string NestedAggregate = """
        using EventSourcery;

        namespace Fleet
        {
            public sealed record EngineStarted : Event;

            public static partial class Garage
            {
                internal partial class Bay
                {
                    public sealed partial class Car : Aggregate
                    {
                        public bool Running { get; private set; }
                        void Apply(EngineStarted e) => Running = true;
                    }
                }
            }
        }
        """;

    public const string GenericAggregate = """
        using EventSourcery;

        public sealed record ItemTracked(string Item) : Event;

        public partial class Tracker<TKey> : Aggregate
            where TKey : notnull
        {
            public int Count { get; private set; }
            private void Apply(ItemTracked e) => Count++;
        }

        public sealed partial class SpecialTracker : Tracker<int>
        {
        }
        """;

    public const string SameNameInTwoNamespaces = """
        using EventSourcery;

        namespace Billing
        {
            [EventName("billing.account_opened")]
            public sealed record AccountOpened(string Owner) : Event;

            public sealed partial class Account : Aggregate
            {
                public string? Owner { get; private set; }
                void Apply(AccountOpened e) => Owner = e.Owner;
            }
        }

        namespace Crm
        {
            public sealed record AccountOpened(string Owner) : Event;

            public sealed partial class Account : Aggregate
            {
                public string? Owner { get; private set; }
                void Apply(AccountOpened e) => Owner = e.Owner;
            }
        }
        """;

    public const string EveryShape = """
        using System;
        using System.Collections.Generic;
        using System.Collections.Immutable;
        using EventSourcery;

        namespace Shapes;

        public enum Priority { Low, Normal, High, Urgent = High }

        [Flags]
        public enum Tags { None = 0, Red = 1, Blue = 2 }

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

        [EventName("everything_happened", Version = 3)]
        public sealed record EverythingHappened(
            bool Flag, byte B, sbyte SB, short S, ushort US, int I, uint UI, long L, ulong UL,
            float F, double D, decimal M, char C, string Text, string? MaybeText,
            Guid G, DateTime When, DateTimeOffset At, DateOnly Day, TimeOnly Time, TimeSpan Span, Uri Link, byte[] Blob,
            Priority Priority, Tags Tags, int? MaybeInt, Priority? MaybePriority,
            int[] Numbers, List<string> Names, IReadOnlyList<Address> Addresses, IList<long> Longs, ICollection<double> Doubles,
            IEnumerable<Guid> Guids, IReadOnlyCollection<string?> MaybeNames, HashSet<int> Set, ISet<string> ISet, IReadOnlySet<char> Chars,
            ImmutableArray<int> Immutable, Dictionary<string, int> Scores, IReadOnlyDictionary<Guid, Address> ByGuid,
            IDictionary<int, string?> ByInt, Dictionary<long, List<int>> Nested,
            Address Home, Point Point, Point? MaybePoint, Customer Customer) : Event
        {
            public string WithDefault { get; init; } = "default";
            public int Settable { get; set; } = 7;
            public string Computed => Text + "!";
        }
        """;

    public const string PersonalData = """
        using System;
        using System.Collections.Generic;
        using EventSourcery;
        using EventSourcery.PersonalData;

        namespace Crm;

        public sealed record Address(string Street, string City);

        public enum Tier { Basic, Gold }

        public sealed record CustomerRegistered(
            [DataSubject] Guid CustomerId,
            [PersonalData("redacted")] string Email,
            [PersonalData] Address? Home,
            [PersonalData(-1)] int BirthYear,
            [PersonalData] List<string> Phones,
            Tier Tier) : Event;

        public sealed record CustomerRenamed : Event
        {
            [DataSubject]
            public required string CustomerId { get; init; }

            [PersonalData("?")]
            public string? Name { get; init; }

            [PersonalData(new[] { "?", "?" })]
            public string[] Aliases { get; init; } = [];
        }

        public sealed record CustomerTiered(Guid CustomerId, Tier Tier) : Event;

        """;

    public const string Snapshotable = """
        using System.Collections.Generic;
        using EventSourcery;

        namespace Counting;

        public sealed record Incremented(int By) : Event;

        public enum Mood { Calm, Busy }

        public sealed record CounterSnapshot(int Count, Mood Mood, List<int> Recent);

        public sealed partial class Counter : Aggregate, ISnapshotable<CounterSnapshot>
        {
            private int _count;
            private readonly List<int> _recent = [];

            public int Count => _count;

            public void Increment(int by) => Emit(new Incremented(by));

            public CounterSnapshot TakeSnapshot() => new(_count, _count > 10 ? Mood.Busy : Mood.Calm, [.. _recent]);

            public void RestoreSnapshot(CounterSnapshot snapshot)
            {
                _count = snapshot.Count;
                _recent.AddRange(snapshot.Recent);
            }

            private void Apply(Incremented e)
            {
                _count += e.By;
                _recent.Add(e.By);
            }
        }
        """;

    /// <summary>
    /// An event at version 3 with a typed v1 shape (an old Event class, renamed), a typed v2 shape (a plain record), and
    /// a JSON step for a v0-style shape stored under an older name; an unrelated event without versions.
    /// </summary>
    public const string Versioned = """
        using System.Text.Json.Nodes;
        using EventSourcery;

        namespace Shop;

        public enum Currency { Eur, Usd }

        [EventName("order_placed", Version = 4)]
        public sealed record OrderPlaced(string OrderId, decimal Total, Currency Currency, string Channel) : Event;

        [EventName("order_placed", Version = 2)]
        public sealed record OrderPlacedV2(string OrderId, decimal Total) : Event;

        [EventName("order_placed", Version = 3)]
        public sealed record OrderPlacedV3(string OrderId, decimal Total, Currency Currency);

        public sealed record OrderCancelled(string OrderId) : Event;

        public static class OrderUpcasts
        {
            [Upcaster(typeof(OrderPlaced), 1, Name = "OrderCreated")]
            public static JsonObject FromCreated(JsonObject payload)
            {
                payload["total"] = payload["amount"]?.DeepClone();
                payload.Remove("amount");
                return payload;
            }

            [Upcaster]
            public static OrderPlacedV3 ToV3(OrderPlacedV2 old) => new(old.OrderId, old.Total, Currency.Eur);

            [Upcaster]
            internal static OrderPlaced ToV4(OrderPlacedV3 old) => new(old.OrderId, old.Total, old.Currency, "web");
        }
        """;

    public const string PrivateAccessors = """
        using EventSourcery;

        namespace Notes;

        public abstract record Stamped : Event
        {
            public string Origin { get; private init; } = "";
        }

        public sealed record NoteAdded(string Text) : Stamped
        {
            public string Author { get; private init; } = "";

            public int Revision { get; private set; }

            public static NoteAdded By(string text, string author) => new(text) { Author = author };
        }

        public abstract record Tagged<T> : Event
        {
            public T Tag { get; private init; } = default!;
        }

        public sealed record LabelAttached(string Text) : Tagged<int>;

        public record struct NoteSnapshot(int Count)
        {
            public string Last { get; private set; }
        }

        public sealed partial class Notebook : Aggregate, ISnapshotable<NoteSnapshot>
        {
            private NoteSnapshot _state;

            public void Add(string text) => Emit(new NoteAdded(text));

            public NoteSnapshot TakeSnapshot() => _state;

            public void RestoreSnapshot(NoteSnapshot snapshot) => _state = snapshot;

            private void Apply(NoteAdded e) => _state = _state with { Count = _state.Count + 1 };

            private void Apply(LabelAttached e) { }
        }
        """;

    public const string NoAggregates = """
        namespace Plain;

        public sealed class Calculator
        {
            public int Add(int a, int b) => a + b;
        }

        public sealed record Point(int X, int Y);
        """;
}
