namespace EventSourcery.StoreContract;

// The stored half of the shape matrix (docs/decisions/0007-stored-member-shapes.md): every member kind an event or a
// snapshot may hold state in. The refused half (fields, get-only properties no constructor sets, private properties)
// does not compile and is tested in EventSourcery.Analyzers.Tests (StoredShapeTests) and
// EventSourcery.Generators.Tests (RefusedShapeTests).

// Settable members are the point of the matrix: they must be stored although ES0005 advises against them.
#pragma warning disable ES0005

/// <summary>An abstract base event whose properties every derived event inherits.</summary>
public abstract record ShapeBase : Event
{
    /// <summary>Inherited, public init.</summary>
    public string Region { get; init; } = "";

    /// <summary>Inherited, private init: set by <see cref="ShapeFactory"/>.</summary>
    public string Origin { get; private init; } = "";

    /// <summary>Inherited, private set.</summary>
    public int Hops { get; private set; }

    /// <summary>A copy with the base's private members set (what a domain method on the base would do).</summary>
    public ShapeBase Stamped(string origin, int hops)
    {
        var copy = this with { Origin = origin };
        copy.Hops = hops;
        return copy;
    }
}

/// <summary>Every stored member kind: positional, get/set, get/init, get/private set, get/private init, required,
/// get-only set by a constructor parameter, computed (not stored), and the base's inherited members.</summary>
public sealed record EveryStoredShape(string Positional) : ShapeBase
{
    /// <summary>get; set.</summary>
    public int GetSet { get; set; }

    /// <summary>get; init.</summary>
    public string GetInit { get; init; } = "";

    /// <summary>get; private set.</summary>
    public decimal GetPrivateSet { get; private set; }

    /// <summary>get; private init (set through <see cref="Create"/>, as in issue 19).</summary>
    public string GetPrivateInit { get; private init; } = "";

    /// <summary>required get; init.</summary>
    public required Guid Required { get; init; }

    /// <summary>get; protected set (a shape users write even on sealed events: CS0628 is only a warning).</summary>
#pragma warning disable CS0628 // new protected member declared in sealed type: the shape under test
    public long GetProtectedSet { get; protected set; }
#pragma warning restore CS0628

    /// <summary>get; internal init.</summary>
    public DateTimeOffset GetInternalInit { get; internal init; }

    /// <summary>Computed: expression-bodied, holds no state of its own.</summary>
    public string Computed => Positional + GetInit;

    /// <summary>Builds the event through its private accessors, the way a domain factory does.</summary>
    public static EveryStoredShape Create(string positional, string privateInit, decimal privateSet, long protectedSet, Guid required)
    {
        var created = new EveryStoredShape(positional) { GetPrivateInit = privateInit, Required = required };
        created.GetPrivateSet = privateSet;
        created.GetProtectedSet = protectedSet;
        return created;
    }
}

/// <summary>A get-only property set by a constructor parameter of the same name (stored through the constructor).</summary>
public sealed record AmountCounted : Event
{
    /// <summary>Sets <see cref="Amount"/>.</summary>
    public AmountCounted(int amount) => Amount = amount;

    /// <summary>get only.</summary>
    public int Amount { get; }
}

/// <summary>The issue 19 reproduction: a private init property set through a static factory.</summary>
public sealed record NoteWritten(string Text) : Event
{
    /// <summary>Set only by <see cref="By"/>.</summary>
    public string Author { get; private init; } = "";

    /// <summary>A note by <paramref name="author"/>.</summary>
    public static NoteWritten By(string text, string author) => new(text) { Author = author };
}

/// <summary>An abstract base of a snapshot type: its members are inherited and stored like an event base's.</summary>
public abstract record SnapshotBase
{
    /// <summary>Inherited, get; protected init.</summary>
    public string Owner { get; protected init; } = "";
}

/// <summary>A snapshot with every stored member kind (snapshots follow the events' rule).</summary>
public sealed record ShapedSnapshot(int Positional) : SnapshotBase
{
    /// <summary>get; set.</summary>
    public int GetSet { get; set; }

    /// <summary>get; init.</summary>
    public string GetInit { get; init; } = "";

    /// <summary>get; private set.</summary>
    public string GetPrivateSet { get; private set; } = "";

    /// <summary>get; private init.</summary>
    public long GetPrivateInit { get; private init; }

    /// <summary>required get; init.</summary>
    public required List<string> Required { get; init; }

    /// <summary>Computed, not stored.</summary>
    public int Computed => Positional * 2;

    /// <summary>Builds the snapshot through its private accessors.</summary>
    public static ShapedSnapshot Create(int positional, int getSet, string getInit, string privateSet, long privateInit, List<string> required)
    {
        var created = new ShapedSnapshot(positional) { GetSet = getSet, GetInit = getInit, GetPrivateInit = privateInit, Required = required, Owner = privateSet + "'s" };
        created.GetPrivateSet = privateSet;
        return created;
    }
}

/// <summary>The aggregate whose snapshot is <see cref="ShapedSnapshot"/>: it keeps the last snapshot-shaped state it saw.</summary>
public sealed partial class ShapedAggregate : Aggregate, ISnapshotable<ShapedSnapshot>
{
    private ShapedSnapshot _state = ShapedSnapshot.Create(0, 0, "", "", 0, []);

    /// <summary>The state, as a snapshot value.</summary>
    public ShapedSnapshot State => _state;

    /// <summary>Records <paramref name="note"/> (one event, so snapshots can be taken every event).</summary>
    public void Write(NoteWritten note) => Emit(note);

    /// <inheritdoc />
    public ShapedSnapshot TakeSnapshot() => _state;

    /// <inheritdoc />
    public void RestoreSnapshot(ShapedSnapshot snapshot) => _state = snapshot;

    private void Apply(NoteWritten e)
        => _state = ShapedSnapshot.Create(_state.Positional + 1, _state.GetSet + e.Text.Length, e.Text, e.Author, _state.GetPrivateInit + 10, [.. _state.Required, e.Author]);
}

/// <summary>A generic abstract base event with a private init property (its setter is reached through a generic accessor class).</summary>
public abstract record Tagged<T> : Event
{
    /// <summary>get; private init, declared on a generic type.</summary>
    public T Tag { get; private init; } = default!;

    /// <summary>A copy carrying <paramref name="tag"/>.</summary>
    public Tagged<T> Tagging(T tag) => this with { Tag = tag };
}

/// <summary>An event of the generic family <see cref="Tagged{T}"/>.</summary>
public sealed record LabelAttached(string Text) : Tagged<List<int>>;
