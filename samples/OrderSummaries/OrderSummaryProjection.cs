using EventSourcery;

namespace OrderSummariesSample;

/// <summary>
/// Keeps <see cref="OrderSummary"/> rows in step with the order events. It writes through the same <see cref="ShopDb"/>
/// the store works in, so <see cref="ProjectionRunner"/> commits each batch's rows and its checkpoint in one
/// transaction: every event takes effect exactly once, even when a run fails halfway.
/// </summary>
public sealed class OrderSummaryProjection(ShopDb db) : IProjection
{
    public string Name => "order-summaries";

    /// <summary>For the demonstration: fail this many times right after writing the row of an <see cref="OrderShipped"/>.</summary>
    public int CrashesAfterShipping { get; set; }

    public async ValueTask HandleAsync(RecordedEvent recorded, CancellationToken cancellationToken)
    {
        var orderId = recorded.StreamId.Value;
        var summary = recorded.Event is OrderPlaced placed
            ? db.OrderSummaries.Add(new OrderSummary { OrderId = orderId, Customer = placed.Customer, Items = placed.Items, Status = "placed" }).Entity
            : await db.OrderSummaries.FindAsync([orderId], cancellationToken) ?? throw new InvalidOperationException($"No summary for order {orderId}.");

        switch (recorded.Event)
        {
            case OrderPaid paid:
                summary.Paid += paid.Amount;
                summary.Status = "paid";
                break;
            case OrderShipped shipped:
                summary.Parcel = shipped.Parcel;
                summary.Status = "shipped";
                break;
        }

        summary.Events++;
        await db.SaveChangesAsync(cancellationToken);

        if (recorded.Event is OrderShipped && CrashesAfterShipping > 0)
        {
            CrashesAfterShipping--;
            throw new IOException("the projection crashed after writing (simulated)");
        }
    }
}
