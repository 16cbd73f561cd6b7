using EventSourcery.StoreContract;

namespace EventSourcery.Sqlite.Tests;

/// <summary>What PublishAsync writes to es_outbox, row by row.</summary>
public sealed class SqliteOutboxRowTests
{
    // Private and nested, so the generator leaves it unregistered.
    private sealed record NeverRegistered(string Reason) : Event;

    [Fact]
    public async Task Publish_writes_a_full_copy_of_each_event_to_the_outbox()
    {
        await using var db = new TempDatabase();
        var store = await db.OpenStoreAsync();
        var id = StreamId.FromName("kitchen", "light_switch");
        var note = new NoteAdded("hello", 1, DateTimeOffset.UtcNow) { Metadata = new EventMetadata { CorrelationId = Guid.NewGuid() } };

        await store.PublishAsync(id, [new TurnedOn(), note], ExpectedVersion.NoStream);

        var events = await db.RowsAsync("""
            SELECT e.position, s.tenant_id, s.category, s.stream_id, s.name, e.version, e.event_id, e.event_name, e.schema_version, e.payload, e.metadata, e.created_at, e.recorded_at
            FROM es_events e JOIN es_streams s ON s.stream_key = e.stream_key ORDER BY e.position
            """);
        var outbox = await db.RowsAsync("""
            SELECT position, tenant_id, category, stream_id, stream_name, version, event_id, event_name, schema_version, payload, metadata, created_at, recorded_at, attempts, last_error, retry_at, dead_lettered_at, claimed_by, lease_until
            FROM es_outbox ORDER BY id
            """);
        Assert.Equal(2, outbox.Count);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(events[i], outbox[i][..13]);
            Assert.Equal([0L, null, null, null, null, null], outbox[i][13..]);
        }

        Assert.Equal("", outbox[1][1]);
        Assert.Equal("light_switch", outbox[1][2]);
        Assert.Equal("kitchen", outbox[1][4]);
        Assert.Equal("NoteAdded", outbox[1][7]);
        Assert.Contains(note.Metadata.CorrelationId.ToString()!, (string)outbox[1][10]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Append_writes_no_outbox_rows_and_a_failing_publish_writes_none_either()
    {
        await using var db = new TempDatabase();
        var store = await db.OpenStoreAsync();
        var id = StreamId.New();
        await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);

        await Assert.ThrowsAsync<ConcurrencyException>(() => store.PublishAsync(id, [new TurnedOff(), new TurnedOn()], ExpectedVersion.NoStream).AsTask());
        await Assert.ThrowsAsync<UnknownEventTypeException>(() => store.PublishAsync(id, [new TurnedOff(), new NeverRegistered("x")], ExpectedVersion.Exactly(1)).AsTask());

        Assert.Equal(0L, await db.ScalarAsync("SELECT COUNT(*) FROM es_outbox"));
        Assert.Equal(1L, await db.ScalarAsync("SELECT COUNT(*) FROM es_events"));
    }

    [Fact]
    public async Task Outbox_rows_stay_when_the_stream_is_deleted()
    {
        await using var db = new TempDatabase();
        var store = await db.OpenStoreAsync();
        var id = StreamId.New();
        await store.PublishAsync(id, [new TurnedOn(), new TurnedOff()], ExpectedVersion.NoStream);

        Assert.True(await store.DeleteStreamAsync(id, ExpectedVersion.Exactly(2)));

        Assert.Equal(0L, await db.ScalarAsync("SELECT COUNT(*) FROM es_events"));
        Assert.Equal(0L, await db.ScalarAsync("SELECT COUNT(*) FROM es_streams"));
        Assert.Equal(2L, await db.ScalarAsync("SELECT COUNT(*) FROM es_outbox"));
    }
}
