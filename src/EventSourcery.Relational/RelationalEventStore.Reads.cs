using System.Runtime.CompilerServices;
using EventSourcery.PersonalData;
using EventSourcery.Relational.Storage;
using EventSourcery.Storage;

namespace EventSourcery;

// Reading: streams, the rebuild reader, ReadAll, and the wait for appends.
public abstract partial class RelationalEventStore
{
    /// <inheritdoc />
    /// <remarks>
    /// Completes on the next append this store instance (through any view) commits by itself, or at once when one it
    /// committed earlier is still stored after <paramref name="afterPosition"/> in this view. Appends inside a user's
    /// transaction, and writers on other connections or in other processes, are found by the subscription's polling.
    /// </remarks>
    async Task IAppendSignal.WaitForAppendAsync(long afterPosition, CancellationToken cancellationToken)
    {
        var (next, lastAppended) = _shared.Signal.Observe(_tenant);
        if (lastAppended > afterPosition)
        {
            // Something this instance appended lies after that position, unless its stream was deleted since (by
            // anyone): look, so that a subscriber never spins on events that are gone.
            var head = await ReadHeadPositionAsync(cancellationToken).ConfigureAwait(false);
            if (head > afterPosition)
            {
                return;
            }

            _shared.Signal.Lower(_tenant, lastAppended, head);
        }

        await next.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RecordedEvent> ReadStreamAsync(StreamId streamId, long fromVersion = 1, long toVersion = long.MaxValue, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        AppendGuard.ThrowIfDefault(streamId, nameof(streamId));
        ArgumentOutOfRangeException.ThrowIfLessThan(fromVersion, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fromVersion, toVersion);
        var stream = StreamKey.From(streamId, _tenant);
        var storage = _shared.Storage;
        var pageBytes = _shared.Options.PageBytes;
        StreamId? stored = null;
        var next = fromVersion;
        var telemetry = ReadTelemetry.Start(storage.DbSystem, streamId, fromVersion, _tenant, storage.IsServer);
        long read = 0;
        try
        {
            while (true)
            {
                // One page at a time under the gate; the gate is never held while the caller consumes events.
                var from = next;
                var (page, full, _) = await RunAsync((session, ct) => storage.ReadStreamPageAsync(session, stream, from, toVersion, pageBytes, ct), cancellationToken).ConfigureAwait(false);
                foreach (var row in page)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    stored ??= RowMaterializer.WithStoredName(streamId, row.StreamName);
                    var recorded = await MaterializeAsync(row, stored, streamIds: null, cancellationToken).ConfigureAwait(false);
                    read++;
                    yield return recorded;
                }

                if (!full || page[^1].Version >= toVersion)
                {
                    yield break;
                }

                next = page[^1].Version + 1;
            }
        }
        finally
        {
            telemetry.Ended(read);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<VersionedEvent> ReadStreamEventsAsync(StreamId streamId, long fromVersion = 1, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        AppendGuard.ThrowIfDefault(streamId, nameof(streamId));
        ArgumentOutOfRangeException.ThrowIfLessThan(fromVersion, 1);
        var stream = StreamKey.From(streamId, _tenant);
        var storage = _shared.Storage;
        var pageBytes = _shared.Options.PageBytes;
        var rows = _rows;
        ReadStreamRow read = (in StoredStreamEventRow row) =>
        {
            try
            {
                return new VersionedEvent(row.Version, rows.ReadEvent(streamId, row));
            }
            catch (PersonalDataKeyNeededException need)
            {
                // Ends the page here; the loop below loads the key and reads on from this row.
                throw new EventReadException(streamId, row.Version, row.Position, row.EventName, need.Message, need);
            }
            catch (Exception ex) when (ex is not EventReadException and not OperationCanceledException)
            {
                throw new EventReadException(streamId, row.Version, row.Position, row.EventName, $"the stored row is corrupt: {ex.Message}", ex);
            }
        };

        var next = fromVersion;
        long? keyLoadedAt = null; // the row a subject's key was last loaded for: a second miss there fails it
        while (true)
        {
            var from = next;
            var (page, full, failure) = await RunAsync((session, ct) => storage.ReadStreamEventsPageAsync(session, stream, from, pageBytes, read, ct), cancellationToken).ConfigureAwait(false);
            foreach (var e in page)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return e;
            }

            if (failure is { InnerException: PersonalDataKeyNeededException need } && failure.Version != keyLoadedAt)
            {
                await PersonalData.LoadKeyAsync(need.TenantId, need.Subject, cancellationToken).ConfigureAwait(false);
                keyLoadedAt = failure.Version;
                next = failure.Version;
                continue;
            }

            if (failure is not null)
            {
                throw failure.Position > 0 ? failure : await WithPositionAsync(streamId, failure, cancellationToken).ConfigureAwait(false);
            }

            if (!full)
            {
                yield break;
            }

            next = page[^1].Version + 1;
        }
    }

    /// <summary>
    /// The failure of a lean read whose provider does not send positions (PostgreSQL's, see
    /// <see cref="RelationalStorage.ReadStreamEventsPageAsync"/>), as the full read of the same row reports it: with its
    /// position. Should the row read in between (repaired, or its key loaded meanwhile), the lean read's failure stands.
    /// </summary>
    private async Task<EventReadException> WithPositionAsync(StreamId streamId, EventReadException failure, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var _ in ReadStreamAsync(streamId, failure.Version, failure.Version, cancellationToken).ConfigureAwait(false))
            {
            }
        }
        catch (EventReadException named) when (named.Version == failure.Version)
        {
            return named;
        }

        return failure;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Where the store's operations run side by side (<see cref="RelationalExecutor.RunsSideBySide"/>: PostgreSQL over a
    /// data source), the next page is fetched while the caller handles the current one, as Marten's daemon does: a
    /// catch-up waits for the server and materializes events at the same time instead of in turns. At most one page is
    /// read ahead, never past the safe bound the current page was read under.
    /// </remarks>
    public async IAsyncEnumerable<RecordedEvent> ReadAllAsync(long afterPosition = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterPosition);
        var after = afterPosition;
        var pageBytes = _shared.Options.PageBytes;
        var storage = _shared.Storage;
        var tenant = _tenant;
        var streamIds = new RowMaterializer.StreamIdMemo();
        var readAhead = _shared.Executor.RunsSideBySide;
        Task<RowPage<StoredEventRow>>? ahead = null;

        // Where positions commit out of order, pages stay at or below a safe bound; one bound serves every page up to it.
        var bound = storage.GlobalReadsNeedBound ? 0L : long.MaxValue;
        try
        {
            while (true)
            {
                var from = after;
                if (ahead is null && bound <= from)
                {
                    if (await RunAsync((session, ct) => storage.ReadSafeBoundAsync(session, tenant, from, ct), cancellationToken).ConfigureAwait(false) is not { } safe)
                    {
                        yield break; // nothing committed past the reader
                    }

                    bound = safe;
                }

                var (page, full, _) = await (ahead ?? ReadAllPage(from)).ConfigureAwait(false);
                ahead = null;
                if (readAhead && full && page[^1].Position < bound)
                {
                    ahead = ReadAllPage(page[^1].Position);
                }

                streamIds.Clear();
                foreach (var row in page)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    yield return await MaterializeAsync(row, streamId: null, streamIds, cancellationToken).ConfigureAwait(false);
                }

                if (!full)
                {
                    yield break;
                }

                after = page[^1].Position;
            }
        }
        finally
        {
            if (ahead is not null)
            {
                // The caller stopped early or failed: let the page read ahead finish (one statement) and drop it and its
                // error, so that no read outlives the enumeration on a rented connection.
                await ((Task)ahead).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                _ = ahead.Exception; // observed
            }
        }

        Task<RowPage<StoredEventRow>> ReadAllPage(long from)
        {
            var upTo = bound;
            return RunAsync((session, ct) => storage.ReadAllPageAsync(session, tenant, from, upTo, pageBytes, ct), cancellationToken);
        }
    }
}
