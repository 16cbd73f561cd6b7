using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace EventSourcery.Reliability.Tests;

/// <summary>
/// Rows damaged behind the store's back (raw SQL): reading the damaged event fails with
/// <see cref="EventReadException"/> naming its stream, version and position; everything before it reads, other
/// streams and later positions read, and the store still takes appends.
/// </summary>
public sealed class CorruptRowTests : IAsyncLifetime
{
    private const int TenMegabytes = 10 * 1024 * 1024;
    private readonly TempDirectory _dir = new();
    private readonly StreamId _bad = StreamId.FromName("victim", "corrupt");
    private readonly StreamId _good = StreamId.New("fine");
    private long _position;

    public async Task InitializeAsync()
    {
        await using var store = await SqliteEventStore.OpenAsync(_dir.ConnectionString);
        await store.AppendAsync(_good, [new Ticked()], ExpectedVersion.NoStream);
        await store.AppendAsync(_bad, [new Ticked(), new Noted("the victim")], ExpectedVersion.NoStream);
        await store.AppendAsync(_bad, [new Noted("after the victim")], ExpectedVersion.Exactly(2));
        await store.AppendAsync(_good, [new Noted("later, elsewhere")], ExpectedVersion.Exactly(1));
        _position = (await Read.StreamAsync(store, _bad))[1].Position;
    }

    public Task DisposeAsync() => _dir.DisposeAsync().AsTask();

    public static TheoryData<string, string> Damage => new()
    {
        { "truncated JSON", "payload = '{\"Text\":\"the vic'" },
        { "JSON of another shape", "payload = '[1,2,3]'" },
        { "unknown event_name", "event_name = 'RenamedAway'" },
        { "10 MB of random bytes", $"payload = randomblob({TenMegabytes})" },
        { "10 MB of truncated JSON", $"payload = '{{\"Text\":\"' || replace(hex(zeroblob({TenMegabytes / 2})), '0', 'x')" },
        { "garbage metadata", "metadata = x'00ff00ff'" },
        { "a created_at that is no time", "created_at = 'yesterday'" },
    };

    [Theory]
    [MemberData(nameof(Damage))]
    public async Task A_damaged_row_fails_naming_stream_version_and_position_and_everything_else_keeps_working(string what, string assignment)
    {
        var name = await _dir.ScalarAsync("SELECT event_name FROM es_events WHERE position = $p", ("$p", _position));
        Assert.Equal(1, await _dir.ExecuteAsync($"UPDATE es_events SET {assignment} WHERE position = $p", ("$p", _position)));
        var storedName = (string?)await _dir.ScalarAsync("SELECT event_name FROM es_events WHERE position = $p", ("$p", _position));

        await AssertDamageIsContainedAsync(storedName ?? (string?)name, what);
    }

    [Fact]
    public async Task A_NULL_payload_is_refused_by_the_schema_and_one_forced_in_fails_like_any_damaged_row()
    {
        // The column is NOT NULL: plain SQL cannot put a NULL there…
        var refused = await Assert.ThrowsAsync<SqliteException>(() => _dir.ExecuteAsync("UPDATE es_events SET payload = NULL WHERE position = $p", ("$p", _position)));
        Assert.Equal(19, refused.SqliteErrorCode); // SQLITE_CONSTRAINT

        // …so drop the constraint by editing the schema itself (what a broken migration or a damaged file could leave).
        await ForceNullableAsync("payload");
        Assert.Equal(1, await _dir.ExecuteAsync("UPDATE es_events SET payload = NULL WHERE position = $p", ("$p", _position)));

        await AssertDamageIsContainedAsync("Noted", "NULL payload");
    }

    [Fact]
    public async Task A_NULL_event_name_forced_in_fails_naming_the_row()
    {
        await ForceNullableAsync("event_name");
        Assert.Equal(1, await _dir.ExecuteAsync("UPDATE es_events SET event_name = NULL WHERE position = $p", ("$p", _position)));

        await AssertDamageIsContainedAsync(null, "NULL event_name");
    }

    private async Task AssertDamageIsContainedAsync(string? storedName, string what)
    {
        await using var store = await SqliteEventStore.OpenAsync(_dir.ConnectionString);

        // The stream fails at the damaged row, after the rows before it, and says which row.
        var (before, fromStream) = await Read.UntilFailureAsync(store.ReadStreamAsync(_bad));
        Assert.Single(before);
        AssertNamesTheRow(fromStream, storedName, what);

        // ReadAll fails at the same row.
        var (beforeInAll, fromAll) = await Read.UntilFailureAsync(store.ReadAllAsync());
        Assert.Equal(2, beforeInAll.Count);
        AssertNamesTheRow(fromAll, storedName, what);

        // Everything else still reads: other streams, the rest of this stream, positions after the damage.
        Assert.Equal(2, (await Read.StreamAsync(store, _good)).Count);
        Assert.Equal("after the victim", ((Noted)Assert.Single(await Read.StreamAsync(store, _bad, fromVersion: 3)).Event).Text);
        Assert.Equal(2, (await Read.AllAsync(store, _position)).Count);

        // And the store still takes appends, to the damaged stream too.
        Assert.Equal(4, (await store.AppendAsync(_bad, [new Ticked()], ExpectedVersion.Exactly(3))).StreamVersion);
        Assert.Equal(3, (await store.AppendAsync(_good, [new Ticked()], ExpectedVersion.Exactly(2))).StreamVersion);
    }

    private void AssertNamesTheRow(EventReadException ex, string? storedName, string what)
    {
        Assert.True(ex.StreamId == _bad, $"{what}: the exception names stream {ex.StreamId}");
        Assert.Equal(2, ex.Version);
        Assert.Equal(_position, ex.Position);
        Assert.Equal(storedName, ex.EventName);
        Assert.Contains(_bad.ToString(), ex.Message, StringComparison.Ordinal);
        Assert.Contains("version 2", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"position {_position.ToString(CultureInfo.InvariantCulture)}", ex.Message, StringComparison.Ordinal);
        Assert.True(ex.Message.Length < 4096, $"{what}: the message quotes the damaged payload ({ex.Message.Length} characters)");
    }

    /// <summary>Drops the NOT NULL of an es_events column by rewriting the table's stored SQL (PRAGMA writable_schema).</summary>
    private async Task ForceNullableAsync(string column)
    {
        await using var connection = new SqliteConnection(_dir.ConnectionString);
        await connection.OpenAsync();
        var sql = (string)(await Scalar(connection, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'es_events'"))!;
        var loosened = new StringBuilder(sql).Replace($"\"{column}\" TEXT NOT NULL", $"\"{column}\" TEXT").ToString();
        Assert.NotEqual(sql, loosened);
        await Scalar(connection, "PRAGMA writable_schema = ON");
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "UPDATE sqlite_master SET sql = $sql WHERE type = 'table' AND name = 'es_events'";
            command.Parameters.AddWithValue("$sql", loosened);
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        await Scalar(connection, "PRAGMA writable_schema = OFF");
    }

    private static async Task<object?> Scalar(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
