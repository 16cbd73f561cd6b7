using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace EventSourcery.Reliability.Tests;

/// <summary>
/// Two app instances (two processes) run one projection on one SQLite file: one owns it, the other waits; when the
/// owner is killed with SIGKILL, the standby takes over within the lease and nothing is skipped.
/// </summary>
public sealed class ProjectionFailoverTests(ITestOutputHelper output)
{
    private const int LeaseMs = 1_500;

    [Fact]
    public async Task A_projection_owner_killed_with_SIGKILL_is_taken_over_by_the_standby_within_its_lease()
    {
        await using var dir = new TempDirectory();
        var store = await dir.OpenStoreAsync();
        var ownerLog = dir.File("owner.log");
        var standbyLog = dir.File("standby.log");
        var appended = new List<long>();

        await using var owner = await StartAsync(dir, ownerLog);
        await AppendAsync(store, appended, 50);
        await WaitUntilHandledAsync(ownerLog, appended[^1], TimeSpan.FromSeconds(30));

        await using var standby = await StartAsync(dir, standbyLog);
        await AppendAsync(store, appended, 50);
        await WaitUntilHandledAsync(ownerLog, appended[^1], TimeSpan.FromSeconds(30));
        await Task.Delay(200);
        Assert.Empty(Positions(standbyLog)); // on standby while the owner lives

        await owner.KillAsync();
        var clock = Stopwatch.StartNew();
        await AppendAsync(store, appended, 50);
        await WaitUntilHandledAsync(standbyLog, appended[^1], TimeSpan.FromSeconds(30));
        var takeover = clock.Elapsed;

        standby.CloseInput();
        Assert.Equal(0, await standby.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        var byOwner = Positions(ownerLog);
        var byStandby = Positions(standbyLog);
        Assert.Equal(appended, byOwner.Concat(byStandby).Distinct().Order()); // nothing skipped
        Assert.Equal(appended[..100], byOwner); // the owner handled everything until it died, once each
        var repeated = byStandby.Intersect(byOwner).ToList();
        output.WriteLine($"took over {takeover.TotalMilliseconds:0} ms after the kill (lease {LeaseMs} ms); repeated {repeated.Count} event(s)");
        Assert.True(repeated.Count <= 10, $"the standby repeated {repeated.Count} events; at most one batch (10) after the owner's last checkpoint");
        Assert.True(takeover < TimeSpan.FromMilliseconds(LeaseMs + 5_000), $"took over after {takeover.TotalMilliseconds:0} ms (lease {LeaseMs} ms)");
    }

    private static async Task<WriterProcess> StartAsync(TempDirectory dir, string log)
    {
        var process = await WriterProcess.StartAsync("project", "--db", dir.DatabasePath, "--log", log, "--lease-ms", LeaseMs.ToString(CultureInfo.InvariantCulture));
        await process.WaitForReadyAsync();
        return process;
    }

    private static async Task AppendAsync(IEventStore store, List<long> appended, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var result = await store.AppendAsync(StreamId.New("failover"), [new OutboxItemPublished(i, appended.Count + 1)], ExpectedVersion.NoStream);
            appended.Add(result.LastPosition);
        }
    }

    private static async Task WaitUntilHandledAsync(string log, long position, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Positions(log).Contains(position))
        {
            Assert.True(DateTime.UtcNow < deadline, $"position {position} was not handled within {timeout.TotalSeconds} s; {log} holds {Positions(log).Count} positions");
            await Task.Delay(20);
        }
    }

    private static List<long> Positions(string log)
    {
        if (!File.Exists(log))
        {
            return [];
        }

        using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => long.Parse(line, CultureInfo.InvariantCulture)).ToList();
    }
}
