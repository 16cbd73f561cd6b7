namespace EventSourcery;

/// <summary>Where and how <see cref="RabbitMqPublisher"/> publishes the outbox's events.</summary>
public sealed record RabbitMqPublisherOptions
{
    /// <summary>The broker, as an AMQP URI (<c>amqp://user:password@host:5672/vhost</c>); <c>amqp://localhost</c> unless set.</summary>
    public Uri Uri { get; init; } = new("amqp://localhost");

    /// <summary>The exchange events are published to, declared durable (a topic exchange) on start; <c>eventsourcery</c> unless set.</summary>
    public string Exchange
    {
        get;
        init
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value);
            field = value;
        }
    } = "eventsourcery";

    /// <summary>
    /// The routing key of an event: by default its stream's category (<c>order</c>), or <c>uncategorized</c> for a stream
    /// without one; bind queues with a pattern of the topic exchange (<c>order</c>, <c>#</c>).
    /// </summary>
    public Func<RecordedEvent, string> RoutingKey { get; init; } = static e => e.StreamId.Category ?? "uncategorized";

    /// <summary>
    /// Whether an event no queue is bound to receive counts as a failed delivery (the outbox retries it) rather than as
    /// delivered and dropped by the broker; false unless set.
    /// </summary>
    public bool Mandatory { get; init; }

    /// <summary>The registry the payloads are serialized with; <see cref="Serialization.EventRegistry.Default"/> unless set.</summary>
    public Serialization.EventRegistry? Registry { get; init; }

    /// <summary>The connection's name as the broker shows it (management UI, <c>rabbitmqctl list_connections</c>).</summary>
    public string ClientName { get; init; } = "eventsourcery-outbox";
}
