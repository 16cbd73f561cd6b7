namespace EventSourcery;

/// <summary>
/// Tracing metadata carried by every event: the flow it belongs to (<see cref="CorrelationId"/>), the event or command
/// that caused it (<see cref="CausationId"/>) and free-form string entries (<see cref="Extra"/>).
/// </summary>
public sealed record EventMetadata
{
    private static readonly IReadOnlyDictionary<string, string> NoExtra = new Dictionary<string, string>(0);

    /// <summary>
    /// The <see cref="Extra"/> key under which a store keeps the W3C <c>traceparent</c> of the activity that appended
    /// the event (docs/telemetry.md), unless the event already carries one. The outbox's delivery continues that trace.
    /// </summary>
    public const string TraceParentKey = "traceparent";

    /// <summary>Metadata with no ids and no entries.</summary>
    public static EventMetadata Empty { get; } = new();

    /// <summary>Id shared by every event of one business flow; null when not traced.</summary>
    public Guid? CorrelationId { get; init; }

    /// <summary>Id of the event or command that directly caused this event; null when not traced.</summary>
    public Guid? CausationId { get; init; }

    /// <summary>Free-form entries (user id, tenant, trace parent…). Never null; empty by default.</summary>
    public IReadOnlyDictionary<string, string> Extra
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(Extra));
    } = NoExtra;

    /// <summary>
    /// Metadata for an event caused by <paramref name="cause"/>: same correlation (or the cause's id when the cause
    /// started the flow) and the cause's id as causation.
    /// </summary>
    public static EventMetadata CausedBy(Event cause)
    {
        ArgumentNullException.ThrowIfNull(cause);
        return new EventMetadata
        {
            CorrelationId = cause.Metadata.CorrelationId ?? cause.Id,
            CausationId = cause.Id,
        };
    }

    /// <inheritdoc />
    public bool Equals(EventMetadata? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || CorrelationId != other.CorrelationId || CausationId != other.CausationId || Extra.Count != other.Extra.Count)
        {
            return false;
        }

        foreach (var (key, value) in Extra)
        {
            if (!other.Extra.TryGetValue(key, out var otherValue) || !string.Equals(value, otherValue, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(CorrelationId, CausationId, Extra.Count);
}
