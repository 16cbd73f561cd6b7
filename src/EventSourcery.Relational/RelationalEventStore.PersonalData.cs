using EventSourcery.PersonalData;
using EventSourcery.Relational.Storage;
using EventSourcery.Serialization;

namespace EventSourcery;

// Personal data: shredding, and the subjects' keys a read loads before it decrypts.
public abstract partial class RelationalEventStore
{
    /// <summary>The keys of the data subjects' personal data, shared by every view (each keeps its tenant's keys apart).</summary>
    public PersonalDataProtector PersonalData => _shared.Serializer.Protector!;

    /// <inheritdoc />
    public ValueTask<bool> ShredAsync(string subject, CancellationToken cancellationToken = default)
        => PersonalData.ShredAsync(_recordedTenant, subject, cancellationToken);

    /// <inheritdoc cref="IPersonalDataStore.ShredAsync"/>
    public ValueTask<bool> ShredAsync(Guid subject, CancellationToken cancellationToken = default) => ShredAsync(subject.ToString(), cancellationToken);

    /// <inheritdoc />
    public async ValueTask RenewSubjectKeyAsync(string subject, CancellationToken cancellationToken = default)
        => await PersonalData.RenewKeyAsync(_recordedTenant, subject, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// A row as a recorded event, loading its subject's key first when its personal data needs one that is not
    /// cached; a key that still cannot be found after loading fails the row, naming it.
    /// </summary>
    private ValueTask<RecordedEvent> MaterializeAsync(StoredEventRow row, StreamId? streamId, RowMaterializer.StreamIdMemo? streamIds, CancellationToken cancellationToken)
    {
        try
        {
            return new(_rows.Materialize(row, streamId, streamIds: streamIds));
        }
        catch (PersonalDataKeyNeededException need)
        {
            return AfterKeyAsync(need, row, streamId, streamIds, cancellationToken);
        }
    }

    private async ValueTask<RecordedEvent> AfterKeyAsync(PersonalDataKeyNeededException need, StoredEventRow row, StreamId? streamId, RowMaterializer.StreamIdMemo? streamIds, CancellationToken cancellationToken)
    {
        await PersonalData.LoadKeyAsync(need.TenantId, need.Subject, cancellationToken).ConfigureAwait(false);
        try
        {
            return _rows.Materialize(row, streamId, streamIds: streamIds);
        }
        catch (PersonalDataKeyNeededException again)
        {
            throw new EventReadException(streamId ?? default, row.Version, row.Position, row.EventName, $"the key of data subject '{again.Subject}' could not be loaded.", again);
        }
    }

    /// <summary>An outbox row as an entry, loading its subject's key first when needed (see <see cref="MaterializeAsync"/>).</summary>
    private async ValueTask<List<OutboxEntry>> MaterializeEntriesAsync(List<StoredOutboxRow> rows, CancellationToken cancellationToken)
    {
        var entries = new List<OutboxEntry>(rows.Count);
        foreach (var row in rows)
        {
            OutboxEntry entry;
            try
            {
                entry = _rows.MaterializeEntry(row);
            }
            catch (PersonalDataKeyNeededException need)
            {
                await PersonalData.LoadKeyAsync(need.TenantId, need.Subject, cancellationToken).ConfigureAwait(false);
                entry = _rows.MaterializeEntry(row, keyLoaded: true);
            }

            entries.Add(entry);
        }

        return entries;
    }
}
