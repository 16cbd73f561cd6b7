namespace EventSourcery.StoreContract;

/// <summary>
/// Tenant views: every operation of one view is blind to every other view's streams, in both directions, and the
/// same stream id may exist in each.
/// </summary>
public abstract class TenantContract
{
    /// <summary>A new, empty store for one test.</summary>
    protected abstract Task<IEventStore> CreateStoreAsync();

    /// <summary>The positions of the events <paramref name="view"/> has put in its outbox, in order.</summary>
    protected abstract Task<IReadOnlyList<long>> ReadOutboxPositionsAsync(IEventStore view);

    [SkippableTheory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("acme corp")]
    [InlineData("acme/evil")]
    [InlineData("tenant'; DROP TABLE es_events; --")]
    public async Task Invalid_tenant_ids_are_rejected(string? tenantId)
    {
        var store = await CreateStoreAsync();
        var ex = Assert.ThrowsAny<ArgumentException>(() => store.ForTenant(tenantId!));
        Assert.Equal("tenantId", ex.ParamName);
    }

    [SkippableFact]
    public async Task Too_long_tenant_ids_are_rejected()
    {
        var store = await CreateStoreAsync();
        Assert.Throws<ArgumentException>(() => store.ForTenant(new string('a', TenantId.MaxLength + 1)));
        Assert.NotNull(store.ForTenant(new string('a', TenantId.MaxLength)));
    }

    [SkippableFact]
    public async Task The_same_stream_id_is_a_separate_stream_in_each_view()
    {
        var store = await CreateStoreAsync();
        var (acme, globex) = (store.ForTenant("acme"), store.ForTenant("globex"));
        var id = StreamId.New("light_switch");

        await store.AppendAsync(id, [new NoteAdded("default", 1, DateTimeOffset.UnixEpoch)], ExpectedVersion.NoStream);
        await acme.AppendAsync(id, [new NoteAdded("acme", 1, DateTimeOffset.UnixEpoch), new NoteAdded("acme", 2, DateTimeOffset.UnixEpoch)], ExpectedVersion.NoStream);
        await globex.AppendAsync(id, [new NoteAdded("globex", 1, DateTimeOffset.UnixEpoch)], ExpectedVersion.NoStream);

        Assert.Equal(["default"], await TextsAsync(store, id));
        Assert.Equal(["acme", "acme"], await TextsAsync(acme, id));
        Assert.Equal(["globex"], await TextsAsync(globex, id));

        // Versions are per view: each view's expectation sees only its own stream.
        await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.Exactly(1));
        await acme.AppendAsync(id, [new TurnedOn()], ExpectedVersion.Exactly(2));
        var conflict = await Assert.ThrowsAsync<ConcurrencyException>(async () => await globex.AppendAsync(id, [new TurnedOn()], ExpectedVersion.Exactly(3)));
        Assert.Equal(1, conflict.Actual);
    }

    [SkippableFact]
    public async Task A_tenant_stream_is_invisible_to_the_default_view_and_to_other_tenants()
    {
        var store = await CreateStoreAsync();
        var (acme, globex) = (store.ForTenant("acme"), store.ForTenant("globex"));
        var id = StreamId.New();
        await acme.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);

        foreach (var other in new[] { store, globex })
        {
            Assert.Empty(await ReadAsync(other.ReadStreamAsync(id)));
            Assert.Empty(await ReadAsync(other.ReadAllAsync()));
            Assert.False(await other.DeleteStreamAsync(id));
            var conflict = await Assert.ThrowsAsync<ConcurrencyException>(async () => await other.AppendAsync(id, [new TurnedOff()], ExpectedVersion.Exactly(1)));
            Assert.Null(conflict.Actual);
        }

        // Nothing the other views did touched acme's stream.
        var only = Assert.Single(await ReadAsync(acme.ReadStreamAsync(id)));
        Assert.IsType<TurnedOn>(only.Event);
    }

    [SkippableFact]
    public async Task Default_streams_are_invisible_to_tenants()
    {
        var store = await CreateStoreAsync();
        var acme = store.ForTenant("acme");
        var id = StreamId.New();
        await store.AppendAsync(id, [new TurnedOn(), new TurnedOff()], ExpectedVersion.NoStream);

        Assert.Empty(await ReadAsync(acme.ReadStreamAsync(id)));
        Assert.Empty(await ReadAsync(acme.ReadAllAsync()));
        Assert.False(await acme.DeleteStreamAsync(id));
        Assert.Equal(2, (await ReadAsync(store.ReadStreamAsync(id))).Count);
    }

    [SkippableFact]
    public async Task ReadAll_of_a_view_holds_its_own_events_in_position_order_with_its_tenant_id()
    {
        var store = await CreateStoreAsync();
        var (acme, globex) = (store.ForTenant("acme"), store.ForTenant("globex"));
        for (var i = 0; i < 3; i++)
        {
            await acme.AppendAsync(StreamId.New(), [new NoteAdded("acme", i, DateTimeOffset.UnixEpoch)], ExpectedVersion.NoStream);
            await globex.AppendAsync(StreamId.New(), [new NoteAdded("globex", i, DateTimeOffset.UnixEpoch)], ExpectedVersion.NoStream);
            await store.AppendAsync(StreamId.New(), [new NoteAdded("default", i, DateTimeOffset.UnixEpoch)], ExpectedVersion.NoStream);
        }

        var acmeEvents = await ReadAsync(acme.ReadAllAsync());
        Assert.Equal(3, acmeEvents.Count);
        Assert.All(acmeEvents, e => Assert.Equal("acme", e.TenantId));
        Assert.All(acmeEvents, e => Assert.Equal("acme", ((NoteAdded)e.Event).Text));
        Assert.Equal(acmeEvents.Select(e => e.Position).Order(), acmeEvents.Select(e => e.Position));

        var defaultEvents = await ReadAsync(store.ReadAllAsync());
        Assert.Equal(3, defaultEvents.Count);
        Assert.All(defaultEvents, e => Assert.Null(e.TenantId));

        // afterPosition is exclusive within a view too.
        var globexEvents = await ReadAsync(globex.ReadAllAsync());
        var tail = await ReadAsync(globex.ReadAllAsync(globexEvents[0].Position));
        Assert.Equal([1, 2], tail.Select(e => ((NoteAdded)e.Event).Count));
    }

    [SkippableFact]
    public async Task Deleting_in_one_view_leaves_the_same_stream_of_other_views()
    {
        var store = await CreateStoreAsync();
        var (acme, globex) = (store.ForTenant("acme"), store.ForTenant("globex"));
        var id = StreamId.New();
        foreach (var view in new[] { store, acme, globex })
        {
            await view.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);
        }

        Assert.True(await acme.DeleteStreamAsync(id));

        Assert.Empty(await ReadAsync(acme.ReadStreamAsync(id)));
        Assert.Single(await ReadAsync(globex.ReadStreamAsync(id)));
        Assert.Single(await ReadAsync(store.ReadStreamAsync(id)));

        Assert.True(await store.DeleteStreamAsync(id));
        Assert.Single(await ReadAsync(globex.ReadStreamAsync(id)));
    }

    [SkippableFact]
    public async Task Tenant_ids_are_case_sensitive()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New();
        await store.ForTenant("Acme").AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);
        Assert.Empty(await ReadAsync(store.ForTenant("acme").ReadStreamAsync(id)));
    }

    [SkippableFact]
    public async Task A_view_of_a_view_is_the_other_tenant()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New();
        await store.ForTenant("globex").AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);
        Assert.Single(await ReadAsync(store.ForTenant("acme").ForTenant("globex").ReadStreamAsync(id)));
    }

    [SkippableFact]
    public async Task Each_view_has_its_own_outbox_entries()
    {
        var store = await CreateStoreAsync();
        var acme = store.ForTenant("acme");
        var acmeResult = await acme.PublishAsync(StreamId.New(), [new TurnedOn()], ExpectedVersion.NoStream);
        var defaultResult = await store.PublishAsync(StreamId.New(), [new TurnedOff()], ExpectedVersion.NoStream);

        Assert.Equal([acmeResult.LastPosition], await ReadOutboxPositionsAsync(acme));
        Assert.Equal([defaultResult.LastPosition], await ReadOutboxPositionsAsync(store));
        Assert.Empty(await ReadOutboxPositionsAsync(store.ForTenant("globex")));
    }

    [SkippableFact]
    public async Task Snapshots_are_per_view()
    {
        var store = await CreateStoreAsync();
        var acme = store.ForTenant("acme");
        var id = StreamId.New();
        await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);
        await acme.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);

        await ((ISnapshotStore)acme).SaveSnapshotAsync(id, new StoredSnapshot(1, Guid.NewGuid(), "T", "f", "{}"u8.ToArray()));

        Assert.NotNull(await ((ISnapshotStore)acme).LoadSnapshotAsync(id));
        Assert.Null(await ((ISnapshotStore)store).LoadSnapshotAsync(id));
        Assert.Null(await ((ISnapshotStore)store.ForTenant("globex")).LoadSnapshotAsync(id));
    }

    [SkippableFact]
    public async Task A_repository_over_a_view_sees_only_that_view()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New("light_switch");
        var acmeSwitches = new Repository<LightSwitch>(store.ForTenant("acme"));
        var defaultSwitches = new Repository<LightSwitch>(store);

        await acmeSwitches.NewAsync(id, s => s.TurnOn());
        Assert.Null(await defaultSwitches.LoadAsync(id));
        await defaultSwitches.NewAsync(id, s => s.AddNote("default"));

        var acmeSwitch = await acmeSwitches.LoadAsync(id);
        Assert.NotNull(acmeSwitch);
        Assert.True(acmeSwitch.IsOn);
        Assert.Empty(acmeSwitch.Notes);
    }

    private static async Task<List<string>> TextsAsync(IEventStore store, StreamId id)
        => (await ReadAsync(store.ReadStreamAsync(id))).Select(e => ((NoteAdded)e.Event).Text).ToList();

    private static async Task<List<RecordedEvent>> ReadAsync(IAsyncEnumerable<RecordedEvent> events)
    {
        var list = new List<RecordedEvent>();
        await foreach (var e in events)
        {
            list.Add(e);
        }

        return list;
    }
}
