using System.Runtime.CompilerServices;

namespace EventSourcery.Benchmarks.PostgreSql;

// The same small cart domain as the SQLite benchmarks, twice: EventSourcery's event records and aggregate, and
// Marten's (plain records, and an aggregate Marten folds with its Apply conventions). Both fold to the same checksum.

public sealed record CartItemAdded(string Sku, string Name, int Quantity, decimal UnitPrice) : Event;

public sealed record CartItemRemoved(string Sku, int Quantity) : Event;

public sealed partial class Cart : Aggregate
{
    private readonly Dictionary<string, int> _quantities = new(StringComparer.Ordinal);
    private decimal _total;

    public decimal Checksum => _total + _quantities.Count + _quantities.Values.Sum();

    private void Apply(CartItemAdded e)
    {
        _quantities[e.Sku] = _quantities.GetValueOrDefault(e.Sku) + e.Quantity;
        _total += e.Quantity * e.UnitPrice;
    }

    private void Apply(CartItemRemoved e)
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
    }
}

public sealed record MartenItemAdded(string Sku, string Name, int Quantity, decimal UnitPrice);

public sealed record MartenItemRemoved(string Sku, int Quantity);

/// <summary>Marten's live aggregate of the same stream.</summary>
public sealed class MartenCart
{
    private readonly Dictionary<string, int> _quantities = new(StringComparer.Ordinal);
    private decimal _total;

    public Guid Id { get; set; }

    public decimal Checksum => _total + _quantities.Count + _quantities.Values.Sum();

    public void Apply(MartenItemAdded e)
    {
        _quantities[e.Sku] = _quantities.GetValueOrDefault(e.Sku) + e.Quantity;
        _total += e.Quantity * e.UnitPrice;
    }

    public void Apply(MartenItemRemoved e)
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
    }
}

public static class CartEvents
{
    private static readonly string[] Products = ["Espresso beans, 1 kg", "Milk frother", "Ceramic cup (set of 4)", "Descaling tablets", "Burr grinder", "Paper filters, 100"];

    /// <summary><paramref name="count"/> events for EventSourcery and the equal ones for Marten (same seed, same values).</summary>
    public static (Event[] Ours, object[] Martens) Create(int count, int seed)
    {
        var random = new Random(seed);
        var ours = new Event[count];
        var martens = new object[count];
        for (var i = 0; i < count; i++)
        {
            var product = random.Next(Products.Length);
            var sku = $"SKU-{product:D4}-{random.Next(10):D2}";
            if (random.Next(100) < 75)
            {
                var quantity = random.Next(1, 5);
                var price = 2.5m + product + (random.Next(100) / 100m);
                ours[i] = new CartItemAdded(sku, Products[product], quantity, price);
                martens[i] = new MartenItemAdded(sku, Products[product], quantity, price);
            }
            else
            {
                ours[i] = new CartItemRemoved(sku, 1);
                martens[i] = new MartenItemRemoved(sku, 1);
            }
        }

        return (ours, martens);
    }
}

/// <summary>Event ids are unique per store: events appended again and again get new ids first, in place (benchmark code only).</summary>
public static class FreshIds
{
    public static Event[] Renew(Event[] events)
    {
        foreach (var e in events)
        {
            IdOf(e) = Guid.CreateVersion7();
        }

        return events;
    }

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "<Id>k__BackingField")]
    private static extern ref Guid IdOf(Event e);
}
