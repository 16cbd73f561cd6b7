namespace EventSourcery.Cli.Tests;

public sealed class CheckpointsCommandTests
{
    [Fact]
    public async Task Shows_each_checkpoint_with_its_lag_behind_the_head_and_the_leases()
    {
        await using var temp = await CreateAsync();
        var until = DateTimeOffset.UtcNow.AddMinutes(5);
        await temp.RowsAsync(
            "INSERT INTO es_projection_leases (tenant_id, name, owner, lease_until) VALUES ('', 'order-count', 'host-a:42', $until)",
            ("$until", until.UtcTicks));

        var result = await Cli.RunAsync("checkpoints", temp.Path, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = result.Json();
        var head = json.GetProperty("head").GetInt64();
        var checkpoint = Assert.Single(json.GetProperty("checkpoints").EnumerateArray());
        Assert.Equal("order-count", checkpoint.GetProperty("name").GetString());
        Assert.Equal(6, head);
        Assert.Equal(4, checkpoint.GetProperty("position").GetInt64());

        // Positions, as ProjectionStatus.Lag counts them (5 is the tenant's event, not in this view).
        Assert.Equal(2, checkpoint.GetProperty("lag").GetInt64());
        var lease = Assert.Single(json.GetProperty("leases").EnumerateArray());
        Assert.Equal("host-a:42", lease.GetProperty("owner").GetString());
        Assert.Equal(until.UtcTicks, DateTimeOffset.Parse(lease.GetProperty("leaseUntil").GetString()!, System.Globalization.CultureInfo.InvariantCulture).UtcTicks);
        Assert.False(lease.GetProperty("expired").GetBoolean());

        var table = await Cli.RunAsync("checkpoints", temp.Path);
        Assert.Contains("order-count", table.Output, StringComparison.Ordinal);
        Assert.Contains("host-a:42", table.Output, StringComparison.Ordinal);

        var tenant = (await Cli.RunAsync("checkpoints", temp.Path, "--tenant", "acme", "--json")).Json();
        Assert.Empty(tenant.GetProperty("checkpoints").EnumerateArray());
    }

    [Fact]
    public async Task Reset_to_a_position_moves_the_checkpoint_and_the_runner_handles_the_events_after_it_again()
    {
        await using var temp = await CreateAsync();

        var result = await Cli.RunAsync("checkpoints", "reset", temp.Path, "order-count", "--to", "2", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(2, result.Json().GetProperty("to").GetInt64());
        var projection = new CountingProjection();
        var runner = new ProjectionRunner(await temp.OpenAsync(), projection);
        Assert.Equal(2, await runner.GetCheckpointAsync());
        await runner.RunOnceAsync();
        Assert.Equal([3L, 4L, 6L], projection.Positions); // 5 is the tenant's event, in another view
    }

    [Fact]
    public async Task Reset_without_a_position_deletes_the_checkpoint()
    {
        await using var temp = await CreateAsync();

        var result = await Cli.RunAsync("checkpoints", "reset", temp.Path, "order-count");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Deleted checkpoint", result.Output, StringComparison.Ordinal);
        Assert.Empty(await temp.RowsAsync("SELECT * FROM es_checkpoints"));
        Assert.Equal(0, await new ProjectionRunner(await temp.OpenAsync(), new CountingProjection()).GetCheckpointAsync());
    }

    [Fact]
    public async Task Reset_of_an_unknown_checkpoint_is_not_found_and_past_the_head_is_refused()
    {
        await using var temp = await CreateAsync();

        var unknown = await Cli.RunAsync("checkpoints", "reset", temp.Path, "no-such-projection");
        var otherTenant = await Cli.RunAsync("checkpoints", "reset", temp.Path, "order-count", "--tenant", "acme");
        var pastHead = await Cli.RunAsync("checkpoints", "reset", temp.Path, "order-count", "--to", "1000");
        var negative = await Cli.RunAsync("checkpoints", "reset", temp.Path, "order-count", "--to", "-1");

        Assert.True(unknown.ExitCode == 3, unknown.ToString());
        Assert.True(otherTenant.ExitCode == 3, otherTenant.ToString());
        Assert.True(pastHead.ExitCode == 1, pastHead.ToString());
        Assert.Contains("past the head", pastHead.Error, StringComparison.Ordinal);
        Assert.True(negative.ExitCode == 1, negative.ToString());
        Assert.Equal(4L, (await temp.RowsAsync("SELECT position FROM es_checkpoints WHERE name = 'order-count'"))[0][0]);
    }

    [Fact]
    public async Task Reset_warns_when_a_runner_holds_the_projections_lease()
    {
        await using var temp = await CreateAsync();
        await temp.RowsAsync(
            "INSERT INTO es_projection_leases (tenant_id, name, owner, lease_until) VALUES ('', 'order-count', 'host-b:7', $until)",
            ("$until", DateTimeOffset.UtcNow.AddMinutes(5).UtcTicks));

        var result = await Cli.RunAsync("checkpoints", "reset", temp.Path, "order-count", "--to", "1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("'host-b:7' holds the lease", result.Error, StringComparison.Ordinal);
    }

    /// <summary>The sample store (positions 1–5, 5 the tenant's), a projection run over the default view (to 4), then one more event (6).</summary>
    private static async Task<TempStore> CreateAsync()
    {
        var temp = await SampleStore.CreateAsync();
        var store = await temp.OpenAsync();
        await new ProjectionRunner(store, new CountingProjection()).RunOnceAsync();
        await store.AppendAsync(SampleStore.Loose, [new OrderShipped("ups")], ExpectedVersion.Exactly(1));
        return temp;
    }

    private sealed class CountingProjection : IProjection
    {
        public List<long> Positions { get; } = [];

        public string Name => "order-count";

        public ValueTask HandleAsync(RecordedEvent e, CancellationToken cancellationToken)
        {
            Positions.Add(e.Position);
            return ValueTask.CompletedTask;
        }
    }
}
