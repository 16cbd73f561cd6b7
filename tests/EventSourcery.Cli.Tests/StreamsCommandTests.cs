namespace EventSourcery.Cli.Tests;

public sealed class StreamsCommandTests
{
    [Fact]
    public async Task Json_lists_the_default_views_streams_with_versions_and_event_counts()
    {
        await using var temp = await SampleStore.CreateAsync();

        var result = await Cli.RunAsync("streams", temp.Path, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = result.Json();
        var streams = json.GetProperty("streams").EnumerateArray().ToList();
        Assert.Equal(2, streams.Count);
        Assert.False(json.GetProperty("more").GetBoolean());

        var alice = streams[0];
        Assert.Equal(SampleStore.Alice.ToString(), alice.GetProperty("id").GetString());
        Assert.Equal(SampleStore.Alice.Value, alice.GetProperty("guid").GetGuid());
        Assert.Equal("alice", alice.GetProperty("name").GetString());
        Assert.Equal("order", alice.GetProperty("category").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, alice.GetProperty("tenant").ValueKind);
        Assert.Equal(3, alice.GetProperty("version").GetInt64());
        Assert.Equal(3, alice.GetProperty("eventCount").GetInt64());

        var loose = streams[1];
        Assert.Equal(SampleStore.Loose.ToString(), loose.GetProperty("id").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, loose.GetProperty("name").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, loose.GetProperty("category").ValueKind);
        Assert.Equal(1, loose.GetProperty("eventCount").GetInt64());
    }

    [Fact]
    public async Task Tenant_category_and_take_narrow_the_list()
    {
        await using var temp = await SampleStore.CreateAsync();

        var tenant = (await Cli.RunAsync("streams", temp.Path, "--tenant", "acme", "--json")).Json();
        var acme = Assert.Single(tenant.GetProperty("streams").EnumerateArray());
        Assert.Equal("acme", acme.GetProperty("tenant").GetString());
        Assert.Equal(1, acme.GetProperty("version").GetInt64());

        var category = (await Cli.RunAsync("streams", temp.Path, "--category", "order", "--json")).Json();
        Assert.Equal("alice", Assert.Single(category.GetProperty("streams").EnumerateArray()).GetProperty("name").GetString());

        var first = (await Cli.RunAsync("streams", temp.Path, "--take", "1", "--json")).Json();
        Assert.Single(first.GetProperty("streams").EnumerateArray());
        Assert.True(first.GetProperty("more").GetBoolean());
    }

    [Fact]
    public async Task The_table_shows_the_streams_without_colour_when_the_output_is_redirected()
    {
        await using var temp = await SampleStore.CreateAsync();

        var result = await Cli.RunAsync("streams", temp.Path);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(SampleStore.Alice.Value.ToString(), result.Output, StringComparison.Ordinal);
        Assert.Contains("alice", result.Output, StringComparison.Ordinal);
        Assert.Contains("2 stream(s).", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', result.Output);
    }

    [Theory]
    [InlineData("--take", "0")]
    [InlineData("--tenant", "no spaces")]
    [InlineData("--category", "bad/category")]
    [InlineData("--no-such-option", "x")]
    public async Task A_malformed_command_line_is_a_usage_error(string option, string value)
    {
        await using var temp = await SampleStore.CreateAsync();

        var result = await Cli.RunAsync("streams", temp.Path, option, value);

        Assert.True(result.ExitCode == 1, result.ToString());
    }
}
