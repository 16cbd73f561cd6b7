namespace EventSourcery.Benchmarks.Store;

// The domain of the store benchmarks: a shopping cart whose events are small, realistic records (80 to 110 bytes of
// JSON each), and a snapshotable tally for the snapshot benchmark. Every store benchmark writes and reads these.

public sealed record CartItemAdded(string Sku, string Name, int Quantity, decimal UnitPrice) : Event;

public sealed record CartItemRemoved(string Sku, int Quantity) : Event;

public sealed record CartDiscountApplied(string Code, decimal Percent) : Event;

/// <summary>
/// A cart aggregate. Its <c>Apply</c> methods are internal (the generator does not care) so that the hand-written
/// baselines can call them directly, without the generated dispatch.
/// </summary>
public sealed partial class Cart : Aggregate
{
    private readonly Dictionary<string, int> _quantities = new(StringComparer.Ordinal);
    private decimal _total;
    private decimal _discountPercent;
    private int _applied;

    /// <summary>The state folded into one number, so the compared variants can be checked to end in the same state.</summary>
    public decimal Checksum => _total + (_discountPercent * 1_000) + _quantities.Count + _applied + _quantities.Values.Sum();

    internal void Apply(CartItemAdded e)
    {
        _quantities[e.Sku] = _quantities.GetValueOrDefault(e.Sku) + e.Quantity;
        _total += e.Quantity * e.UnitPrice;
        _applied++;
    }

    internal void Apply(CartItemRemoved e)
    {
        var left = _quantities.GetValueOrDefault(e.Sku) - e.Quantity;
        if (left > 0)
        {
            _quantities[e.Sku] = left;
        }
        else
        {
            _quantities.Remove(e.Sku);
        }

        _applied++;
    }

    internal void Apply(CartDiscountApplied e)
    {
        _discountPercent = e.Percent;
        _applied++;
    }

    /// <summary>What a hand-written loader does instead of the generated dispatch: a type switch calling Apply directly.</summary>
    public void ApplyDirectly(Event e)
    {
        switch (e)
        {
            case CartItemAdded added:
                Apply(added);
                break;
            case CartItemRemoved removed:
                Apply(removed);
                break;
            case CartDiscountApplied discount:
                Apply(discount);
                break;
            default:
                throw new InvalidOperationException($"A cart has no Apply for {e.GetType().Name}.");
        }
    }
}

/// <summary>Deterministic cart streams: mostly items added, some removed, an occasional discount.</summary>
public static class CartEvents
{
    private static readonly string[] Products =
    [
        "Espresso beans, 1 kg", "Milk frother", "Ceramic cup (set of 4)", "Descaling tablets", "Burr grinder",
        "Paper filters, 100", "Travel mug", "Cold brew bottle",
    ];

    /// <summary><paramref name="count"/> events; the same seed gives equal events (but new ids and timestamps).</summary>
    public static Event[] Create(int count, int seed)
    {
        var random = new Random(seed);
        var events = new Event[count];
        for (var i = 0; i < count; i++)
        {
            var product = random.Next(Products.Length);
            var sku = $"SKU-{product:D4}-{random.Next(10):D2}";
            events[i] = random.Next(100) switch
            {
                < 70 => new CartItemAdded(sku, Products[product], random.Next(1, 5), 2.5m + product + (random.Next(100) / 100m)),
                < 95 => new CartItemRemoved(sku, 1),
                _ => new CartDiscountApplied($"SAVE{random.Next(5, 30)}", random.Next(5, 30)),
            };
        }

        return events;
    }
}

public sealed record TallyMoved(int By, string Note) : Event;

public sealed record TallyReset : Event;

/// <summary>Everything a <see cref="Tally"/> knows, for its snapshots.</summary>
public sealed record TallySnapshot(int Value, long Moves, List<string> Notes);

/// <summary>
/// A snapshotable aggregate, shaped like the store contract tests' <c>Counter</c>: a value, a move count and the notes
/// since the last reset (a reset every 40 events or so keeps the snapshot a few hundred bytes).
/// </summary>
public sealed partial class Tally : Aggregate, ISnapshotable<TallySnapshot>
{
    private readonly List<string> _notes = [];
    private int _value;
    private long _moves;

    public string Describe() => $"{Version}: value {_value}, moves {_moves}, notes [{string.Join(",", _notes)}]";

    public void Move(int by) => Emit(new TallyMoved(by, $"{by}@{_value}"));

    public void Reset() => Emit(new TallyReset());

    public TallySnapshot TakeSnapshot() => new(_value, _moves, [.. _notes]);

    public void RestoreSnapshot(TallySnapshot snapshot)
    {
        _value = snapshot.Value;
        _moves = snapshot.Moves;
        _notes.AddRange(snapshot.Notes);
    }

    private void Apply(TallyMoved e)
    {
        _value += e.By;
        _moves++;
        _notes.Add(e.Note);
    }

    private void Apply(TallyReset e)
    {
        _value = 0;
        _moves++;
        _notes.Clear();
    }
}
