namespace EventSourcery.StoreContract;

/// <summary>
/// <see cref="EventStoreContract"/> plus durability, for stores whose data outlives the store object (not the in-memory one).
/// </summary>
public abstract class DurableEventStoreContract : EventStoreContract
{
    /// <summary>Disposes <paramref name="store"/> and opens a new store over the same data.</summary>
    protected abstract Task<IEventStore> ReopenAsync(IEventStore store);

    [SkippableFact]
    public async Task Everything_written_survives_closing_and_reopening_the_store()
    {
        var store = await CreateStoreAsync();
        var kept = StreamId.FromName("kept", "light_switch");
        var deleted = StreamId.New();
        var note = new NoteAdded("durable", 7, new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.FromHours(9)).AddTicks(7))
        {
            Metadata = new EventMetadata { CorrelationId = Guid.NewGuid(), Extra = new Dictionary<string, string> { ["k"] = "v" } },
        };
        await store.AppendAsync(kept, [new TurnedOn(), note], ExpectedVersion.NoStream);
        await store.PublishAsync(deleted, [new TurnedOn()], ExpectedVersion.NoStream);
        var last = await store.PublishAsync(kept, [new TurnedOff()], ExpectedVersion.Exactly(2));
        await store.DeleteStreamAsync(deleted, ExpectedVersion.Exactly(1));
        var before = await ReadAllAsync(store);

        var reopened = await ReopenAsync(store);

        var after = await ReadAllAsync(reopened);
        Assert.Equal(before.Select(e => (e.StreamId, e.Version, e.Position, e.EventName, e.RecordedAt)), after.Select(e => (e.StreamId, e.Version, e.Position, e.EventName, e.RecordedAt)));
        Assert.Equal(before.Select(e => e.Event), after.Select(e => e.Event));
        var readNote = Assert.IsType<NoteAdded>(after[1].Event);
        Assert.Equal(note.At.Offset, readNote.At.Offset);
        Assert.Equal(note.CreatedAt.Offset, readNote.CreatedAt.Offset);
        Assert.Equal("kept", after[0].StreamId.Name);
        Assert.Empty(await ReadStreamAsync(reopened, deleted));
        Assert.Equal(2, (await ReadOutboxPositionsAsync(reopened)).Count);

        // The reopened store carries on where the old one stopped: versions continue, positions are not reused.
        var next = await reopened.AppendAsync(kept, [new TurnedOn()], ExpectedVersion.Exactly(3));
        await Assert.ThrowsAsync<ConcurrencyException>(() => reopened.AppendAsync(kept, [new TurnedOn()], ExpectedVersion.Exactly(3)).AsTask());
        Assert.Equal(4, next.StreamVersion);
        Assert.True(next.LastPosition > last.LastPosition);
    }
}
