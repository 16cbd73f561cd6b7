using System.Text;
using EventSourcery.Serialization;
using RabbitMQ.Client;

namespace EventSourcery;

/// <summary>
/// The outbox's publisher on RabbitMQ: <c>new Outbox(store, publisher.PublishAsync)</c>, or
/// <c>AddOutbox(publisher.PublishAsync)</c> in a host. Each event is one persistent message on a durable topic exchange,
/// published with a publisher confirm (a delivery counts once the broker has taken responsibility for the message; a
/// nack, a broker that is down or a lost connection is a failed attempt the outbox retries). The connection recovers by
/// itself after the broker comes back.
/// </summary>
/// <remarks>
/// The message: body the event's JSON payload as the store writes it (content type <c>application/json</c>); message
/// id the event's id (consumers deduplicate the redeliveries of at-least-once delivery with it); type the stored event
/// name; timestamp the recording time; correlation id the event's; headers <c>es-stream-id</c>,
/// <c>es-stream-category</c>, <c>es-stream-version</c>, <c>es-position</c>, <c>es-event-name</c>,
/// <c>es-schema-version</c>, <c>es-tenant</c>, <c>es-causation-id</c>, and <c>traceparent</c> (the delivery span's, so
/// a consumer's trace continues the append's).
/// </remarks>
public sealed class RabbitMqPublisher : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly RabbitMqPublisherOptions _options;
    private readonly EventSerializer _serializer;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private RabbitMqPublisher(IConnection connection, IChannel channel, RabbitMqPublisherOptions options)
    {
        _connection = connection;
        _channel = channel;
        _options = options;
        _serializer = new EventSerializer(options.Registry ?? EventRegistry.Default);
    }

    /// <summary>Connects to the broker, opens a channel with publisher confirms and declares the exchange.</summary>
    /// <exception cref="RabbitMQ.Client.Exceptions.BrokerUnreachableException">The broker cannot be reached.</exception>
    public static async Task<RabbitMqPublisher> CreateAsync(RabbitMqPublisherOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new RabbitMqPublisherOptions();
        var factory = new ConnectionFactory
        {
            Uri = options.Uri,
            ClientProvidedName = options.ClientName,
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = TimeSpan.FromSeconds(1),
        };
        var connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
                cancellationToken).ConfigureAwait(false);
            await channel.ExchangeDeclareAsync(options.Exchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new RabbitMqPublisher(connection, channel, options);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Publishes one event and waits for the broker's confirm; the outbox's publisher delegate. Throws when the broker
    /// does not take the message (the outbox counts a failed attempt and retries it).
    /// </summary>
    public async ValueTask PublishAsync(RecordedEvent recorded, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        var body = Encoding.UTF8.GetBytes(_serializer.Serialize(recorded.StreamId, recorded.Event).Payload);
        var properties = Properties(recorded);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _channel.BasicPublishAsync(_options.Exchange, _options.RoutingKey(recorded), _options.Mandatory, properties, body, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }

    private static BasicProperties Properties(RecordedEvent recorded)
    {
        var metadata = recorded.Event.Metadata;
        var headers = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["es-stream-id"] = recorded.StreamId.ToString(),
            ["es-stream-version"] = recorded.Version,
            ["es-position"] = recorded.Position,
            ["es-event-name"] = recorded.EventName,
            ["es-schema-version"] = recorded.SchemaVersion,
        };
        if (recorded.StreamId.Category is { } category)
        {
            headers["es-stream-category"] = category;
        }

        if (recorded.TenantId is { } tenant)
        {
            headers["es-tenant"] = tenant;
        }

        if (metadata.CausationId is { } causation)
        {
            headers["es-causation-id"] = causation.ToString();
        }

        // The delivery's span (the outbox runs the publisher inside it), else the append's from the event's metadata.
        var traceParent = System.Diagnostics.Activity.Current?.Id ?? (metadata.Extra.TryGetValue(EventMetadata.TraceParentKey, out var stored) ? stored : null);
        if (traceParent is not null)
        {
            headers["traceparent"] = traceParent;
        }

        return new BasicProperties
        {
            MessageId = recorded.Event.Id.ToString(),
            CorrelationId = metadata.CorrelationId?.ToString(),
            Type = recorded.EventName,
            ContentType = "application/json",
            ContentEncoding = "utf-8",
            DeliveryMode = DeliveryModes.Persistent,
            Timestamp = new AmqpTimestamp(recorded.RecordedAt.ToUnixTimeSeconds()),
            Headers = headers,
        };
    }
}
