using EventSourcery.PersonalData;
using EventSourcery.StoreContract;

namespace EventSourcery.Sqlite.Tests;

/// <summary>The keys of personal data in the SQLite file: kept with the events, and gone from the file once shredded.</summary>
public sealed class SqlitePersonalDataKeyTests : IAsyncLifetime
{
    private readonly TempDatabase _database = new();

    [Fact]
    public async Task A_shredded_key_leaves_no_copy_in_the_database_file()
    {
        var subject = Guid.NewGuid();
        var id = StreamId.New("customer");
        byte[] key;
        await using (var store = await SqliteEventStore.OpenAsync(_database.ConnectionString))
        {
            await store.AppendAsync(id, [new CustomerRegistered(subject, "ada@example.com", null, 1815, null, null, null, "gold")], ExpectedVersion.NoStream);
            key = (await store.PersonalData.Keys.FindKeyAsync(null, subject.ToString()))!.Material.ToArray();
        }

        Assert.True(Contains(SqliteFiles.ReadAll(_database.Path), key), "the key is kept in the file (or the check could not see it)");

        await using (var store = await SqliteEventStore.OpenAsync(_database.ConnectionString))
        {
            Assert.True(await store.ShredAsync(subject));
        }

        Assert.False(Contains(SqliteFiles.ReadAll(_database.Path), key), "a copy of the shredded key is left in the file");
        await using (var reopened = await SqliteEventStore.OpenAsync(_database.ConnectionString))
        {
            var read = (CustomerRegistered)Assert.Single(await Read.StreamAsync(reopened, id)).Event;
            Assert.Equal(("redacted@example.invalid", -1, "gold"), (read.Email, read.BirthYear, read.Plan));
            await Assert.ThrowsAsync<DataSubjectShreddedException>(async () => await reopened.AppendAsync(id, [new CustomerRegistered(subject, "ada@new.example", null, 1815, null, null, null, "gold")], ExpectedVersion.Exactly(1)));
        }
    }

    [Fact]
    public async Task Keys_outlive_the_process_and_stay_per_tenant()
    {
        var subject = Guid.NewGuid();
        var id = StreamId.New("customer");
        await using (var store = await SqliteEventStore.OpenAsync(_database.ConnectionString))
        {
            await store.AppendAsync(id, [new CustomerRegistered(subject, "ada@example.com", null, 1815, null, null, null, "gold")], ExpectedVersion.NoStream);
            await store.ForTenant("acme").AppendAsync(id, [new CustomerRegistered(subject, "ada@acme.example", null, 1815, null, null, null, "gold")], ExpectedVersion.NoStream);
            Assert.NotEqual(
                (await store.PersonalData.Keys.FindKeyAsync(null, subject.ToString()))!.Material.ToArray(),
                (await store.PersonalData.Keys.FindKeyAsync("acme", subject.ToString()))!.Material.ToArray());
        }

        await using var reopened = await SqliteEventStore.OpenAsync(_database.ConnectionString);
        Assert.Equal("ada@example.com", ((CustomerRegistered)Assert.Single(await Read.StreamAsync(reopened, id)).Event).Email);
        Assert.Equal("ada@acme.example", ((CustomerRegistered)Assert.Single(await Read.StreamAsync(reopened.ForTenant("acme"), id)).Event).Email);
    }

    [Fact]
    public async Task A_database_made_before_personal_data_gets_its_key_table_on_open()
    {
        var id = StreamId.New("light");
        await using (var store = await SqliteEventStore.OpenAsync(_database.ConnectionString))
        {
            await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream);
        }

        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection(_database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var drop = new Microsoft.Data.Sqlite.SqliteCommand("DROP TABLE es_subject_keys;", connection);
            await drop.ExecuteNonQueryAsync(); // as a database of the previous release has it
        }

        await using var reopened = await SqliteEventStore.OpenAsync(_database.ConnectionString);
        var customer = StreamId.New("customer");
        await reopened.AppendAsync(customer, [new CustomerRegistered(Guid.NewGuid(), "ada@example.com", null, 1815, null, null, null, "gold")], ExpectedVersion.NoStream);
        Assert.Equal("ada@example.com", ((CustomerRegistered)Assert.Single(await Read.StreamAsync(reopened, customer)).Event).Email);
        Assert.Single(await Read.StreamAsync(reopened, id));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _database.DisposeAsync().AsTask();

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}

/// <summary>Reads a SQLite database's files as they are on disk, while a store may still have them open.</summary>
internal static class SqliteFiles
{
    public static byte[] ReadAll(string path)
    {
        using var bytes = new MemoryStream();
        foreach (var file in new[] { path, path + "-wal" })
        {
            if (File.Exists(file))
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                stream.CopyTo(bytes);
            }
        }

        return bytes.ToArray();
    }
}
