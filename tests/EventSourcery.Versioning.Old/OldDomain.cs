using EventSourcery;
using EventSourcery.Serialization;

namespace Shop.Old;

// The first build's events, stored under these names at version 1. The new build reads them through its upcasters.

/// <summary>Stored as "OrderCreated" v1; the new build calls it OrderPlaced, stored as "order_placed".</summary>
public sealed record OrderCreated(string OrderId, decimal Amount) : Event;

/// <summary>Stored as "order_shipped" v1, the carrier as free text.</summary>
[EventName("order_shipped")]
public sealed record OrderShipped(string OrderId, string Carrier) : Event;

/// <summary>Unchanged between the builds.</summary>
[EventName("order_cancelled")]
public sealed record OrderCancelled(string OrderId, string Reason) : Event;

/// <summary>This build's registry (the tests never use <see cref="EventRegistry.Default"/>: both builds are loaded).</summary>
public static class OldBuild
{
    public static EventRegistry Registry { get; } = new(EventSourcery.Generated.EventTypes_EventSourcery_Versioning_Old.All);
}
