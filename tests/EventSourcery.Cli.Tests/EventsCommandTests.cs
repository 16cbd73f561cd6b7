using System.Text.Json;

namespace EventSourcery.Cli.Tests;

public sealed class EventsCommandTests
{
    public static TheoryData<string> AliceForms() => new()
    {
        SampleStore.Alice.Value.ToString(),                  // the guid
        SampleStore.Alice.Value.ToString().ToUpperInvariant(), // as stored
        SampleStore.Alice.ToString(),                        // StreamId.ToString(): category-guid
        "alice",                                             // the name given to StreamId.FromName
        "order:alice",                                       // category:name
    };

    [Theory]
    [MemberData(nameof(AliceForms))]
    public async Task Every_form_of_the_stream_finds_it_and_shows_its_events_as_stored(string stream)
    {
        await using var temp = await SampleStore.CreateAsync();

        var result = await Cli.RunAsync("events", temp.Path, stream, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = result.Json();
        Assert.Equal(SampleStore.Alice.ToString(), json.GetProperty("stream").GetProperty("id").GetString());
        var events = json.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal([1L, 2L, 3L], events.Select(e => e.GetProperty("version").GetInt64()));
        Assert.Equal(["OrderPlaced", "order_shipped", "OrderPlaced"], events.Select(e => e.GetProperty("name").GetString()));
        Assert.True(events[0].GetProperty("position").GetInt64() < events[2].GetProperty("position").GetInt64());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("nextFromVersion").ValueKind);

        // The payload and metadata are the stored JSON, as JSON; the times are the stored round-trip text.
        var rows = await temp.RowsAsync("SELECT payload, created_at, recorded_at, event_id, metadata FROM es_events WHERE version = 3 AND tenant_id = ''");
        var (payload, created, recorded, eventId, metadata) = ((string)rows[0][0]!, (string)rows[0][1]!, (string)rows[0][2]!, (string)rows[0][3]!, (string)rows[0][4]!);
        Assert.Equal(JsonSerializer.Serialize(JsonDocument.Parse(payload).RootElement), JsonSerializer.Serialize(events[2].GetProperty("payload")));
        Assert.Equal(JsonValueKind.Object, events[2].GetProperty("payload").ValueKind);
        Assert.Contains("alice", events[2].GetProperty("payload").GetRawText(), StringComparison.Ordinal);
        Assert.Equal(created, events[2].GetProperty("createdAt").GetString());
        Assert.Equal(recorded, events[2].GetProperty("recordedAt").GetString());
        Assert.Equal(eventId, events[2].GetProperty("eventId").GetString());
        Assert.Equal(JsonSerializer.Serialize(JsonDocument.Parse(metadata).RootElement), JsonSerializer.Serialize(events[2].GetProperty("metadata")));
        Assert.Contains(SampleStore.Correlation.ToString(), events[2].GetProperty("metadata").GetRawText(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Pages_by_version()
    {
        await using var temp = await SampleStore.CreateAsync();

        var page = (await Cli.RunAsync("events", temp.Path, "alice", "--from-version", "2", "--take", "1", "--json")).Json();

        var only = Assert.Single(page.GetProperty("events").EnumerateArray());
        Assert.Equal(2, only.GetProperty("version").GetInt64());
        Assert.Equal(3, page.GetProperty("nextFromVersion").GetInt64());
    }

    [Fact]
    public async Task The_tenant_option_reads_the_tenants_stream_of_the_same_id()
    {
        await using var temp = await SampleStore.CreateAsync();

        var json = (await Cli.RunAsync("events", temp.Path, SampleStore.Alice.ToString(), "--tenant", "acme", "--json")).Json();

        var only = Assert.Single(json.GetProperty("events").EnumerateArray());
        Assert.Contains("alice@acme", only.GetProperty("payload").GetRawText(), StringComparison.Ordinal);
        Assert.Equal("acme", json.GetProperty("stream").GetProperty("tenant").GetString());
    }

    [Fact]
    public async Task The_table_shows_each_event_with_its_payload()
    {
        await using var temp = await SampleStore.CreateAsync();

        var result = await Cli.RunAsync("events", temp.Path, "order:alice");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("order_shipped", result.Output, StringComparison.Ordinal);
        Assert.Contains("dhl", result.Output, StringComparison.Ordinal);
        Assert.Contains("3 event(s).", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nobody")]
    [InlineData("0198a2c4-0000-7000-8000-0000000000ff")]
    [InlineData("order-0198a2c4-0000-7000-8000-0000000000ff")]
    public async Task An_unknown_stream_is_not_found(string stream)
    {
        await using var temp = await SampleStore.CreateAsync();

        var result = await Cli.RunAsync("events", temp.Path, stream, "--json");

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("No stream", result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Output);
    }

    [Fact]
    public async Task A_name_used_in_two_categories_is_ambiguous_and_the_message_lists_both_ids()
    {
        await using var temp = await SampleStore.CreateAsync();
        var store = await temp.OpenAsync();
        var other = StreamId.FromName("alice", "invoice");
        await store.AppendAsync(other, [new OrderShipped("ups")], ExpectedVersion.NoStream);

        var result = await Cli.RunAsync("events", temp.Path, "alice");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains(SampleStore.Alice.ToString(), result.Error, StringComparison.Ordinal);
        Assert.Contains(other.ToString(), result.Error, StringComparison.Ordinal);

        // Qualified, it is one stream again.
        Assert.Equal(0, (await Cli.RunAsync("events", temp.Path, "invoice:alice")).ExitCode);
    }
}
