namespace EventSourcery.Cli.Tests;

public sealed record OrderPlaced(string Customer, decimal Total) : Event;

[EventName("order_shipped")]
public sealed record OrderShipped(string Carrier) : Event;
