namespace EventSourcery;

/// <summary>
/// An append-only store of event streams with optimistic concurrency. The in-memory store and the
/// SQLite store implement it with the same semantics, so domain code is tested against the in-memory one.
/// </summary>
public interface IEventStore
{
    /// <summary>
    /// Appends <paramref name="events"/> to the end of a stream, atomically: all of them or none.
    /// </summary>
    /// <param name="streamId">The stream to append to; created by the first append.</param>
    /// <param name="events">One or more events, appended in order with contiguous versions.</param>
    /// <param name="expectedVersion">What the stream's version must be for the append to go ahead.</param>
    /// <param name="cancellationToken">Cancels the append before it commits.</param>
    /// <exception cref="ConcurrencyException">The stream's version does not match <paramref name="expectedVersion"/>.</exception>
    /// <exception cref="ArgumentException">The stream id is default, or <paramref name="events"/> is empty or holds a null.</exception>
    /// <exception cref="UnknownEventTypeException">An event's type has no generated registration.</exception>
    ValueTask<AppendResult> AppendAsync(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends like <see cref="AppendAsync"/> and, in the same transaction, puts the events in the outbox so an
    /// the outbox hands them to a publisher at least once.
    /// </summary>
    /// <inheritdoc cref="AppendAsync" path="/param"/>
    /// <inheritdoc cref="AppendAsync" path="/exception"/>
    ValueTask<AppendResult> PublishAsync(StreamId streamId, IReadOnlyList<Event> events, ExpectedVersion expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads a stream's events in version order, from <paramref name="fromVersion"/> to <paramref name="toVersion"/>
    /// (both inclusive). A missing stream reads as empty.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fromVersion"/> is less than 1 or greater than <paramref name="toVersion"/>.</exception>
    /// <exception cref="EventReadException">A stored event cannot be turned back into an event (unknown name, corrupt payload).</exception>
    IAsyncEnumerable<RecordedEvent> ReadStreamAsync(StreamId streamId, long fromVersion = 1, long toVersion = long.MaxValue, CancellationToken cancellationToken = default);

    /// <summary>Reads every stream's events in global position order, starting after <paramref name="afterPosition"/> (exclusive).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="afterPosition"/> is negative.</exception>
    /// <exception cref="EventReadException">A stored event cannot be turned back into an event (unknown name, corrupt payload).</exception>
    IAsyncEnumerable<RecordedEvent> ReadAllAsync(long afterPosition = 0, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a stream and its events. Its events leave <see cref="ReadAllAsync"/>; outbox entries it already made
    /// are still delivered. A later append with <see cref="ExpectedVersion.NoStream"/> starts the stream afresh.
    /// </summary>
    /// <returns>True when a stream was deleted, false when it did not exist (and <paramref name="expectedVersion"/> allowed that).</returns>
    /// <exception cref="ConcurrencyException">The stream's version does not match <paramref name="expectedVersion"/>.</exception>
    ValueTask<bool> DeleteStreamAsync(StreamId streamId, ExpectedVersion expectedVersion = default, CancellationToken cancellationToken = default);

    /// <summary>
    /// A view of the same store that sees only <paramref name="tenantId"/>'s streams, in every operation: appends,
    /// reads, ReadAll, deletes, snapshots and the outbox. The default view (the store itself) sees only streams of no
    /// tenant; the same stream id may exist once per tenant. Views share the store's connection and lifetime.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is null, empty, whitespace or malformed (see <see cref="TenantId.Validate"/>).</exception>
    IEventStore ForTenant(string tenantId);
}
