using EventSourcery.Relational.Storage;
using EventSourcery.Sqlite.Storage;
using EventSourcery.StoreContract;

namespace EventSourcery.Sqlite.Tests;

/// <summary>
/// Pages and outbox claims are bounded in bytes as well as rows, so large events cannot push a reader to gigabytes per
/// page; events larger than the configured maximum are refused at append.
/// </summary>
public sealed class SqlitePageBytesTests : IAsyncLifetime
{
    private const int PageBytes = 10_000;
    private const int TextLength = 3_000; // about 3,050 bytes stored: the fourth event of a page reaches the budget
    private readonly TempDatabase _db = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _db.DisposeAsync().AsTask();

    [Fact]
    public async Task A_page_ends_at_the_event_that_reaches_the_byte_budget()
    {
        var store = await _db.OpenStoreAsync(new SqliteEventStoreOptions { PageBytes = PageBytes });
        var id = StreamId.New("note");
        await store.AppendAsync(id, Notes(10), ExpectedVersion.NoStream);
        using var commands = new CommandCache(_db.OpenConnection());
        var storage = new SqliteStorage();
        var session = new SqliteSession(commands, null);

        var all = await storage.ReadAllPageAsync(session, "", 0, long.MaxValue, PageBytes, CancellationToken.None);
        var stream = await storage.ReadStreamPageAsync(session, StreamKey.From(id, ""), 1, long.MaxValue, PageBytes, CancellationToken.None);
        var rows = new RowMaterializer(new Serialization.EventSerializer(Serialization.EventRegistry.Default), recordedTenant: null);
        var rebuild = await storage.ReadStreamEventsPageAsync(session, StreamKey.From(id, ""), 1, PageBytes, (in StoredStreamEventRow row) => new VersionedEvent(row.Version, rows.ReadEvent(id, row)), CancellationToken.None);
        var last = await storage.ReadAllPageAsync(session, "", all.Rows[^1].Position + 4, long.MaxValue, PageBytes, CancellationToken.None);

        Assert.Equal((4, true), (all.Rows.Count, all.Full));
        Assert.Equal((4, true), (stream.Rows.Count, stream.Full));
        Assert.Equal((4, true), (rebuild.Rows.Count, rebuild.Full));
        Assert.Equal((2, false), (last.Rows.Count, last.Full)); // the end: fewer bytes and rows than a page holds
    }

    [Fact]
    public async Task Byte_bounded_pages_still_read_every_event_once_in_order()
    {
        var store = await _db.OpenStoreAsync(new SqliteEventStoreOptions { PageBytes = PageBytes });
        var id = StreamId.New("note");
        var appended = Notes(23);
        await store.AppendAsync(id, appended, ExpectedVersion.NoStream);
        await store.AppendAsync(StreamId.New("note"), Notes(5), ExpectedVersion.NoStream);

        var stream = await Read.StreamAsync(store, id);
        var all = await Read.AllAsync(store);
        var rebuilt = new List<long>();
        await foreach (var e in ((IStreamEventReader)store).ReadStreamEventsAsync(id))
        {
            rebuilt.Add(e.Version);
        }

        Assert.Equal(appended.Select(e => e.Id), stream.Select(e => e.Event.Id));
        Assert.Equal(Enumerable.Range(1, 28).Select(i => (long)i), all.Select(e => e.Position));
        Assert.Equal(Enumerable.Range(1, 23).Select(i => (long)i), rebuilt);
    }

    [Fact]
    public async Task An_outbox_claim_takes_about_PageBytes_and_delivery_keeps_the_order()
    {
        var store = await _db.OpenStoreAsync(new SqliteEventStoreOptions { PageBytes = PageBytes });
        var id = StreamId.New("note");
        var published = Notes(10);
        await store.PublishAsync(id, published, ExpectedVersion.NoStream);
        var outbox = (IOutboxStore)store;

        var claimed = await outbox.ClaimOutboxAsync(new OutboxClaim("runner", 100, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1)));
        Assert.Equal(4, claimed.Count);
        Assert.Equal(published.Take(4).Select(e => e.Id), claimed.Select(e => e.Event.Event.Id));
        await outbox.CompleteOutboxAsync("runner", claimed.Select(e => e.Id).ToArray());

        var delivered = new List<Guid>();
        var run = new Outbox(store, (entry, _) =>
        {
            delivered.Add(entry.Event.Id);
            return ValueTask.CompletedTask;
        });
        while (await run.RunOnceAsync() > 0)
        {
        }

        Assert.Equal(published.Skip(4).Select(e => e.Id), delivered);
    }

    [Fact]
    public async Task MaxEventBytes_refuses_a_larger_event_at_append_naming_it()
    {
        var store = await _db.OpenStoreAsync(new SqliteEventStoreOptions { MaxEventBytes = 2_000 });
        var id = StreamId.New("note");

        var ex = await Assert.ThrowsAsync<EventTooLargeException>(() => store.AppendAsync(id, Notes(1), ExpectedVersion.NoStream).AsTask());

        Assert.Equal((id, "NoteAdded", 2_000L), (ex.StreamId, ex.EventName, ex.Limit));
        Assert.InRange(ex.Size, TextLength, TextLength + 100);
        Assert.Empty(await Read.StreamAsync(store, id));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SqliteEventStoreOptions { MaxEventBytes = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new SqliteEventStoreOptions { PageBytes = 0 });
    }

    private static Event[] Notes(int count)
        => Enumerable.Range(0, count).Select(i => (Event)new NoteAdded(new string((char)('a' + (i % 26)), TextLength), i, DateTimeOffset.UnixEpoch)).ToArray();
}
