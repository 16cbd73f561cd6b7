using Microsoft.Data.Sqlite;

namespace EventSourcery.Cli.Tests;

public sealed class OutboxCommandTests
{
    private static readonly StreamId First = StreamId.FromName("first", "order");
    private static readonly StreamId Second = StreamId.FromName("second", "order");

    [Fact]
    public async Task Shows_the_pending_count_and_the_dead_letters()
    {
        await using var temp = await CreateWithDeadLettersAsync();

        var result = await Cli.RunAsync("outbox", temp.Path, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = result.Json();
        Assert.Equal(1, json.GetProperty("pending").GetInt64()); // First's second event, held behind its dead letter
        Assert.Equal(2, json.GetProperty("deadLetterCount").GetInt64());
        var letters = json.GetProperty("deadLetters").EnumerateArray().ToList();
        Assert.Equal([First.ToString(), Second.ToString()], letters.Select(d => d.GetProperty("streamId").GetString()));
        Assert.Equal("first", letters[0].GetProperty("streamName").GetString());
        Assert.Equal("OrderPlaced", letters[0].GetProperty("eventName").GetString());
        Assert.Equal(1, letters[0].GetProperty("attempts").GetInt64());
        Assert.Contains("refused bad", letters[0].GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.True(DateTimeOffset.TryParse(letters[0].GetProperty("deadLetteredAt").GetString(), System.Globalization.CultureInfo.InvariantCulture, out _));

        // The tenant view has an outbox of its own, empty here.
        var acme = (await Cli.RunAsync("outbox", temp.Path, "--tenant", "acme", "--json")).Json();
        Assert.Equal(0, acme.GetProperty("pending").GetInt64());
        Assert.Equal(0, acme.GetProperty("deadLetterCount").GetInt64());

        var table = await Cli.RunAsync("outbox", temp.Path);
        Assert.Contains("1 pending, 2 dead letter(s)", table.Output, StringComparison.Ordinal);
        Assert.Contains("refused bad", table.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retry_of_one_id_leaves_the_row_as_the_librarys_RetryAsync_does_and_the_outbox_then_delivers_it()
    {
        await using var cli = await CreateWithDeadLettersAsync();
        await using var library = await CreateWithDeadLettersAsync();
        var id = (long)(await cli.RowsAsync("SELECT MIN(id) FROM es_outbox WHERE dead_lettered_at IS NOT NULL"))[0][0]!;

        var result = await Cli.RunAsync("outbox", "retry", cli.Path, id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json");
        var store = await library.OpenAsync();
        Assert.Equal(1, await new Outbox(store, (_, _) => ValueTask.CompletedTask).RetryAsync([id]));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(1, result.Json().GetProperty("retried").GetInt32());
        // Every delivery-state column alike in the two files (the dead-letter times of the rows left alone come from two
        // runs, so only whether they are set is compared).
        const string State = "SELECT id, attempts, last_error, retry_at, dead_lettered_at IS NULL, claimed_by, lease_until FROM es_outbox ORDER BY id";
        var expected = await library.RowsAsync(State);
        var actual = await cli.RowsAsync(State);
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i], actual[i]);
        }

        var retried = actual.Single(r => (long)r[0]! == id);
        Assert.Equal(0L, retried[1]);
        Assert.Contains("refused bad", (string)retried[2]!, StringComparison.Ordinal);
        Assert.Null(retried[3]);
        Assert.Equal(1L, retried[4]);

        // The stream is unblocked: a working publisher now gets both of its events.
        var delivered = new List<long>();
        var outbox = new Outbox(await cli.OpenAsync(), (e, _) =>
        {
            delivered.Add(e.Version);
            return ValueTask.CompletedTask;
        });
        Assert.Equal(2, await outbox.RunOnceAsync());
        Assert.Equal([1L, 2L], delivered);
    }

    [Fact]
    public async Task Retry_all_puts_back_every_dead_letter_of_the_view()
    {
        await using var temp = await CreateWithDeadLettersAsync();

        var result = await Cli.RunAsync("outbox", "retry", temp.Path, "--all");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Retried 2 dead letter(s)", result.Output, StringComparison.Ordinal);
        Assert.Equal(0L, (await temp.RowsAsync("SELECT COUNT(*) FROM es_outbox WHERE dead_lettered_at IS NOT NULL"))[0][0]);
    }

    [Fact]
    public async Task Retry_of_an_unknown_id_is_not_found_and_changes_nothing()
    {
        await using var temp = await CreateWithDeadLettersAsync();

        var result = await Cli.RunAsync("outbox", "retry", temp.Path, "999");
        var tenant = await Cli.RunAsync("outbox", "retry", temp.Path, "1", "--tenant", "acme");

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("No dead letter 999", result.Error, StringComparison.Ordinal);
        Assert.True(tenant.ExitCode == 3, tenant.ToString());
        Assert.Equal(2L, (await temp.RowsAsync("SELECT COUNT(*) FROM es_outbox WHERE dead_lettered_at IS NOT NULL"))[0][0]);
    }

    [Theory]
    [InlineData]
    [InlineData("1", "--all")]
    [InlineData("one")]
    public async Task Retry_needs_exactly_one_of_an_id_and_all(params string[] rest)
    {
        await using var temp = await CreateWithDeadLettersAsync();

        var result = await Cli.RunAsync(["outbox", "retry", temp.Path, .. rest]);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal(2L, (await temp.RowsAsync("SELECT COUNT(*) FROM es_outbox WHERE dead_lettered_at IS NOT NULL"))[0][0]);
    }

    [Fact]
    public async Task Retry_while_another_connection_holds_the_write_lock_is_busy()
    {
        await using var temp = await CreateWithDeadLettersAsync();
        await using var holder = new SqliteConnection(temp.ConnectionString);
        await holder.OpenAsync();
        await using var transaction = holder.BeginTransaction(deferred: false); // BEGIN IMMEDIATE: the write lock

        var result = await Cli.RunAsync("outbox", "retry", temp.Path, "--all", "--busy-timeout", "100");

        Assert.True(result.ExitCode == 4, result.ToString());
        Assert.Contains("busy", result.Error, StringComparison.Ordinal);
        await transaction.RollbackAsync();
        Assert.Equal(2L, (await temp.RowsAsync("SELECT COUNT(*) FROM es_outbox WHERE dead_lettered_at IS NOT NULL"))[0][0]);
    }

    /// <summary>
    /// Three published events: First's first is refused (dead letter after one attempt) and holds First's second back;
    /// Second's only one is refused too.
    /// </summary>
    private static async Task<TempStore> CreateWithDeadLettersAsync()
    {
        var temp = new TempStore();
        var store = await temp.OpenAsync();
        await store.PublishAsync(First, [new OrderPlaced("bad", 1m), new OrderShipped("dhl")], ExpectedVersion.NoStream);
        await store.PublishAsync(Second, [new OrderPlaced("bad", 2m)], ExpectedVersion.NoStream);
        var outbox = new Outbox(
            store,
            (e, _) => e.Event is OrderPlaced { Customer: "bad" } ? throw new InvalidOperationException("refused bad customer") : ValueTask.CompletedTask,
            new OutboxOptions { MaxAttempts = 1 });
        await outbox.RunOnceAsync();
        Assert.Equal(2, (await outbox.GetDeadLettersAsync()).Count);
        return temp;
    }
}
