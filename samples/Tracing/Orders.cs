using EventSourcery;

namespace TracingSample;

public sealed record OrderPlaced(string Customer, decimal Total) : Event;

public sealed record OrderPaid(decimal Amount) : Event;

/// <summary>An order: placed, then paid.</summary>
public sealed partial class Order : Aggregate
{
    public string? Customer { get; private set; }

    public bool Paid { get; private set; }

    public void Place(string customer, decimal total) => Emit(new OrderPlaced(customer, total));

    public void Pay(decimal amount)
    {
        if (Paid)
        {
            throw new InvalidOperationException("already paid");
        }

        Emit(new OrderPaid(amount));
    }

    private void Apply(OrderPlaced e) => Customer = e.Customer;

    private void Apply(OrderPaid e) => Paid = true;
}

/// <summary>A read model of the orders waiting for payment, kept by a projection.</summary>
public sealed class UnpaidOrders : IProjection
{
    public string Name => "unpaid-orders";

    public HashSet<StreamId> Orders { get; } = [];

    public ValueTask HandleAsync(RecordedEvent recorded, CancellationToken cancellationToken)
    {
        _ = recorded.Event switch
        {
            OrderPlaced => Orders.Add(recorded.StreamId),
            OrderPaid => Orders.Remove(recorded.StreamId),
            _ => false,
        };
        return ValueTask.CompletedTask;
    }
}
