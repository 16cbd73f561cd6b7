using EventSourcery.Serialization;
using EventSourcery.StoreContract;

namespace EventSourcery.Sqlite.Tests;

public sealed class SqliteOptionsTests
{
    [Fact]
    public async Task Recorded_times_come_from_the_time_provider_exactly()
    {
        await using var db = new TempDatabase();
        var now = new DateTimeOffset(2030, 6, 7, 8, 9, 10, TimeSpan.Zero).AddTicks(1_234_567);
        var store = await db.OpenStoreAsync(new SqliteEventStoreOptions { TimeProvider = new FixedTimeProvider(now) });
        var id = StreamId.New();

        await store.AppendAsync(id, [new TurnedOn(), new TurnedOff()], ExpectedVersion.NoStream);

        Assert.All(await Read.StreamAsync(store, id), e => Assert.Equal(now.Ticks, e.RecordedAt.Ticks));
    }

    [Fact]
    public async Task The_registry_option_decides_which_events_can_be_stored_and_read()
    {
        await using var db = new TempDatabase();
        var onlyTurnedOn = new EventRegistry([EventRegistry.Default.GetByType(typeof(TurnedOn))]);
        var full = await db.OpenStoreAsync();
        var narrow = await db.OpenStoreAsync(new SqliteEventStoreOptions { Registry = onlyTurnedOn });
        var id = StreamId.New();
        await full.AppendAsync(id, [new TurnedOn(), new NoteAdded("x", 1, DateTimeOffset.UtcNow)], ExpectedVersion.NoStream);

        await Assert.ThrowsAsync<UnknownEventTypeException>(() => narrow.AppendAsync(id, [new TurnedOff()], ExpectedVersion.Any).AsTask());
        var ex = await Assert.ThrowsAsync<EventReadException>(() => Read.StreamAsync(narrow, id));

        Assert.Equal("NoteAdded", ex.EventName);
        Assert.Equal(2, ex.Version);
        var first = new List<RecordedEvent>();
        await foreach (var e in narrow.ReadStreamAsync(id, 1, 1))
        {
            first.Add(e);
        }

        Assert.IsType<TurnedOn>(Assert.Single(first).Event);
    }

    [Fact]
    public async Task A_disposed_store_refuses_work_and_releases_the_file()
    {
        var db = new TempDatabase();
        var store = await db.OpenStoreAsync();
        var id = StreamId.New();
        await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);

        await store.DisposeAsync();
        await store.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.AppendAsync(id, [new TurnedOff()], ExpectedVersion.Any).AsTask());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Read.StreamAsync(store, id));
        await db.DisposeAsync();
        Assert.False(File.Exists(db.Path));
        Assert.False(File.Exists(db.Path + "-wal"));
    }
}
