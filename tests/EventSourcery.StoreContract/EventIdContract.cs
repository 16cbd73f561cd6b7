namespace EventSourcery.StoreContract;

/// <summary>
/// Event ids are unique per store, and an append retried after it committed (the connection dropped mid-commit, say)
/// returns the original result instead of storing the events twice, the way EventStoreDB's appends are idempotent.
/// </summary>
public abstract class EventIdContract
{
    /// <summary>A new, empty store for one test.</summary>
    protected abstract Task<IEventStore> CreateStoreAsync();

    /// <summary>The positions of the entries in the outbox of <paramref name="store"/>'s view.</summary>
    protected abstract Task<IReadOnlyList<long>> ReadOutboxPositionsAsync(IEventStore store);

    [SkippableFact]
    public async Task The_same_event_twice_in_one_append_is_refused_and_nothing_is_written()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New("light");
        var on = new TurnedOn();

        var twice = await Assert.ThrowsAsync<DuplicateEventIdException>(() => store.AppendAsync(id, [on, new TurnedOff(), on], ExpectedVersion.NoStream).AsTask());
        var copy = await Assert.ThrowsAsync<DuplicateEventIdException>(() => store.PublishAsync(id, [on, on with { }], ExpectedVersion.NoStream).AsTask());

        Assert.Equal((id, on.Id, (StreamId?)null), (twice.StreamId, twice.EventId, twice.StoredIn));
        Assert.Equal(on.Id, copy.EventId);
        Assert.Contains(on.Id.ToString(), twice.Message, StringComparison.Ordinal);
        Assert.Empty(await Read.StreamAsync(store, id));
        Assert.Empty(await ReadOutboxPositionsAsync(store));
    }

    [SkippableTheory]
    [InlineData("no stream")]
    [InlineData("exactly")]
    [InlineData("any")]
    public async Task A_retried_append_that_committed_returns_the_original_result_and_stores_nothing_more(string expectation)
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New("light");
        await store.AppendAsync(StreamId.New("other"), [new TurnedOn()], ExpectedVersion.NoStream);
        var expected = ExpectedVersion.NoStream;
        if (expectation != "no stream")
        {
            await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);
            expected = expectation == "exactly" ? ExpectedVersion.Exactly(1) : ExpectedVersion.Any;
        }

        Event[] batch = [new TurnedOff(), new TurnedOn()];
        var original = await store.PublishAsync(id, batch, expected);
        var retried = await store.PublishAsync(id, batch, expected);
        var retriedAsAppend = await store.AppendAsync(id, batch, expected);

        Assert.Equal(original, retried);
        Assert.Equal(original, retriedAsAppend);
        var stream = await Read.StreamAsync(store, id);
        Assert.Equal(batch.Select(e => e.Id), stream.TakeLast(2).Select(e => e.Event.Id));
        Assert.Equal(original.StreamVersion, stream.Count);
        Assert.Equal(original.LastPosition, (await Read.AllAsync(store))[^1].Position);
        Assert.Equal(2, (await ReadOutboxPositionsAsync(store)).Count); // the retry queued nothing more
    }

    [SkippableFact]
    public async Task The_tail_of_a_committed_append_retried_at_its_place_is_a_retry_too()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New("light");
        Event[] batch = [new TurnedOn(), new TurnedOff()];
        var original = await store.AppendAsync(id, batch, ExpectedVersion.NoStream);

        var tail = await store.AppendAsync(id, [batch[1]], ExpectedVersion.Exactly(1));

        Assert.Equal(original, tail);
        Assert.Equal(2, (await Read.StreamAsync(store, id)).Count);
    }

    [SkippableFact]
    public async Task An_id_stored_elsewhere_is_refused_naming_the_id_and_where_it_is_stored()
    {
        var store = await CreateStoreAsync();
        var first = StreamId.New("light");
        var second = StreamId.New("light");
        var on = new TurnedOn();
        await store.AppendAsync(first, [new TurnedOff(), on], ExpectedVersion.NoStream);

        var elsewhere = await Assert.ThrowsAsync<DuplicateEventIdException>(() => store.PublishAsync(second, [new TurnedOff(), on], ExpectedVersion.Any).AsTask());
        var sameStreamElsewhere = await Assert.ThrowsAsync<DuplicateEventIdException>(() => store.AppendAsync(first, [on], ExpectedVersion.Exactly(2)).AsTask());
        var extended = await Assert.ThrowsAsync<DuplicateEventIdException>(() => store.AppendAsync(first, [on, new TurnedOff()], ExpectedVersion.Exactly(1)).AsTask());

        Assert.Equal((second, on.Id, (StreamId?)first, 2L), (elsewhere.StreamId, elsewhere.EventId, elsewhere.StoredIn, elsewhere.StoredVersion));
        Assert.Contains(first.ToString(), elsewhere.Message, StringComparison.Ordinal);
        Assert.Equal(first, sameStreamElsewhere.StoredIn);
        Assert.Equal(on.Id, extended.EventId);
        Assert.Empty(await Read.StreamAsync(store, second));
        Assert.Equal(2, (await Read.StreamAsync(store, first)).Count);
        Assert.Empty(await ReadOutboxPositionsAsync(store));
    }

    [SkippableFact]
    public async Task Ids_are_unique_across_tenants_and_free_again_once_their_stream_is_deleted()
    {
        var store = await CreateStoreAsync();
        var acme = store.ForTenant("acme");
        var id = StreamId.New("light");
        var on = new TurnedOn();
        await acme.AppendAsync(id, [on], ExpectedVersion.NoStream);

        var across = await Assert.ThrowsAsync<DuplicateEventIdException>(() => store.AppendAsync(id, [on], ExpectedVersion.NoStream).AsTask());
        Assert.Equal(on.Id, across.EventId);
        Assert.Empty(await Read.StreamAsync(store, id));

        Assert.True(await acme.DeleteStreamAsync(id));
        Assert.Equal(1, (await store.AppendAsync(id, [on], ExpectedVersion.NoStream)).StreamVersion);
    }

    [SkippableFact]
    public async Task A_stale_expectation_with_new_ids_is_still_a_concurrency_error()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New("light");
        await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);

        var ex = await Assert.ThrowsAsync<ConcurrencyException>(() => store.AppendAsync(id, [new TurnedOff()], ExpectedVersion.NoStream).AsTask());

        Assert.Equal(1, ex.Actual);
    }
}
