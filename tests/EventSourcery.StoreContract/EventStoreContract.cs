namespace EventSourcery.StoreContract;

/// <summary>
/// The behaviour every <see cref="IEventStore"/> must have. A store's test project derives a class from it and
/// supplies a fresh, empty store per test.
/// </summary>
public abstract class EventStoreContract
{
    /// <summary>A new, empty store for one test.</summary>
    protected abstract Task<IEventStore> CreateStoreAsync();

    /// <summary>
    /// A second writer on the same data as <paramref name="store"/>: another instance (another connection) where the
    /// store supports it, otherwise the same instance.
    /// </summary>
    protected virtual Task<IEventStore> CreateSecondWriterAsync(IEventStore store) => Task.FromResult(store);

    /// <summary>The positions of the events the store has put in its outbox, in order.</summary>
    protected abstract Task<IReadOnlyList<long>> ReadOutboxPositionsAsync(IEventStore store);

    // ---- round trip -------------------------------------------------------------------------------------------

    [SkippableFact]
    public async Task Append_then_read_round_trips_every_property()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New("light_switch");
        var original = new NoteAdded("naïve café ☕ \"quoted\" \\ back", 42, new DateTimeOffset(2023, 12, 31, 23, 59, 58, TimeSpan.FromHours(-7)).AddTicks(1_234_567))
        {
            CreatedAt = new DateTimeOffset(2024, 2, 29, 13, 14, 15, TimeSpan.FromMinutes(330)).AddTicks(9_876_543),
            Metadata = new EventMetadata
            {
                CorrelationId = Guid.NewGuid(),
                CausationId = Guid.NewGuid(),
                Extra = new Dictionary<string, string> { ["user"] = "ada", ["trace parent"] = "00-ab-cd-01", ["ünïcode"] = "✓" },
            },
        };

        var before = DateTimeOffset.UtcNow;
        var result = await store.AppendAsync(id, [original], ExpectedVersion.NoStream);
        var after = DateTimeOffset.UtcNow;

        var recorded = Assert.Single(await ReadStreamAsync(store, id));
        Assert.Equal(id, recorded.StreamId);
        Assert.Equal(1, recorded.Version);
        Assert.Equal(result.LastPosition, recorded.Position);
        Assert.True(recorded.Position > 0);
        Assert.Equal("NoteAdded", recorded.EventName);
        Assert.Equal(1, recorded.SchemaVersion);
        Assert.Null(recorded.TenantId);
        Assert.InRange(recorded.RecordedAt, before, after);
        Assert.Equal(TimeSpan.Zero, recorded.RecordedAt.Offset);

        var read = Assert.IsType<NoteAdded>(recorded.Event);
        Assert.NotSame(original, read);
        Assert.Equal(original, read); // record equality: Id, CreatedAt, Metadata (with Extra), Text, Count, At
        Assert.Equal(original.Id, read.Id);
        Assert.Equal(original.CreatedAt.Ticks, read.CreatedAt.Ticks);
        Assert.Equal(original.CreatedAt.Offset, read.CreatedAt.Offset);
        Assert.Equal(original.At.Ticks, read.At.Ticks);
        Assert.Equal(original.At.Offset, read.At.Offset);
        Assert.Equal(original.Metadata.CorrelationId, read.Metadata.CorrelationId);
        Assert.Equal(original.Metadata.CausationId, read.Metadata.CausationId);
        Assert.Equal(original.Metadata.Extra.OrderBy(p => p.Key, StringComparer.Ordinal), read.Metadata.Extra.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [SkippableFact]
    public async Task Events_without_metadata_read_back_with_empty_metadata()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New();
        var original = new TurnedOn();

        await store.AppendAsync(id, [original], ExpectedVersion.Any);

        var read = Assert.IsType<TurnedOn>(Assert.Single(await ReadStreamAsync(store, id)).Event);
        Assert.Equal(original, read);
        Assert.Null(read.Metadata.CorrelationId);
        Assert.Null(read.Metadata.CausationId);
        Assert.Empty(read.Metadata.Extra);
    }

    [SkippableFact]
    public async Task Read_back_stream_id_keeps_category_and_name()
    {
        var store = await CreateStoreAsync();
        var named = StreamId.FromName("kitchen", "light_switch");
        var plain = StreamId.New();

        await store.AppendAsync(named, [new TurnedOn()], ExpectedVersion.NoStream);
        await store.AppendAsync(plain, [new TurnedOn()], ExpectedVersion.NoStream);

        var all = await ReadAllAsync(store);
        Assert.Equal(2, all.Count);
        Assert.Equal(named, all[0].StreamId);
        Assert.Equal("light_switch", all[0].StreamId.Category);
        Assert.Equal("kitchen", all[0].StreamId.Name);
        Assert.Equal(plain, all[1].StreamId);
        Assert.Null(all[1].StreamId.Category);
        Assert.Null(all[1].StreamId.Name);
    }

    // ---- versions and positions -------------------------------------------------------------------------------

    [SkippableFact]
    public async Task Versions_start_at_one_and_stay_contiguous_across_appends()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New();
        Event[] first = [new TurnedOn(), new TurnedOff(), new TurnedOn()];
        Event[] second = [new NoteAdded("a", 1, DateTimeOffset.UtcNow), new TurnedOff()];

        var r1 = await store.AppendAsync(id, first, ExpectedVersion.NoStream);
        var r2 = await store.AppendAsync(id, second, r1.NextExpectedVersion);

        var read = await ReadStreamAsync(store, id);
        Assert.Equal([1L, 2, 3, 4, 5], read.Select(e => e.Version));
        Assert.Equal(first.Concat(second).Select(e => e.Id), read.Select(e => e.Event.Id));
        Assert.Equal(first.Concat(second), read.Select(e => e.Event));
        Assert.Equal(3, r1.StreamVersion);
        Assert.Equal(5, r2.StreamVersion);
        Assert.Equal(read[2].Position, r1.LastPosition);
        Assert.Equal(read[4].Position, r2.LastPosition);
        Assert.Equal(ExpectedVersion.Exactly(5), r2.NextExpectedVersion);
    }

    [SkippableFact]
    public async Task Positions_are_positive_and_strictly_increase_across_streams()
    {
        var store = await CreateStoreAsync();
        var a = StreamId.New("a");
        var b = StreamId.New("b");
        var appended = new List<(StreamId Stream, Event Event)>();
        for (var i = 0; i < 5; i++)
        {
            var ea = new TurnedOn();
            var eb = new NoteAdded($"b{i}", i, DateTimeOffset.UtcNow);
            await store.AppendAsync(a, [ea], ExpectedVersion.Any);
            await store.AppendAsync(b, [eb], ExpectedVersion.Any);
            appended.Add((a, ea));
            appended.Add((b, eb));
        }

        var all = await ReadAllAsync(store);
        Assert.Equal(appended.Select(x => x.Event.Id), all.Select(e => e.Event.Id));
        Assert.Equal(appended.Select(x => x.Stream), all.Select(e => e.StreamId));
        Assert.True(all[0].Position > 0);
        for (var i = 1; i < all.Count; i++)
        {
            Assert.True(all[i].Position > all[i - 1].Position, $"position {all[i].Position} follows {all[i - 1].Position}");
        }

        Assert.Equal([1L, 2, 3, 4, 5], all.Where(e => e.StreamId == a).Select(e => e.Version));
        Assert.Equal([1L, 2, 3, 4, 5], all.Where(e => e.StreamId == b).Select(e => e.Version));
    }

    [SkippableFact]
    public async Task Read_all_after_a_position_is_exclusive()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New();
        await store.AppendAsync(id, [new TurnedOn(), new TurnedOff(), new TurnedOn(), new TurnedOff()], ExpectedVersion.NoStream);
        var all = await ReadAllAsync(store);

        var afterSecond = await ReadAllAsync(store, all[1].Position);
        var afterLast = await ReadAllAsync(store, all[^1].Position);
        var fromZero = await ReadAllAsync(store, 0);

        Assert.Equal(all.Skip(2).Select(e => e.Position), afterSecond.Select(e => e.Position));
        Assert.Empty(afterLast);
        Assert.Equal(all.Select(e => e.Position), fromZero.Select(e => e.Position));
        Assert.Equal(4, all.Count);
    }

    [SkippableFact]
    public async Task Read_all_rejects_a_negative_position()
    {
        var store = await CreateStoreAsync();

        var ex = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ReadAllAsync(store, -1));
        Assert.Equal("afterPosition", ex.ParamName);
    }

    [SkippableFact]
    public async Task Reads_more_events_than_fit_in_one_page()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New();
        var other = StreamId.New();
        var events = Enumerable.Range(0, 1_234).Select(i => (Event)new NoteAdded($"n{i}", i, DateTimeOffset.UtcNow)).ToArray();
        await store.AppendAsync(id, events[..600], ExpectedVersion.NoStream);
        await store.AppendAsync(other, [new TurnedOn()], ExpectedVersion.NoStream);
        await store.AppendAsync(id, events[600..], ExpectedVersion.Exactly(600));

        var stream = await ReadStreamAsync(store, id);
        var range = await ReadStreamAsync(store, id, 499, 1_001);
        var all = await ReadAllAsync(store);

        Assert.Equal(events.Select(e => e.Id), stream.Select(e => e.Event.Id));
        Assert.Equal(Enumerable.Range(1, 1_234).Select(v => (long)v), stream.Select(e => e.Version));
        Assert.Equal(Enumerable.Range(499, 503).Select(v => (long)v), range.Select(e => e.Version));
        Assert.Equal(1_235, all.Count);
        Assert.Equal(all.Select(e => e.Position).Order(), all.Select(e => e.Position));
        Assert.Equal(all.Count, all.Select(e => e.Position).Distinct().Count());
    }

    // ---- version ranges ---------------------------------------------------------------------------------------

    [SkippableTheory]
    [InlineData(1, long.MaxValue, new long[] { 1, 2, 3, 4, 5 })]
    [InlineData(2, 4, new long[] { 2, 3, 4 })]
    [InlineData(4, long.MaxValue, new long[] { 4, 5 })]
    [InlineData(1, 2, new long[] { 1, 2 })]
    [InlineData(3, 3, new long[] { 3 })]
    [InlineData(3, 100, new long[] { 3, 4, 5 })]
    [InlineData(5, 5, new long[] { 5 })]
    [InlineData(6, long.MaxValue, new long[0])]
    [InlineData(50, 60, new long[0])]
    public async Task Read_stream_returns_the_inclusive_version_range(long from, long to, long[] expected)
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New();
        await store.AppendAsync(id, [new TurnedOn(), new TurnedOff(), new TurnedOn(), new TurnedOff(), new TurnedOn()], ExpectedVersion.NoStream);

        var read = await ReadStreamAsync(store, id, from, to);

        Assert.Equal(expected, read.Select(e => e.Version));
    }

    [SkippableFact]
    public async Task Read_stream_rejects_from_greater_than_to()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New();
        await store.AppendAsync(id, [new TurnedOn(), new TurnedOff()], ExpectedVersion.NoStream);

        var ex = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ReadStreamAsync(store, id, 2, 1));
        Assert.Equal("fromVersion", ex.ParamName);
    }

    [SkippableTheory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task Read_stream_rejects_versions_below_one(long from)
    {
        var store = await CreateStoreAsync();

        var ex = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ReadStreamAsync(store, StreamId.New(), from));
        Assert.Equal("fromVersion", ex.ParamName);
    }

    [SkippableFact]
    public async Task A_missing_stream_reads_as_empty()
    {
        var store = await CreateStoreAsync();
        await store.AppendAsync(StreamId.New(), [new TurnedOn()], ExpectedVersion.NoStream);

        Assert.Empty(await ReadStreamAsync(store, StreamId.New()));
        Assert.Empty(await ReadStreamAsync(store, StreamId.New("light_switch"), 3, 9));
    }

    // ---- expected versions ------------------------------------------------------------------------------------

    [SkippableFact]
    public async Task Any_creates_a_stream_and_appends_to_an_existing_one()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New();

        var created = await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.Any);
        var appended = await store.AppendAsync(id, [new TurnedOff()], ExpectedVersion.Any);
        var omitted = await store.AppendAsync(id, [new TurnedOn()], default);

        Assert.Equal(1, created.StreamVersion);
        Assert.Equal(2, appended.StreamVersion);
        Assert.Equal(3, omitted.StreamVersion);
        Assert.Equal(3, (await ReadStreamAsync(store, id)).Count);
    }

    [SkippableFact]
    public async Task NoStream_creates_a_new_stream()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New();

        var result = await store.AppendAsync(id, [new TurnedOn(), new TurnedOff()], ExpectedVersion.NoStream);

        Assert.Equal(2, result.StreamVersion);
        Assert.Equal(2, (await ReadStreamAsync(store, id)).Count);
    }

    [SkippableFact]
    public async Task NoStream_on_an_existing_stream_throws_with_the_actual_version_and_writes_nothing()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New("light_switch");
        await store.AppendAsync(id, [new TurnedOn(), new TurnedOff()], ExpectedVersion.NoStream);

        var ex = await Assert.ThrowsAsync<ConcurrencyException>(() => store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream).AsTask());

        Assert.Equal(id, ex.StreamId);
        Assert.Equal(ExpectedVersion.NoStream, ex.Expected);
        Assert.Equal(2, ex.Actual);
        Assert.Equal(2, (await ReadStreamAsync(store, id)).Count);
        Assert.Equal(2, (await ReadAllAsync(store)).Count);
    }

    [SkippableFact]
    public async Task Exactly_the_current_version_appends()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New();
        await store.AppendAsync(id, [new TurnedOn(), new TurnedOff()], ExpectedVersion.NoStream);

        var result = await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.Exactly(2));

        Assert.Equal(3, result.StreamVersion);
        Assert.Equal([1L, 2, 3], (await ReadStreamAsync(store, id)).Select(e => e.Version));
    }

    [SkippableTheory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(100)]
    public async Task Exactly_a_wrong_version_throws_with_the_actual_version_and_writes_nothing(long expected)
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New();
        await store.AppendAsync(id, [new TurnedOn(), new TurnedOff()], ExpectedVersion.NoStream);

        var ex = await Assert.ThrowsAsync<ConcurrencyException>(() => store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.Exactly(expected)).AsTask());

        Assert.Equal(id, ex.StreamId);
        Assert.Equal(ExpectedVersion.Exactly(expected), ex.Expected);
        Assert.Equal(2, ex.Actual);
        Assert.Equal(2, (await ReadStreamAsync(store, id)).Count);
    }

    [SkippableFact]
    public async Task Exactly_on_a_missing_stream_throws_with_a_null_actual_version()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New();

        var ex = await Assert.ThrowsAsync<ConcurrencyException>(() => store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.Exactly(1)).AsTask());

        Assert.Equal(id, ex.StreamId);
        Assert.Equal(ExpectedVersion.Exactly(1), ex.Expected);
        Assert.Null(ex.Actual);
        Assert.Empty(await ReadStreamAsync(store, id));
        Assert.Empty(await ReadAllAsync(store));
    }

    [SkippableFact]
    public async Task Two_concurrent_writers_with_the_same_expectation_one_wins_and_one_gets_a_concurrency_exception()
    {
        var store = await CreateStoreAsync();
        var second = await CreateSecondWriterAsync(store);
        var id = StreamId.New("race");
        const int Rounds = 25;

        for (var round = 0; round < Rounds; round++)
        {
            var expected = round == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(round);
            var a = Task.Run(() => store.AppendAsync(id, [new NoteAdded("a", round, DateTimeOffset.UtcNow)], expected).AsTask());
            var b = Task.Run(() => second.AppendAsync(id, [new NoteAdded("b", round, DateTimeOffset.UtcNow)], expected).AsTask());
            try
            {
                await Task.WhenAll(a, b);
            }
            catch (ConcurrencyException)
            {
                // inspected below
            }

            var outcomes = new[] { a, b };
            var winner = Assert.Single(outcomes, t => t.IsCompletedSuccessfully);
            var loser = Assert.Single(outcomes, t => !t.IsCompletedSuccessfully);
            Assert.Equal(round + 1, winner.Result.StreamVersion);
            var ex = Assert.IsType<ConcurrencyException>(loser.Exception!.InnerException);
            Assert.Equal(id, ex.StreamId);
            Assert.Equal(expected, ex.Expected);
            Assert.Equal(round + 1, ex.Actual);
        }

        var read = await ReadStreamAsync(store, id);
        Assert.Equal(Enumerable.Range(1, Rounds).Select(v => (long)v), read.Select(e => e.Version));
        Assert.Equal(Enumerable.Range(0, Rounds), read.Select(e => ((NoteAdded)e.Event).Count));
        Assert.Equal(Rounds, (await ReadAllAsync(store)).Count);
    }

    // ---- categories -------------------------------------------------------------------------------------------

    [SkippableFact]
    public async Task The_same_guid_in_two_categories_is_two_streams()
    {
        var store = await CreateStoreAsync();
        var guid = Guid.NewGuid();
        var lights = new StreamId(guid, "light_switch");
        var doors = new StreamId(guid, "door");
        var bare = new StreamId(guid);

        await store.AppendAsync(lights, [new TurnedOn()], ExpectedVersion.NoStream);
        await store.AppendAsync(doors, [new TurnedOff(), new TurnedOn()], ExpectedVersion.NoStream);
        await store.AppendAsync(bare, [new NoteAdded("bare", 1, DateTimeOffset.UtcNow)], ExpectedVersion.NoStream);

        var lightEvents = await ReadStreamAsync(store, lights);
        var doorEvents = await ReadStreamAsync(store, doors);
        var bareEvents = await ReadStreamAsync(store, bare);
        Assert.IsType<TurnedOn>(Assert.Single(lightEvents).Event);
        Assert.Equal([1L, 2], doorEvents.Select(e => e.Version));
        Assert.IsType<NoteAdded>(Assert.Single(bareEvents).Event);
        Assert.All(doorEvents, e => Assert.Equal(doors, e.StreamId));
        Assert.Equal([lights, doors, doors, bare], (await ReadAllAsync(store)).Select(e => e.StreamId));
    }

    // ---- delete -----------------------------------------------------------------------------------------------

    [SkippableFact]
    public async Task Delete_removes_the_stream_and_its_events_from_read_all()
    {
        var store = await CreateStoreAsync();
        var doomed = StreamId.New();
        var kept = StreamId.New();
        await store.AppendAsync(doomed, [new TurnedOn(), new TurnedOff()], ExpectedVersion.NoStream);
        await store.AppendAsync(kept, [new TurnedOn()], ExpectedVersion.NoStream);

        var deleted = await store.DeleteStreamAsync(doomed, ExpectedVersion.Exactly(2));

        Assert.True(deleted);
        Assert.Empty(await ReadStreamAsync(store, doomed));
        var all = await ReadAllAsync(store);
        Assert.Equal(kept, Assert.Single(all).StreamId);
        Assert.Single(await ReadStreamAsync(store, kept));
    }

    [SkippableFact]
    public async Task A_deleted_stream_starts_afresh_with_NoStream_and_never_reuses_positions()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New();
        var old = await store.AppendAsync(id, [new TurnedOn(), new TurnedOff()], ExpectedVersion.NoStream);
        await store.DeleteStreamAsync(id);

        var reborn = await store.AppendAsync(id, [new NoteAdded("again", 1, DateTimeOffset.UtcNow)], ExpectedVersion.NoStream);

        Assert.Equal(1, reborn.StreamVersion);
        Assert.True(reborn.LastPosition > old.LastPosition);
        var read = Assert.Single(await ReadStreamAsync(store, id));
        Assert.Equal(1, read.Version);
        Assert.IsType<NoteAdded>(read.Event);
        Assert.Equal(reborn.LastPosition, Assert.Single(await ReadAllAsync(store)).Position);
    }

    [SkippableFact]
    public async Task Delete_with_a_wrong_expected_version_throws_and_keeps_the_stream()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New();
        await store.AppendAsync(id, [new TurnedOn(), new TurnedOff()], ExpectedVersion.NoStream);

        var wrong = await Assert.ThrowsAsync<ConcurrencyException>(() => store.DeleteStreamAsync(id, ExpectedVersion.Exactly(1)).AsTask());
        var noStream = await Assert.ThrowsAsync<ConcurrencyException>(() => store.DeleteStreamAsync(id, ExpectedVersion.NoStream).AsTask());

        Assert.Equal(id, wrong.StreamId);
        Assert.Equal(ExpectedVersion.Exactly(1), wrong.Expected);
        Assert.Equal(2, wrong.Actual);
        Assert.Equal(2, noStream.Actual);
        Assert.Equal(2, (await ReadStreamAsync(store, id)).Count);
        Assert.Equal(2, (await ReadAllAsync(store)).Count);
    }

    [SkippableFact]
    public async Task Delete_of_a_missing_stream_returns_false_or_throws_when_a_version_was_expected()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New();

        Assert.False(await store.DeleteStreamAsync(id));
        Assert.False(await store.DeleteStreamAsync(id, ExpectedVersion.NoStream));
        var ex = await Assert.ThrowsAsync<ConcurrencyException>(() => store.DeleteStreamAsync(id, ExpectedVersion.Exactly(1)).AsTask());
        Assert.Null(ex.Actual);
        Assert.Equal(id, ex.StreamId);
    }

    // ---- arguments and failures -------------------------------------------------------------------------------

    [SkippableFact]
    public async Task A_default_stream_id_is_rejected_naming_the_parameter()
    {
        var store = await CreateStoreAsync();

        var append = await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(default, [new TurnedOn()], ExpectedVersion.Any).AsTask());
        var publish = await Assert.ThrowsAsync<ArgumentException>(() => store.PublishAsync(default, [new TurnedOn()], ExpectedVersion.Any).AsTask());
        var read = await Assert.ThrowsAsync<ArgumentException>(() => ReadStreamAsync(store, default));
        var delete = await Assert.ThrowsAsync<ArgumentException>(() => store.DeleteStreamAsync(default).AsTask());

        Assert.All([append, publish, read, delete], ex => Assert.Equal("streamId", ex.ParamName));
        Assert.Empty(await ReadAllAsync(store));
    }

    [SkippableFact]
    public async Task Empty_null_or_null_holding_event_lists_are_rejected_naming_the_parameter()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New();

        var empty = await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(id, [], ExpectedVersion.Any).AsTask());
        var nullElement = await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(id, [new TurnedOn(), null!], ExpectedVersion.Any).AsTask());
        var nullList = await Assert.ThrowsAsync<ArgumentNullException>(() => store.AppendAsync(id, null!, ExpectedVersion.Any).AsTask());
        var publishEmpty = await Assert.ThrowsAsync<ArgumentException>(() => store.PublishAsync(id, [], ExpectedVersion.Any).AsTask());

        Assert.All([empty, nullElement, nullList, publishEmpty], ex => Assert.Equal("events", ex.ParamName));
        Assert.Empty(await ReadStreamAsync(store, id));
        Assert.Empty(await ReadAllAsync(store));
    }

    [SkippableFact]
    public async Task An_unregistered_event_type_is_refused_and_nothing_is_written()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New();

        var alone = await Assert.ThrowsAsync<UnknownEventTypeException>(() => store.AppendAsync(id, [new NeverRegistered("test")], ExpectedVersion.Any).AsTask());
        var mixed = await Assert.ThrowsAsync<UnknownEventTypeException>(() => store.PublishAsync(id, [new TurnedOn(), new NeverRegistered("test")], ExpectedVersion.Any).AsTask());

        Assert.Equal(typeof(NeverRegistered), alone.EventType);
        Assert.Equal(typeof(NeverRegistered), mixed.EventType);
        Assert.Empty(await ReadStreamAsync(store, id));
        Assert.Empty(await ReadAllAsync(store));
        Assert.Empty(await ReadOutboxPositionsAsync(store));
        Assert.Equal(1, (await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream)).StreamVersion);
    }

    [SkippableFact]
    public async Task An_event_larger_than_the_default_limit_is_refused_naming_it_and_nothing_is_written()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New("note");
        var limit = Serialization.EventSerializer.DefaultMaxEventBytes;
        var fits = new NoteAdded(new string('x', limit - 100), 1, DateTimeOffset.UnixEpoch);
        var tooLarge = new NoteAdded(new string('x', limit), 2, DateTimeOffset.UnixEpoch);

        var ex = await Assert.ThrowsAsync<EventTooLargeException>(() => store.PublishAsync(id, [new TurnedOn(), tooLarge], ExpectedVersion.NoStream).AsTask());

        Assert.Equal(id, ex.StreamId);
        Assert.Equal(tooLarge.Id, ex.EventId);
        Assert.Equal(nameof(NoteAdded), ex.EventName);
        Assert.Equal(limit, ex.Limit);
        Assert.True(ex.Size > limit);
        Assert.Contains(id.ToString(), ex.Message, StringComparison.Ordinal);
        Assert.Empty(await ReadStreamAsync(store, id));
        Assert.Empty(await ReadOutboxPositionsAsync(store));
        Assert.Equal(1, (await store.AppendAsync(id, [fits], ExpectedVersion.NoStream)).StreamVersion);
        Assert.Equal(fits.Text, Assert.IsType<NoteAdded>(Assert.Single(await ReadStreamAsync(store, id)).Event).Text);
    }

    [SkippableFact]
    public async Task A_cancelled_append_throws_and_writes_nothing()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.Any, cancelled.Token).AsTask());

        Assert.Empty(await ReadStreamAsync(store, id));
    }

    [SkippableFact]
    public async Task A_cancelled_read_throws()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New();
        await store.AppendAsync(id, [new TurnedOn(), new TurnedOff()], ExpectedVersion.Any);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ReadStreamAsync(store, id, cancellationToken: cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ReadAllAsync(store, cancellationToken: cancelled.Token));
    }

    // ---- outbox -----------------------------------------------------------------------------------------------

    [SkippableFact]
    public async Task Publish_appends_and_puts_exactly_its_events_in_the_outbox()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New();

        await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);
        var published = await store.PublishAsync(id, [new TurnedOff(), new TurnedOn()], ExpectedVersion.Exactly(1));
        await store.AppendAsync(id, [new TurnedOff()], ExpectedVersion.Exactly(3));

        var read = await ReadStreamAsync(store, id);
        Assert.Equal(4, read.Count);
        Assert.Equal(3, published.StreamVersion);
        Assert.Equal([read[1].Position, read[2].Position], await ReadOutboxPositionsAsync(store));
    }

    [SkippableFact]
    public async Task A_failing_publish_writes_no_outbox_entry()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New();
        await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);

        await Assert.ThrowsAsync<ConcurrencyException>(() => store.PublishAsync(id, [new TurnedOff()], ExpectedVersion.NoStream).AsTask());
        await Assert.ThrowsAsync<ConcurrencyException>(() => store.PublishAsync(id, [new TurnedOff()], ExpectedVersion.Exactly(5)).AsTask());

        Assert.Empty(await ReadOutboxPositionsAsync(store));
        Assert.Single(await ReadStreamAsync(store, id));
    }

    [SkippableFact]
    public async Task Outbox_entries_outlive_a_deleted_stream()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New();
        var published = await store.PublishAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);

        await store.DeleteStreamAsync(id);

        Assert.Equal([published.LastPosition], await ReadOutboxPositionsAsync(store));
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    /// <summary>
    /// An event no registry knows: the generator registers only events that assembly-level code can name, so a
    /// private nested record stays unregistered and a store must refuse it with <see cref="UnknownEventTypeException"/>.
    /// </summary>
    private sealed record NeverRegistered(string Reason) : Event;

    /// <summary>Reads a whole stream (or a version range) into a list.</summary>
    protected static async Task<List<RecordedEvent>> ReadStreamAsync(IEventStore store, StreamId id, long fromVersion = 1, long toVersion = long.MaxValue, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var events = new List<RecordedEvent>();
        await foreach (var e in store.ReadStreamAsync(id, fromVersion, toVersion, cancellationToken))
        {
            events.Add(e);
        }

        return events;
    }

    /// <summary>Reads every event after <paramref name="afterPosition"/> into a list.</summary>
    protected static async Task<List<RecordedEvent>> ReadAllAsync(IEventStore store, long afterPosition = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var events = new List<RecordedEvent>();
        await foreach (var e in store.ReadAllAsync(afterPosition, cancellationToken))
        {
            events.Add(e);
        }

        return events;
    }
}
