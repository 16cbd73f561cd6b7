using EventSourcery.StoreContract;

namespace EventSourcery.Sqlite.Tests;

/// <summary>The <c>es_snapshots</c> table: its shape, its rows, and files made before it existed.</summary>
public sealed class SqliteSnapshotTableTests
{
    [Fact]
    public async Task The_snapshot_table_is_keyed_by_the_stream_row_it_belongs_to()
    {
        await using var db = new TempDatabase();
        await db.OpenStoreAsync();

        Assert.Equal(
            ["stream_key", "version", "event_id", "type", "fingerprint", "payload", "taken_at"],
            (await db.RowsAsync("SELECT name FROM pragma_table_info('es_snapshots') ORDER BY cid")).Select(r => (string)r[0]!));
        Assert.Equal(["stream_key"], (await db.RowsAsync("SELECT name FROM pragma_table_info('es_snapshots') WHERE pk > 0")).Select(r => (string)r[0]!));
        var foreignKey = Assert.Single(await db.RowsAsync("SELECT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list('es_snapshots')"));
        Assert.Equal(new object?[] { "es_streams", "stream_key", "stream_key" }, foreignKey);
        var sql = (string)(await db.ScalarAsync("SELECT sql FROM sqlite_master WHERE name = 'es_snapshots'"))!;
        Assert.Contains("\"stream_key\" INTEGER NOT NULL CONSTRAINT \"PK_es_snapshots\" PRIMARY KEY", sql, StringComparison.Ordinal); // the rowid itself
        Assert.DoesNotContain("AUTOINCREMENT", sql, StringComparison.Ordinal);
        Assert.Contains("ON DELETE CASCADE", sql, StringComparison.Ordinal);
        Assert.Contains("\"payload\" BLOB NOT NULL", sql, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_made_before_snapshots_existed_gets_the_table_on_the_next_open()
    {
        await using var db = new TempDatabase();
        var store = await db.OpenStoreAsync();
        var id = StreamId.New("counter");
        await new Repository<Counter>(store).NewAsync(id, c => c.Move(3));
        await store.DisposeAsync();
        await db.ExecuteAsync("DROP TABLE es_snapshots");
        Assert.DoesNotContain("es_snapshots", await db.TablesAsync());

        var reopened = await db.OpenStoreAsync();

        Assert.Contains("es_snapshots", await db.TablesAsync());
        var counters = new Repository<Counter>(reopened, new RepositoryOptions { SnapshotEvery = 2 });
        await counters.UpdateAsync(id, c => c.Move(4)); // 1 -> 2 crosses 2
        var snapshot = await reopened.LoadSnapshotAsync(id);
        Assert.Equal(2, snapshot?.Version);
        Assert.Equal(7, (await counters.LoadAsync(id))?.Value);
        Assert.Equal(1L, await db.ScalarAsync("SELECT COUNT(*) FROM es_snapshots"));
        Assert.True(await reopened.DeleteStreamAsync(id));
        Assert.Equal(0L, await db.ScalarAsync("SELECT COUNT(*) FROM es_snapshots"));
    }

    [Fact]
    public async Task A_stream_has_one_snapshot_row_per_tenant_replaced_in_place_and_stored_as_a_blob()
    {
        await using var db = new TempDatabase();
        var store = await db.OpenStoreAsync();
        var acme = (ISnapshotStore)store.ForTenant("acme");
        var id = StreamId.New();
        await store.AppendAsync(id, [new TurnedOn(), new TurnedOff()], ExpectedVersion.NoStream);
        await ((IEventStore)acme).AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);
        var eventId = Guid.NewGuid();

        await store.SaveSnapshotAsync(id, new StoredSnapshot(1, Guid.NewGuid(), "T", "f1", "{\"a\":1}"u8.ToArray()));
        await store.SaveSnapshotAsync(id, new StoredSnapshot(2, eventId, "T", "f2", "{\"a\":2}"u8.ToArray()));
        await acme.SaveSnapshotAsync(id, new StoredSnapshot(1, Guid.NewGuid(), "T", "acme", "{}"u8.ToArray()));

        var rows = await db.RowsAsync("""
            SELECT s.tenant_id, sn.version, sn.event_id, sn.fingerprint, typeof(sn.payload), sn.taken_at
            FROM es_snapshots sn JOIN es_streams s ON s.stream_key = sn.stream_key ORDER BY s.tenant_id
            """);
        Assert.Equal(2, rows.Count);
        Assert.Equal(new object?[] { "", 2L, eventId.ToString("D").ToUpperInvariant(), "f2", "blob" }, rows[0][..5]);
        Assert.Equal(new object?[] { "acme", 1L }, rows[1][..2]);
        Assert.True(DateTimeOffset.TryParse((string)rows[0][5]!, System.Globalization.CultureInfo.InvariantCulture, out _));

        var loaded = await store.LoadSnapshotAsync(id);
        Assert.Equal(new StoredSnapshot(2, eventId, "T", "f2", loaded!.Payload), loaded);
        Assert.Equal("{\"a\":2}"u8.ToArray(), loaded.Payload.ToArray());
    }

    [Fact]
    public async Task Deleting_a_stream_removes_only_that_views_snapshot_row()
    {
        await using var db = new TempDatabase();
        var store = await db.OpenStoreAsync();
        var acme = store.ForTenant("acme");
        var id = StreamId.New();
        foreach (var view in new[] { store, acme })
        {
            await view.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);
            await ((ISnapshotStore)view).SaveSnapshotAsync(id, new StoredSnapshot(1, Guid.NewGuid(), "T", "f", "{}"u8.ToArray()));
        }

        Assert.True(await acme.DeleteStreamAsync(id));

        Assert.Null(await ((ISnapshotStore)acme).LoadSnapshotAsync(id));
        Assert.NotNull(await store.LoadSnapshotAsync(id));
        Assert.Equal([""], (await db.RowsAsync("SELECT s.tenant_id FROM es_snapshots sn JOIN es_streams s ON s.stream_key = sn.stream_key")).Select(r => (string)r[0]!));
        await Assert.ThrowsAsync<StreamNotFoundException>(() => ((ISnapshotStore)acme).SaveSnapshotAsync(id, new StoredSnapshot(1, Guid.NewGuid(), "T", "f", "{}"u8.ToArray())).AsTask());
    }

    [Fact]
    public async Task A_snapshot_row_that_cannot_be_read_reads_as_no_snapshot_and_the_repository_replays()
    {
        await using var db = new TempDatabase();
        var store = await db.OpenStoreAsync();
        var id = StreamId.New("counter");
        var counters = new Repository<Counter>(store, new RepositoryOptions { SnapshotEvery = 2 });
        await counters.NewAsync(id, c => { c.Move(1); c.Move(2); c.Move(3); });
        Assert.NotNull(await store.LoadSnapshotAsync(id));

        await db.ExecuteAsync("UPDATE es_snapshots SET event_id = 'not-a-guid'");

        Assert.Null(await store.LoadSnapshotAsync(id));
        Assert.Equal(6, (await counters.LoadAsync(id))?.Value);
    }

    [Fact]
    public async Task A_payload_stored_as_text_reads_back_as_its_bytes()
    {
        await using var db = new TempDatabase();
        var store = await db.OpenStoreAsync();
        var id = StreamId.New();
        await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);
        await store.SaveSnapshotAsync(id, new StoredSnapshot(1, Guid.NewGuid(), "T", "f", "{}"u8.ToArray()));

        await db.ExecuteAsync("UPDATE es_snapshots SET payload = CAST($json AS TEXT)", ("$json", "{\"é\":1}"));

        Assert.Equal("{\"é\":1}"u8.ToArray(), (await store.LoadSnapshotAsync(id))!.Payload.ToArray());
    }

    [Fact]
    public async Task Snapshot_arguments_are_checked()
    {
        await using var db = new TempDatabase();
        var store = await db.OpenStoreAsync();
        var snapshot = new StoredSnapshot(1, Guid.NewGuid(), "T", "f", "{}"u8.ToArray());

        Assert.Equal("streamId", (await Assert.ThrowsAsync<ArgumentException>(() => store.SaveSnapshotAsync(default, snapshot).AsTask())).ParamName);
        Assert.Equal("streamId", (await Assert.ThrowsAsync<ArgumentException>(() => store.LoadSnapshotAsync(default).AsTask())).ParamName);
        await Assert.ThrowsAsync<ArgumentNullException>(() => store.SaveSnapshotAsync(StreamId.New(), null!).AsTask());
        Assert.Equal("snapshot", (await Assert.ThrowsAsync<ArgumentException>(() => store.SaveSnapshotAsync(StreamId.New(), snapshot with { Type = null! }).AsTask())).ParamName);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.LoadSnapshotAsync(StreamId.New(), cancelled.Token).AsTask());
    }
}
