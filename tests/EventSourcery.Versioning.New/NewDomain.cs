using System.Text.Json.Nodes;
using EventSourcery;
using EventSourcery.Serialization;

namespace Shop;

public enum Carrier
{
    Unknown,
    Dhl,
    Ups,
}

/// <summary>Version 3: renamed from OrderCreated (v1, a JSON step reads it), then a currency added (v2 → v3, typed).</summary>
[EventName("order_placed", Version = 3)]
public sealed record OrderPlaced(string OrderId, decimal Total, string Currency) : Event;

/// <summary>The v2 shape, kept to read stored v2 events (and what the JSON step makes of v1).</summary>
[EventName("order_placed", Version = 2)]
public sealed record OrderPlacedV2(string OrderId, decimal Total);

/// <summary>Version 3: the carrier became an enum (v2), then an expected delivery date was added (v3).</summary>
[EventName("order_shipped", Version = 3)]
public sealed record OrderShipped(string OrderId, Carrier Carrier, DateOnly? ExpectedOn) : Event;

/// <summary>The old class, kept under a new type name: it still derives from Event, and is read only.</summary>
[EventName("order_shipped")]
public sealed record OrderShippedV1(string OrderId, string Carrier) : Event;

[EventName("order_shipped", Version = 2)]
public sealed record OrderShippedV2(string OrderId, Carrier Carrier);

[EventName("order_cancelled")]
public sealed record OrderCancelled(string OrderId, string Reason) : Event;

public static class OrderUpcasts
{
    /// <summary>v1 was stored as "OrderCreated" with an "amount"; v2 calls it "total".</summary>
    [Upcaster(typeof(OrderPlaced), 1, Name = "OrderCreated")]
    public static JsonObject RenameAmount(JsonObject payload)
    {
        payload["total"] = payload["amount"]?.DeepClone();
        payload.Remove("amount");
        return payload;
    }

    [Upcaster]
    public static OrderPlaced AddCurrency(OrderPlacedV2 old) => new(old.OrderId, old.Total, "EUR");

    /// <summary>The carrier's free text as the enum; an empty one was a bug of the first build, and is refused.</summary>
    [Upcaster]
    public static OrderShippedV2 ParseCarrier(OrderShippedV1 old)
    {
        ArgumentException.ThrowIfNullOrEmpty(old.Carrier);
        return new(old.OrderId, Enum.TryParse<Carrier>(old.Carrier, ignoreCase: true, out var carrier) ? carrier : Carrier.Unknown);
    }

    [Upcaster]
    public static OrderShipped AddExpectedOn(OrderShippedV2 old) => new(old.OrderId, old.Carrier, ExpectedOn: null);
}

/// <summary>An aggregate that only ever sees current versions.</summary>
public sealed partial class Order : Aggregate
{
    public decimal Total { get; private set; }

    public string? Currency { get; private set; }

    public Carrier Carrier { get; private set; }

    public string? CancelledBecause { get; private set; }

    public void Place(string id, decimal total) => Emit(new OrderPlaced(id, total, "EUR"));

    private void Apply(OrderPlaced e)
    {
        Total = e.Total;
        Currency = e.Currency;
    }

    private void Apply(OrderShipped e) => Carrier = e.Carrier;

    private void Apply(OrderCancelled e) => CancelledBecause = e.Reason;
}

/// <summary>This build's registry (the tests never use <see cref="EventRegistry.Default"/>: both builds are loaded).</summary>
public static class NewBuild
{
    public static EventRegistry Registry { get; } = new(EventSourcery.Generated.EventTypes_EventSourcery_Versioning_New.All);
}
