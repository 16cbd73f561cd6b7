namespace EventSourcery;

/// <summary>The tag names of EventSourcery's spans and metrics (docs/telemetry.md), as OpenTelemetry's conventions name them where they have a name.</summary>
public static class TelemetryTags
{
    /// <summary>The store's database: <c>sqlite</c>, <c>postgresql</c>, or <c>in-memory</c> (OpenTelemetry's <c>db.system</c>).</summary>
    public const string DbSystem = "db.system";

    /// <summary>What the store did: <c>append</c> or <c>publish</c> (OpenTelemetry's <c>db.operation.name</c>).</summary>
    public const string DbOperation = "db.operation.name";

    /// <summary>The stream's category, when it has one.</summary>
    public const string StreamCategory = "eventsourcery.stream.category";

    /// <summary>The stream's id (spans only: too many values for a metric).</summary>
    public const string StreamId = "eventsourcery.stream.id";

    /// <summary>The stored name of the event type (on a span of several types, the names joined by commas).</summary>
    public const string EventType = "eventsourcery.event.type";

    /// <summary>The tenant of a tenant view; absent for the default view.</summary>
    public const string Tenant = "eventsourcery.tenant";

    /// <summary>How many events an append wrote or a load replayed.</summary>
    public const string EventCount = "eventsourcery.event.count";

    /// <summary>The stream's version after an append or a load.</summary>
    public const string StreamVersion = "eventsourcery.stream.version";

    /// <summary>Whether a load started from a snapshot.</summary>
    public const string FromSnapshot = "eventsourcery.load.from_snapshot";

    /// <summary>The aggregate type a repository loads.</summary>
    public const string AggregateType = "eventsourcery.aggregate.type";

    /// <summary>The exception's type when the operation failed (OpenTelemetry's <c>error.type</c>).</summary>
    public const string ErrorType = "error.type";

    /// <summary>What a delivery does with the message: <c>send</c> (OpenTelemetry's <c>messaging.operation.type</c>).</summary>
    public const string MessagingOperationType = "messaging.operation.type";

    /// <summary>Where a delivery goes: the stream's category (OpenTelemetry's <c>messaging.destination.name</c>).</summary>
    public const string MessagingDestination = "messaging.destination.name";

    /// <summary>The delivered event's id (OpenTelemetry's <c>messaging.message.id</c>).</summary>
    public const string MessagingMessageId = "messaging.message.id";

    /// <summary>Which attempt at delivering the outbox entry this is, from 1.</summary>
    public const string DeliveryAttempt = "eventsourcery.outbox.attempt";

    /// <summary>The projection's name.</summary>
    public const string ProjectionName = "eventsourcery.projection.name";

    /// <summary>The position of a batch's first event.</summary>
    public const string FirstPosition = "eventsourcery.position.first";

    /// <summary>The position of a batch's last event.</summary>
    public const string LastPosition = "eventsourcery.position.last";

    /// <summary>The first version a stream read asked for.</summary>
    public const string FromVersion = "eventsourcery.stream.from_version";

    /// <summary>The position a subscription waits after.</summary>
    public const string Position = "eventsourcery.position";

    /// <summary>Whether a subscription's wait ended because this store appended (rather than its poll interval passing).</summary>
    public const string Signalled = "eventsourcery.subscription.signalled";
}
