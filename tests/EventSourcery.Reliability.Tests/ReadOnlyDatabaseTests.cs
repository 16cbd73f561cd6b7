using Microsoft.Data.Sqlite;

namespace EventSourcery.Reliability.Tests;

/// <summary>
/// A store opened read-only (<c>Mode=ReadOnly</c> in the connection string) reads, and refuses every write with
/// <see cref="EventStoreReadOnlyException"/> rather than a raw <see cref="SqliteException"/>; the file stays intact.
/// </summary>
/// <remarks>
/// The tests run as root, for whom file permissions (chmod 444) do not stop a write, so the connection string's
/// read-only mode is what makes the database read-only here. A read-only file, directory or medium surfaces from
/// SQLite as the same error (SQLITE_READONLY) and maps to the same exception.
/// </remarks>
public sealed class ReadOnlyDatabaseTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly StreamId _id = StreamId.FromName("kept", "readonly");
    private List<Guid> _ids = [];

    private string ReadOnlyConnectionString => _dir.ConnectionString + ";Mode=ReadOnly";

    public async Task InitializeAsync()
    {
        await using var store = await SqliteEventStore.OpenAsync(_dir.ConnectionString);
        await store.AppendAsync(_id, [new Noted("one"), new Noted("two")], ExpectedVersion.NoStream);
        await store.PublishAsync(_id, [new Noted("three")], ExpectedVersion.Exactly(2));
        _ids = (await Read.StreamAsync(store, _id)).Select(e => e.Event.Id).ToList();
    }

    public Task DisposeAsync() => _dir.DisposeAsync().AsTask();

    [Fact]
    public async Task A_read_only_store_reads_and_refuses_every_write_with_a_typed_exception_and_the_file_stays_intact()
    {
        var before = File.ReadAllBytes(_dir.DatabasePath);
        await using (var store = await SqliteEventStore.OpenAsync(ReadOnlyConnectionString))
        {
            Assert.Equal(_ids, (await Read.StreamAsync(store, _id)).Select(e => e.Event.Id));

            var writes = new Func<Task>[]
            {
                () => store.AppendAsync(_id, [new Noted("four")], ExpectedVersion.Exactly(3)).AsTask(),
                () => store.AppendAsync(StreamId.New("readonly"), [new Noted("new stream")], ExpectedVersion.NoStream).AsTask(),
                () => store.PublishAsync(_id, [new Noted("four")], ExpectedVersion.Any).AsTask(),
                () => store.DeleteStreamAsync(_id).AsTask(),
                () => new Outbox(store, (_, _) => ValueTask.CompletedTask).RunOnceAsync(),
            };
            foreach (var write in writes)
            {
                var ex = await Assert.ThrowsAsync<EventStoreReadOnlyException>(write);
                Assert.IsType<SqliteException>(ex.InnerException);
                Assert.Contains("read-only", ex.Message, StringComparison.Ordinal);
            }

            // Still readable after the refused writes, and a concurrency check still comes first.
            Assert.Equal(3, (await Read.AllAsync(store)).Count);
            await Assert.ThrowsAsync<ConcurrencyException>(() => store.AppendAsync(_id, [new Noted("stale")], ExpectedVersion.Exactly(1)).AsTask());
        }

        Assert.Equal(before, File.ReadAllBytes(_dir.DatabasePath));
        Assert.Equal("ok", await _dir.IntegrityCheckAsync());
        await using var writable = await SqliteEventStore.OpenAsync(_dir.ConnectionString);
        Assert.Equal(_ids, (await Read.StreamAsync(writable, _id)).Select(e => e.Event.Id));
        Assert.Equal(1L, await _dir.ScalarAsync("SELECT COUNT(*) FROM es_outbox"));
        Assert.Equal(4, (await writable.AppendAsync(_id, [new Noted("four")], ExpectedVersion.Exactly(3))).StreamVersion);
    }

    [Fact]
    public async Task Opening_read_only_a_file_without_the_store_s_tables_fails_with_the_typed_exception()
    {
        var empty = _dir.File("empty.db");
        await using (var connection = new SqliteConnection(TempDirectory.ConnectionStringFor(empty)))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE unrelated (x INTEGER); PRAGMA journal_mode=WAL;";
            await command.ExecuteNonQueryAsync();
        }

        var ex = await Assert.ThrowsAsync<EventStoreReadOnlyException>(() => SqliteEventStore.OpenAsync(TempDirectory.ConnectionStringFor(empty) + ";Mode=ReadOnly"));

        Assert.IsType<SqliteException>(ex.InnerException);
    }
}
