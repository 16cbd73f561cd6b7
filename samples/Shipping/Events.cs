using EventSourcery;

namespace ShippingSample;

[EventName("order_placed")]
public sealed record OrderPlaced(string Customer, int Items) : Event;

[EventName("order_paid")]
public sealed record OrderPaid(decimal Amount) : Event;

/// <summary>The shipping department's read model, built from the queue: what each order needs, once paid.</summary>
public sealed class ShippingBoard
{
    private readonly Dictionary<string, (string Customer, int Items, decimal Paid)> _orders = [];
    private readonly HashSet<string> _seen = [];

    public int Duplicates { get; private set; }

    public IEnumerable<(string Order, string Customer, int Items, decimal Paid)> Orders
        => _orders.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => (o.Key, o.Value.Customer, o.Value.Items, o.Value.Paid));

    /// <summary>Applies one message: the event's name says what its JSON holds; its id makes a redelivery harmless.</summary>
    public void Project(string messageId, string order, string eventName, System.Text.Json.JsonElement payload)
    {
        if (!_seen.Add(messageId))
        {
            Duplicates++; // at-least-once delivery: the outbox may deliver an event again after an interruption
            return;
        }

        var current = _orders.GetValueOrDefault(order);
        _orders[order] = eventName switch
        {
            "order_placed" => (payload.GetProperty("customer").GetString()!, payload.GetProperty("items").GetInt32(), current.Paid),
            "order_paid" => (current.Customer, current.Items, current.Paid + payload.GetProperty("amount").GetDecimal()),
            _ => current,
        };
    }
}
