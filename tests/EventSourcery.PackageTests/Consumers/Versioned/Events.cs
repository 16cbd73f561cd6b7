using EventSourcery;

namespace Billing;

/// <summary>Shipped as v1 with an amount (EventSchemas.Shipped.txt); the amount was removed since, still at v1.</summary>
[EventName("invoice_issued")]
public sealed record InvoiceIssued(string Number) : Event;
