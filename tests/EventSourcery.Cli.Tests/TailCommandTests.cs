using System.Diagnostics;
using System.Text.Json;

namespace EventSourcery.Cli.Tests;

public sealed class TailCommandTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Prints_the_events_after_the_position_then_new_ones_as_they_commit_until_ctrl_c_which_exits_0()
    {
        await using var temp = await SampleStore.CreateAsync();
        var store = await temp.OpenAsync();
        using var tail = Cli.Start(["tail", temp.Path, "--from-position", "2", "--interval", "50", "--json"]);
        try
        {
            // The default view's events after 2: 3 (Loose) and 4 (Alice's third); 5 is the tenant's.
            var first = Position(await ReadLineAsync(tail));
            var second = Position(await ReadLineAsync(tail));
            Assert.Equal((3L, 4L), (first, second));

            await store.AppendAsync(SampleStore.Loose, [new OrderShipped("ups")], ExpectedVersion.Exactly(1));
            var line = JsonDocument.Parse(await ReadLineAsync(tail)).RootElement;
            Assert.Equal(6, line.GetProperty("position").GetInt64());
            Assert.Equal(SampleStore.Loose.ToString(), line.GetProperty("streamId").GetString());
            Assert.Equal("order_shipped", line.GetProperty("name").GetString());
            Assert.Equal("ups", line.GetProperty("payload").EnumerateObject().Single().Value.GetString());

            Assert.Equal(0, await InterruptAsync(tail));
        }
        finally
        {
            Kill(tail);
        }
    }

    [Fact]
    public async Task Without_a_position_it_starts_at_the_head_of_the_tenants_view()
    {
        await using var temp = await SampleStore.CreateAsync();
        var acme = (await temp.OpenAsync()).ForTenant("acme");
        using var tail = Cli.Start(["tail", temp.Path, "--tenant", "acme", "--interval", "50"]);
        try
        {
            var started = await tail.StandardError.ReadLineAsync().WaitAsync(Wait);
            Assert.Contains("after position 5", started, StringComparison.Ordinal);

            await acme.AppendAsync(SampleStore.Alice, [new OrderShipped("acme-post")], ExpectedVersion.Exactly(1));
            var line = await ReadLineAsync(tail);
            Assert.StartsWith("6 ", line, StringComparison.Ordinal);
            Assert.Contains("order_shipped", line, StringComparison.Ordinal);
            Assert.Contains("acme-post", line, StringComparison.Ordinal);

            Assert.Equal(0, await InterruptAsync(tail));
            Assert.Equal("", await tail.StandardOutput.ReadToEndAsync()); // nothing from before the head
        }
        finally
        {
            Kill(tail);
        }
    }

    private static long Position(string line) => JsonDocument.Parse(line).RootElement.GetProperty("position").GetInt64();

    private static async Task<string> ReadLineAsync(Process process)
        => await process.StandardOutput.ReadLineAsync().WaitAsync(Wait) ?? throw new InvalidOperationException($"The tail ended: {await process.StandardError.ReadToEndAsync()}");

    /// <summary>Ctrl+C: SIGINT to the tool's process; returns its exit code.</summary>
    private static async Task<int> InterruptAsync(Process process)
    {
        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(Wait);
        await process.WaitForExitAsync(timeout.Token);
        return process.ExitCode;
    }

    private static void Kill(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill();
        }
    }
}
