using EventSourcery;

namespace OrdersSample;

/// <summary>An order was placed.</summary>
public sealed record OrderPlaced(string Customer, int Items) : Event;

/// <summary>An order was paid.</summary>
public sealed record OrderPaid(string Customer, decimal Amount) : Event;

/// <summary>An order was shipped.</summary>
public sealed record OrderShipped(string Customer, string Parcel) : Event;
