using System.Text.Json;
using EventSourcery.StoreContract;

namespace EventSourcery.Sqlite.Tests;

public sealed class SqliteCorruptRowTests : IAsyncLifetime
{
    private readonly TempDatabase _db = new();
    private readonly StreamId _bad = StreamId.FromName("bad", "corrupt");
    private readonly StreamId _good = StreamId.New("fine");
    private SqliteEventStore _store = null!;
    private long _position;

    public async Task InitializeAsync()
    {
        _store = await _db.OpenStoreAsync();
        await _store.AppendAsync(_good, [new TurnedOn()], ExpectedVersion.NoStream);
        await _store.AppendAsync(_bad, [new TurnedOn(), new NoteAdded("victim", 2, DateTimeOffset.UtcNow)], ExpectedVersion.NoStream);
        await _store.AppendAsync(_bad, [new TurnedOff()], ExpectedVersion.Exactly(2));
        await _store.AppendAsync(_good, [new TurnedOff()], ExpectedVersion.Exactly(1));
        _position = (await Read.StreamAsync(_store, _bad))[1].Position;
    }

    public Task DisposeAsync() => _db.DisposeAsync().AsTask();

    [Fact]
    public async Task A_truncated_payload_fails_at_its_row_naming_stream_version_position_and_name()
    {
        await _db.ExecuteAsync("UPDATE es_events SET payload = '{\"text\":\"vic' WHERE position = $p", ("$p", _position));

        var (readBefore, ex) = await ReadUntilFailureAsync(_store.ReadStreamAsync(_bad));

        Assert.Single(readBefore);
        AssertNamesTheRow(ex, "NoteAdded");
        Assert.IsAssignableFrom<JsonException>(ex.InnerException);
    }

    [Fact]
    public async Task A_truncated_payload_fails_read_all_at_its_row_and_other_streams_still_read()
    {
        await _db.ExecuteAsync("UPDATE es_events SET payload = '{\"text\":\"vic' WHERE position = $p", ("$p", _position));

        var (readBefore, ex) = await ReadUntilFailureAsync(_store.ReadAllAsync());

        Assert.Equal(2, readBefore.Count);
        AssertNamesTheRow(ex, "NoteAdded");
        Assert.Equal("bad", ex.StreamId.Name);
        Assert.Equal(2, (await Read.StreamAsync(_store, _good)).Count);
        Assert.IsType<TurnedOff>(Assert.Single(await Read.StreamAsync(_store, _bad, fromVersion: 3)).Event);
        Assert.Equal(2, (await Read.AllAsync(_store, _position)).Count);
    }

    [Fact]
    public async Task An_unknown_event_name_fails_naming_the_stored_name()
    {
        await _db.ExecuteAsync("UPDATE es_events SET event_name = 'RenamedAway' WHERE position = $p", ("$p", _position));

        var (readBefore, ex) = await ReadUntilFailureAsync(_store.ReadStreamAsync(_bad));
        var (_, fromAll) = await ReadUntilFailureAsync(_store.ReadAllAsync());

        Assert.Single(readBefore);
        AssertNamesTheRow(ex, "RenamedAway");
        AssertNamesTheRow(fromAll, "RenamedAway");
        Assert.Contains("RenamedAway", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await Read.StreamAsync(_store, _good)).Count);
    }

    [Theory]
    [InlineData("created_at", "'yesterday'")]
    [InlineData("recorded_at", "'2024-13-45'")]
    [InlineData("event_id", "'not-a-guid'")]
    [InlineData("metadata", "'{\"extra\":'")]
    [InlineData("payload", "'[1,2]'")]
    public async Task Any_other_corrupt_column_fails_the_same_way(string column, string value)
    {
        await _db.ExecuteAsync($"UPDATE es_events SET {column} = {value} WHERE position = $p", ("$p", _position));

        var (readBefore, ex) = await ReadUntilFailureAsync(_store.ReadStreamAsync(_bad));

        Assert.Single(readBefore);
        AssertNamesTheRow(ex, "NoteAdded");
        Assert.NotNull(ex.InnerException);
        Assert.Equal(2, (await Read.StreamAsync(_store, _good)).Count);
    }

    private void AssertNamesTheRow(EventReadException ex, string name)
    {
        Assert.Equal(_bad, ex.StreamId);
        Assert.Equal(2, ex.Version);
        Assert.Equal(_position, ex.Position);
        Assert.Equal(name, ex.EventName);
    }

    private static async Task<(List<RecordedEvent> ReadBefore, EventReadException Exception)> ReadUntilFailureAsync(IAsyncEnumerable<RecordedEvent> events)
    {
        var read = new List<RecordedEvent>();
        var ex = await Assert.ThrowsAsync<EventReadException>(async () =>
        {
            await foreach (var e in events)
            {
                read.Add(e);
            }
        });
        return (read, ex);
    }
}
