using System.Buffers;
using System.Text.Json;

namespace EventSourcery;

/// <summary>
/// Creates, loads and saves aggregates of one type over an <see cref="IEventStore"/>, with optimistic concurrency:
/// a save succeeds only if nobody wrote to the stream since the aggregate was loaded.
/// </summary>
/// <typeparam name="TAggregate">A partial aggregate (the generator implements <see cref="IAggregateFactory{TSelf}"/>).</typeparam>
public sealed class Repository<TAggregate>
    where TAggregate : Aggregate, IAggregateFactory<TAggregate>
{
    private readonly IEventStore _store;
    private readonly RepositoryOptions _options;
    private readonly ISnapshotStore? _snapshots;

    /// <summary>Creates a repository over <paramref name="store"/>.</summary>
    /// <exception cref="ArgumentException">Snapshots are asked for but the store does not keep them.</exception>
    public Repository(IEventStore store, RepositoryOptions? options = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _options = options ?? new RepositoryOptions();
        if (_options.SnapshotEvery > 0)
        {
            _snapshots = store as ISnapshotStore
                ?? throw new ArgumentException($"SnapshotEvery is set, but {store.GetType().Name} does not keep snapshots (it is not an ISnapshotStore).", nameof(options));
        }
    }

    /// <summary>Creates the aggregate of a new stream, runs <paramref name="change"/> on it and saves what it emitted.</summary>
    /// <exception cref="ConcurrencyException">The stream already exists.</exception>
    public Task<TAggregate> NewAsync(StreamId id, Action<TAggregate> change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        return NewAsync(id, (aggregate, _) => { change(aggregate); return ValueTask.CompletedTask; }, cancellationToken);
    }

    /// <summary>Creates the aggregate of a new stream, runs the asynchronous <paramref name="change"/> and saves what it emitted.</summary>
    /// <exception cref="ConcurrencyException">The stream already exists.</exception>
    public async Task<TAggregate> NewAsync(StreamId id, Func<TAggregate, CancellationToken, ValueTask> change, CancellationToken cancellationToken = default)
    {
        id.ThrowIfDefault(nameof(id));
        ArgumentNullException.ThrowIfNull(change);
        var aggregate = TAggregate.Create();
        aggregate.Id = id;
        await change(aggregate, cancellationToken).ConfigureAwait(false);
        await SaveCoreAsync(aggregate, ExpectedVersion.NoStream, cancellationToken).ConfigureAwait(false);
        return aggregate;
    }

    /// <summary>Loads an existing aggregate, runs <paramref name="change"/> on it and saves what it emitted.</summary>
    /// <exception cref="StreamNotFoundException">The stream does not exist.</exception>
    /// <exception cref="ConcurrencyException">Someone else wrote to the stream since it was loaded (retried only with <see cref="RepositoryOptions.ConflictRetries"/>).</exception>
    public Task<TAggregate> UpdateAsync(StreamId id, Action<TAggregate> change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        return UpdateAsync(id, (aggregate, _) => { change(aggregate); return ValueTask.CompletedTask; }, cancellationToken);
    }

    /// <summary>Loads an existing aggregate, runs the asynchronous <paramref name="change"/> and saves what it emitted.</summary>
    /// <remarks>
    /// When someone else writes to the stream between the load and the save, the save fails with
    /// <see cref="ConcurrencyException"/>; with <see cref="RepositoryOptions.ConflictRetries"/> set, the aggregate is
    /// loaded again and <paramref name="change"/> runs again on it, up to that many times. Without it (the default)
    /// nothing is retried.
    /// </remarks>
    /// <exception cref="StreamNotFoundException">The stream does not exist.</exception>
    /// <exception cref="ConcurrencyException">Someone else wrote to the stream since it was loaded (and the retries, if any, ran out).</exception>
    public async Task<TAggregate> UpdateAsync(StreamId id, Func<TAggregate, CancellationToken, ValueTask> change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        for (var retries = _options.ConflictRetries; ; retries--)
        {
            var aggregate = await LoadAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new StreamNotFoundException(id);
            await change(aggregate, cancellationToken).ConfigureAwait(false);
            try
            {
                await SaveAsync(aggregate, cancellationToken).ConfigureAwait(false);
                return aggregate;
            }
            catch (ConcurrencyException) when (retries > 0)
            {
                // Someone else wrote first: their events are part of the state the change must decide on.
            }
        }
    }

    /// <summary>
    /// Loads an existing aggregate, checks that it is at <paramref name="expectedVersion"/> (the version a client saw,
    /// say from an HTTP <c>ETag</c> sent back in <c>If-Match</c>), runs <paramref name="change"/> and saves what it
    /// emitted only if the stream is still at that version. Never retried: the caller decided on that version.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="expectedVersion"/> is less than 1.</exception>
    /// <exception cref="StreamNotFoundException">The stream does not exist.</exception>
    /// <exception cref="ConcurrencyException">The stream is not at <paramref name="expectedVersion"/>; <paramref name="change"/> did not run.</exception>
    public Task<TAggregate> UpdateAsync(StreamId id, long expectedVersion, Action<TAggregate> change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        return UpdateAsync(id, expectedVersion, (aggregate, _) => { change(aggregate); return ValueTask.CompletedTask; }, cancellationToken);
    }

    /// <summary>
    /// Like <see cref="UpdateAsync(StreamId, long, Action{TAggregate}, CancellationToken)"/>, with an asynchronous
    /// <paramref name="change"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="expectedVersion"/> is less than 1.</exception>
    /// <exception cref="StreamNotFoundException">The stream does not exist.</exception>
    /// <exception cref="ConcurrencyException">The stream is not at <paramref name="expectedVersion"/>; <paramref name="change"/> did not run.</exception>
    public async Task<TAggregate> UpdateAsync(StreamId id, long expectedVersion, Func<TAggregate, CancellationToken, ValueTask> change, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(expectedVersion, 1);
        ArgumentNullException.ThrowIfNull(change);
        var expected = ExpectedVersion.Exactly(expectedVersion);
        var aggregate = await LoadAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new StreamNotFoundException(id);
        if (aggregate.Version != expectedVersion)
        {
            throw new ConcurrencyException(id, expected, aggregate.Version);
        }

        await change(aggregate, cancellationToken).ConfigureAwait(false);
        await SaveCoreAsync(aggregate, expected, cancellationToken).ConfigureAwait(false);
        return aggregate;
    }

    /// <summary>Rebuilds the aggregate from its stream, or returns null when the stream does not exist. The result has no pending changes.</summary>
    public async Task<TAggregate?> LoadAsync(StreamId id, CancellationToken cancellationToken = default)
    {
        id.ThrowIfDefault(nameof(id));
        var telemetry = LoadTelemetry.Start(id, typeof(TAggregate).Name);
        try
        {
            if (_snapshots is not null && await LoadFromSnapshotAsync(id, cancellationToken).ConfigureAwait(false) is ({ } restored, var snapshotVersion))
            {
                telemetry.Loaded(restored.Version, restored.Version - snapshotVersion, fromSnapshot: true);
                return restored;
            }

            TAggregate? aggregate = null;
            await foreach (var (version, @event) in ReadEventsAsync(id, 1, cancellationToken).ConfigureAwait(false))
            {
                aggregate ??= CreateFor(id);
                aggregate.Replay(@event, version);
            }

            telemetry.Loaded(aggregate?.Version ?? 0, aggregate?.Version ?? 0, fromSnapshot: false);
            return aggregate;
        }
        catch (Exception ex)
        {
            telemetry.Failed(ex);
            throw;
        }
    }

    /// <summary>
    /// Saves the aggregate's pending changes, expecting the stream to be at <see cref="Aggregate.Version"/>
    /// (no stream at all for a version of 0). Does nothing when there are no changes.
    /// </summary>
    /// <exception cref="ConcurrencyException">The stream moved on since the aggregate was loaded.</exception>
    public Task SaveAsync(TAggregate aggregate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(aggregate);
        aggregate.Id.ThrowIfDefault(nameof(aggregate));
        var expected = aggregate.Version == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(aggregate.Version);
        return SaveCoreAsync(aggregate, expected, cancellationToken);
    }

    private async Task SaveCoreAsync(TAggregate aggregate, ExpectedVersion expected, CancellationToken cancellationToken)
    {
        if (aggregate.Changes.Count == 0)
        {
            return;
        }

        var changes = aggregate.Changes.ToArray();
        var result = _options.Publish
            ? await _store.PublishAsync(aggregate.Id, changes, expected, cancellationToken).ConfigureAwait(false)
            : await _store.AppendAsync(aggregate.Id, changes, expected, cancellationToken).ConfigureAwait(false);
        var previousVersion = aggregate.Version;
        aggregate.MarkSaved(result.StreamVersion);

        var every = _options.SnapshotEvery;
        if (_snapshots is not null && aggregate is ISnapshotable snapshotable && previousVersion / every != result.StreamVersion / every)
        {
            await SaveSnapshotAsync(aggregate.Id, snapshotable, result.StreamVersion, changes[^1].Id, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stores a snapshot after the events committed. Nothing here may fail the save: the caller would retry a write
    /// that succeeded and apply its change twice. So a snapshot that cannot be written or stored is skipped, and a
    /// cancellation that arrives after the commit skips it too rather than reporting the save as cancelled.
    /// </summary>
    private async Task SaveSnapshotAsync(StreamId id, ISnapshotable aggregate, long version, Guid eventId, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return;
        }

        try
        {
            // Writing the state can fail too (a NaN, or a string that UTF-8 cannot hold): that is also only a lost shortcut.
            var buffer = new ArrayBufferWriter<byte>(256);
            await using (var writer = new Utf8JsonWriter(buffer))
            {
                aggregate.WriteSnapshot(writer);
            }

            var snapshot = new StoredSnapshot(version, eventId, aggregate.SnapshotType, aggregate.SnapshotFingerprint, buffer.WrittenMemory.ToArray());
            await _snapshots!.SaveSnapshotAsync(id, snapshot, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The events are committed; a snapshot is only a shortcut for loading (the next one may be stored). This
            // includes OperationCanceledException: the save itself is done.
        }
    }

    // The aggregate rebuilt from its latest snapshot plus the events after it, or null when there is no usable snapshot:
    // none, another type or shape, unreadable JSON, or a stream that no longer holds the event it was taken at.
    // (A plain comment: the compiler would put a private member's XML docs in the shipped documentation file.)
    // Also the snapshot's version, for the count of events replayed after it.
    private async Task<(TAggregate? Aggregate, long SnapshotVersion)> LoadFromSnapshotAsync(StreamId id, CancellationToken cancellationToken)
    {
        var aggregate = CreateFor(id);
        if (aggregate is not ISnapshotable snapshotable
            || await _snapshots!.LoadSnapshotAsync(id, cancellationToken).ConfigureAwait(false) is not { } snapshot
            || snapshot.Type != snapshotable.SnapshotType
            || snapshot.Fingerprint != snapshotable.SnapshotFingerprint)
        {
            return default;
        }

        try
        {
            snapshotable.ReadSnapshot(snapshot.Payload.Span);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or OverflowException)
        {
            return default; // written by an older shape the fingerprint did not catch: rebuild from events
        }

        var anchored = false;
        await foreach (var (version, @event) in ReadEventsAsync(id, snapshot.Version, cancellationToken).ConfigureAwait(false))
        {
            if (!anchored)
            {
                // The snapshot is valid only if the stream still holds the very event it was taken at.
                if (version != snapshot.Version || @event.Id != snapshot.EventId)
                {
                    return default;
                }

                aggregate.Version = snapshot.Version;
                anchored = true;
                continue;
            }

            aggregate.Replay(@event, version);
        }

        return anchored ? (aggregate, snapshot.Version) : default;
    }

    /// <summary>The stream's events from <paramref name="fromVersion"/>, the cheaper way when the store has one.</summary>
    private IAsyncEnumerable<VersionedEvent> ReadEventsAsync(StreamId id, long fromVersion, CancellationToken cancellationToken)
        => _store is IStreamEventReader reader
            ? reader.ReadStreamEventsAsync(id, fromVersion, cancellationToken)
            : FromRecordedAsync(_store.ReadStreamAsync(id, fromVersion, cancellationToken: cancellationToken));

    private static async IAsyncEnumerable<VersionedEvent> FromRecordedAsync(IAsyncEnumerable<RecordedEvent> recorded)
    {
        await foreach (var e in recorded.ConfigureAwait(false))
        {
            yield return new VersionedEvent(e.Version, e.Event);
        }
    }

    private static TAggregate CreateFor(StreamId id)
    {
        var aggregate = TAggregate.Create();
        aggregate.Id = id;
        return aggregate;
    }
}
