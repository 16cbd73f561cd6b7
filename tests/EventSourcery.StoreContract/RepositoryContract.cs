namespace EventSourcery.StoreContract;

/// <summary>
/// The behaviour of <see cref="Repository{TAggregate}"/> over a store. A store's test project derives a class from it
/// and supplies a fresh, empty store per test.
/// </summary>
public abstract class RepositoryContract
{
    /// <summary>A new, empty store for one test.</summary>
    protected abstract Task<IEventStore> CreateStoreAsync();

    /// <summary>The positions of the events the store has put in its outbox, in order.</summary>
    protected abstract Task<IReadOnlyList<long>> ReadOutboxPositionsAsync(IEventStore store);

    [SkippableFact]
    public async Task New_saves_the_emitted_events_and_load_rebuilds_the_aggregate()
    {
        var store = await CreateStoreAsync();
        var switches = new Repository<LightSwitch>(store);
        var id = StreamId.New("light_switch");

        var created = await switches.NewAsync(id, s =>
        {
            s.TurnOn();
            s.AddNote("installed");
        });
        var loaded = await switches.LoadAsync(id);

        Assert.Equal(id, created.Id);
        Assert.Equal(2, created.Version);
        Assert.Empty(created.Changes);
        Assert.NotNull(loaded);
        Assert.NotSame(created, loaded);
        Assert.Equal(id, loaded.Id);
        Assert.True(loaded.IsOn);
        Assert.Equal(["installed"], loaded.Notes);
        Assert.Equal(2, loaded.Version);
        Assert.Empty(loaded.Changes);
        Assert.Equal(["TurnedOn", "NoteAdded"], (await Read.StreamAsync(store, id)).Select(e => e.EventName));
    }

    [SkippableFact]
    public async Task Update_loads_changes_and_saves()
    {
        var store = await CreateStoreAsync();
        var switches = new Repository<LightSwitch>(store);
        var id = StreamId.New();
        await switches.NewAsync(id, s => s.TurnOn());

        var updated = await switches.UpdateAsync(id, s => s.TurnOff());
        var loaded = await switches.LoadAsync(id);

        Assert.False(updated.IsOn);
        Assert.Equal(2, updated.Version);
        Assert.Empty(updated.Changes);
        Assert.NotNull(loaded);
        Assert.False(loaded.IsOn);
        Assert.Equal(2, loaded.Version);
        Assert.Equal([1L, 2], (await Read.StreamAsync(store, id)).Select(e => e.Version));
    }

    [SkippableFact]
    public async Task A_loaded_aggregate_has_no_changes_and_the_stream_version()
    {
        var store = await CreateStoreAsync();
        var switches = new Repository<LightSwitch>(store);
        var id = StreamId.New();
        await switches.NewAsync(id, s => s.TurnOn());
        await switches.UpdateAsync(id, s => s.TurnOff());
        await switches.UpdateAsync(id, s =>
        {
            s.TurnOn();
            s.AddNote("one");
            s.AddNote("two");
        });

        var loaded = await switches.LoadAsync(id);

        Assert.NotNull(loaded);
        Assert.Equal(5, loaded.Version);
        Assert.Empty(loaded.Changes);
        Assert.True(loaded.IsOn);
        Assert.Equal(["one", "two"], loaded.Notes);
    }

    [SkippableFact]
    public async Task Load_of_a_missing_stream_returns_null()
    {
        var store = await CreateStoreAsync();
        var switches = new Repository<LightSwitch>(store);
        await switches.NewAsync(StreamId.New(), s => s.TurnOn());

        Assert.Null(await switches.LoadAsync(StreamId.New()));
    }

    [SkippableFact]
    public async Task Update_of_a_missing_stream_throws_StreamNotFoundException()
    {
        var store = await CreateStoreAsync();
        var switches = new Repository<LightSwitch>(store);
        var id = StreamId.New("light_switch");
        var ran = false;

        var ex = await Assert.ThrowsAsync<StreamNotFoundException>(() => switches.UpdateAsync(id, s => { ran = true; s.TurnOn(); }));

        Assert.Equal(id, ex.StreamId);
        Assert.False(ran);
        Assert.Empty(await Read.StreamAsync(store, id));
    }

    [SkippableFact]
    public async Task New_on_an_existing_stream_throws_ConcurrencyException()
    {
        var store = await CreateStoreAsync();
        var switches = new Repository<LightSwitch>(store);
        var id = StreamId.New();
        await switches.NewAsync(id, s => s.TurnOn());

        var ex = await Assert.ThrowsAsync<ConcurrencyException>(() => switches.NewAsync(id, s => s.TurnOn()));

        Assert.Equal(id, ex.StreamId);
        Assert.Equal(ExpectedVersion.NoStream, ex.Expected);
        Assert.Equal(1, ex.Actual);
        Assert.Single(await Read.StreamAsync(store, id));
    }

    [SkippableFact]
    public async Task A_domain_exception_in_update_propagates_unwrapped_and_saves_nothing()
    {
        var store = await CreateStoreAsync();
        var switches = new Repository<LightSwitch>(store);
        var id = StreamId.New();
        await switches.NewAsync(id, s => s.TurnOn());

        // The note is emitted before the rule fails: it must not be saved either.
        await Assert.ThrowsAsync<LightSwitch.AlreadyTurnedOn>(() => switches.UpdateAsync(id, s =>
        {
            s.AddNote("before the failure");
            s.TurnOn();
        }));

        var read = await Read.StreamAsync(store, id);
        Assert.IsType<TurnedOn>(Assert.Single(read).Event);
    }

    [SkippableFact]
    public async Task A_domain_exception_in_new_propagates_unwrapped_and_creates_no_stream()
    {
        var store = await CreateStoreAsync();
        var switches = new Repository<LightSwitch>(store);
        var id = StreamId.New();

        await Assert.ThrowsAsync<LightSwitch.AlreadyTurnedOff>(() => switches.NewAsync(id, s =>
        {
            s.AddNote("doomed");
            s.TurnOff();
        }));

        Assert.Null(await switches.LoadAsync(id));
        Assert.Empty(await Read.AllAsync(store));
    }

    [SkippableFact]
    public async Task Interleaved_updates_make_the_second_save_fail_with_ConcurrencyException()
    {
        var store = await CreateStoreAsync();
        var switches = new Repository<LightSwitch>(store);
        var id = StreamId.New();
        await switches.NewAsync(id, s => s.TurnOn());

        var a = await switches.LoadAsync(id);
        var b = await switches.LoadAsync(id);
        Assert.NotNull(a);
        Assert.NotNull(b);
        a.TurnOff();
        await switches.SaveAsync(a);
        b.AddNote("stale");
        var ex = await Assert.ThrowsAsync<ConcurrencyException>(() => switches.SaveAsync(b));

        Assert.Equal(id, ex.StreamId);
        Assert.Equal(ExpectedVersion.Exactly(1), ex.Expected);
        Assert.Equal(2, ex.Actual);
        Assert.Equal(2, a.Version);
        Assert.Single(b.Changes);
        var loaded = await switches.LoadAsync(id);
        Assert.NotNull(loaded);
        Assert.False(loaded.IsOn);
        Assert.Empty(loaded.Notes);
        Assert.Equal(2, loaded.Version);
    }

    [SkippableFact]
    public async Task Update_at_an_expected_version_saves_when_the_stream_is_still_there()
    {
        var store = await CreateStoreAsync();
        var switches = new Repository<LightSwitch>(store);
        var id = StreamId.New("light_switch");
        var etag = (await switches.NewAsync(id, s => s.TurnOn())).Version;

        var updated = await switches.UpdateAsync(id, etag, s => s.AddNote("if-match"));
        var again = await switches.UpdateAsync(id, updated.Version, async (s, ct) => { await Task.Yield(); s.TurnOff(); });

        Assert.Equal(3, again.Version);
        Assert.False((await switches.LoadAsync(id))!.IsOn);
    }

    [SkippableFact]
    public async Task Update_at_a_stale_expected_version_throws_before_the_change_runs()
    {
        var store = await CreateStoreAsync();
        var switches = new Repository<LightSwitch>(store);
        var id = StreamId.New("light_switch");
        await switches.NewAsync(id, s => s.TurnOn());
        await switches.UpdateAsync(id, s => s.AddNote("someone else"));
        var ran = false;

        var ex = await Assert.ThrowsAsync<ConcurrencyException>(() => switches.UpdateAsync(id, 1, s => { ran = true; s.TurnOff(); }));

        Assert.Equal((id, ExpectedVersion.Exactly(1), (long?)2), (ex.StreamId, ex.Expected, ex.Actual));
        Assert.False(ran);
        Assert.Equal(2, (await switches.LoadAsync(id))!.Version);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => switches.UpdateAsync(id, 0, s => s.TurnOff()));
        await Assert.ThrowsAsync<StreamNotFoundException>(() => switches.UpdateAsync(StreamId.New("light_switch"), 1, s => s.TurnOff()));
    }

    [SkippableFact]
    public async Task Update_at_an_expected_version_is_never_retried_even_with_ConflictRetries()
    {
        var store = await CreateStoreAsync();
        var switches = new Repository<LightSwitch>(store, new RepositoryOptions { ConflictRetries = 3 });
        var id = StreamId.New("light_switch");
        await switches.NewAsync(id, s => s.TurnOn());
        var runs = 0;

        var ex = await Assert.ThrowsAsync<ConcurrencyException>(() => switches.UpdateAsync(id, 1, async (s, ct) =>
        {
            runs++;
            await store.AppendAsync(id, [new NoteAdded("in between", 1, DateTimeOffset.UnixEpoch)], ExpectedVersion.Any, ct);
            s.TurnOff();
        }));

        Assert.Equal(1, runs);
        Assert.Equal(2, ex.Actual);
    }

    [SkippableFact]
    public async Task ConflictRetries_reloads_and_runs_the_change_again_after_a_lost_race()
    {
        var store = await CreateStoreAsync();
        var switches = new Repository<LightSwitch>(store, new RepositoryOptions { ConflictRetries = 2 });
        var id = StreamId.New("light_switch");
        await switches.NewAsync(id, s => s.TurnOn());
        var seen = new List<int>();

        var saved = await switches.UpdateAsync(id, async (s, ct) =>
        {
            seen.Add(s.Notes.Count);
            if (seen.Count == 1)
            {
                await store.AppendAsync(id, [new NoteAdded("someone else", 1, DateTimeOffset.UnixEpoch)], ExpectedVersion.Any, ct);
            }

            s.AddNote("mine");
        });

        Assert.Equal([0, 1], seen); // the second run saw the other writer's note
        Assert.Equal(3, saved.Version);
        Assert.Equal(["someone else", "mine"], (await switches.LoadAsync(id))!.Notes);
    }

    [SkippableFact]
    public async Task ConflictRetries_gives_up_with_the_last_ConcurrencyException_and_zero_never_retries()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New("light_switch");
        await new Repository<LightSwitch>(store).NewAsync(id, s => s.TurnOn());

        foreach (var retries in new[] { 0, 2 })
        {
            var runs = 0;
            var switches = new Repository<LightSwitch>(store, new RepositoryOptions { ConflictRetries = retries });
            await Assert.ThrowsAsync<ConcurrencyException>(() => switches.UpdateAsync(id, async (s, ct) =>
            {
                runs++;
                await store.AppendAsync(id, [new NoteAdded("always first", runs, DateTimeOffset.UnixEpoch)], ExpectedVersion.Any, ct);
                s.AddNote("never saved");
            }));

            Assert.Equal(retries + 1, runs);
        }

        Assert.DoesNotContain("never saved", (await new Repository<LightSwitch>(store).LoadAsync(id))!.Notes);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RepositoryOptions { ConflictRetries = -1 });
    }

    [SkippableFact]
    public async Task The_asynchronous_change_overloads_save_what_they_emit()
    {
        var store = await CreateStoreAsync();
        var switches = new Repository<LightSwitch>(store);
        var id = StreamId.New();
        using var source = new CancellationTokenSource();
        CancellationToken seen = default;

        await switches.NewAsync(
            id,
            async (s, ct) =>
            {
                await Task.Yield();
                seen = ct;
                s.TurnOn();
            },
            source.Token);
        var updated = await switches.UpdateAsync(id, async (s, ct) =>
        {
            await Task.Delay(1, ct);
            s.TurnOff();
        });

        Assert.Equal(source.Token, seen);
        Assert.Equal(2, updated.Version);
        Assert.Equal(["TurnedOn", "TurnedOff"], (await Read.StreamAsync(store, id)).Select(e => e.EventName));
    }

    [SkippableFact]
    public async Task An_asynchronous_domain_exception_propagates_unwrapped()
    {
        var store = await CreateStoreAsync();
        var switches = new Repository<LightSwitch>(store);
        var id = StreamId.New();
        await switches.NewAsync(id, s => s.TurnOn());

        await Assert.ThrowsAsync<LightSwitch.AlreadyTurnedOn>(() => switches.UpdateAsync(id, async (s, _) =>
        {
            await Task.Yield();
            s.TurnOn();
        }));

        Assert.Single(await Read.StreamAsync(store, id));
    }

    [SkippableFact]
    public async Task An_update_that_emits_nothing_writes_nothing()
    {
        var store = await CreateStoreAsync();
        var switches = new Repository<LightSwitch>(store);
        var id = StreamId.New();
        await switches.NewAsync(id, s => s.TurnOn());

        var unchanged = await switches.UpdateAsync(id, _ => { });

        Assert.Equal(1, unchanged.Version);
        Assert.Single(await Read.AllAsync(store));
    }

    [SkippableFact]
    public async Task Publish_option_puts_saved_events_in_the_outbox()
    {
        var store = await CreateStoreAsync();
        var publishing = new Repository<LightSwitch>(store, new RepositoryOptions { Publish = true });
        var plain = new Repository<LightSwitch>(store);
        var published = StreamId.New();
        var appended = StreamId.New();

        await publishing.NewAsync(published, s => s.TurnOn());
        await publishing.UpdateAsync(published, s => s.TurnOff());
        await plain.NewAsync(appended, s => s.TurnOn());

        var expected = (await Read.StreamAsync(store, published)).Select(e => e.Position);
        Assert.Equal(expected, await ReadOutboxPositionsAsync(store));
        Assert.Equal(2, expected.Count());
    }

    [SkippableFact]
    public async Task A_default_id_is_rejected()
    {
        var store = await CreateStoreAsync();
        var switches = new Repository<LightSwitch>(store);

        var create = await Assert.ThrowsAsync<ArgumentException>(() => switches.NewAsync(default, s => s.TurnOn()));
        var load = await Assert.ThrowsAsync<ArgumentException>(() => switches.LoadAsync(default));

        Assert.Equal("id", create.ParamName);
        Assert.Equal("id", load.ParamName);
    }
}
