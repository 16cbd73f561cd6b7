using EventSourcery;

namespace OrderSummariesSample;

/// <summary>An order was placed.</summary>
public sealed record OrderPlaced(string Customer, int Items) : Event;

/// <summary>An order was paid.</summary>
public sealed record OrderPaid(decimal Amount) : Event;

/// <summary>An order was shipped.</summary>
public sealed record OrderShipped(string Parcel) : Event;
