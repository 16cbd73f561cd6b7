using EventSourcery.Serialization;

namespace EventSourcery;

/// <summary>
/// What every relational store (SQLite, PostgreSQL) takes: how it serializes, stamps and pages.
/// Each provider's options add what is its own.
/// </summary>
public abstract record RelationalEventStoreOptions
{
    /// <summary>Only the provider packages derive options.</summary>
    internal RelationalEventStoreOptions()
    {
    }

    /// <summary>The registry of event types to store and read; <see cref="EventRegistry.Default"/> unless set.</summary>
    public EventRegistry Registry
    {
        // Resolved when read, not when the options are made: module initializers may still be registering types.
        get => field ?? EventRegistry.Default;
        init => field = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>The clock that stamps <see cref="RecordedEvent.RecordedAt"/>; <see cref="TimeProvider.System"/> unless set.</summary>
    public TimeProvider TimeProvider
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(value));
    } = TimeProvider.System;

    /// <summary>
    /// Which events <see cref="RelationalEventStore.PublishAsync"/> puts in the outbox, besides storing them: those for
    /// which it returns true. Null (the default) puts every published event there. It runs before anything is
    /// written, so an exception it throws fails the publish and writes nothing.
    /// </summary>
    public Func<Event, bool>? OutboxFilter { get; init; }

    /// <summary>
    /// The largest event an append accepts, as stored: UTF-8 JSON payload plus metadata. A larger one fails the append
    /// with <see cref="EventTooLargeException"/> and nothing of it is written. 1 MiB unless set (EventStoreDB's and
    /// Kafka's default): events are facts, large content belongs elsewhere with a reference in the event.
    /// </summary>
    public int MaxEventBytes
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = EventSerializer.DefaultMaxEventBytes;

    /// <summary>
    /// About how many bytes of stored events one page of a read holds (stream reads, <c>ReadAllAsync</c>, and so
    /// subscriptions and projections) and one outbox claim takes: a page ends after the event that reaches it, or at
    /// its row limit, whichever comes first. 4 MiB unless set; it bounds a reader's memory when events are large.
    /// </summary>
    public int PageBytes
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = 4 << 20;

    /// <summary>
    /// Where the keys of personal data live: null (the default) keeps them in the store's own database, in
    /// <c>es_subject_keys</c>; set it to sit on an external key service.
    /// </summary>
    public PersonalData.IPersonalDataKeyStore? PersonalDataKeys { get; init; }

    /// <summary>
    /// How long a data subject's key stays in memory for reads; one minute unless set. Shredding through this store
    /// takes effect at once here; other processes that cached the key read it for at most this long.
    /// </summary>
    public TimeSpan PersonalDataKeyCacheDuration
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            field = value;
        }
    } = Serialization.PersonalDataProtector.DefaultCacheDuration;
}
