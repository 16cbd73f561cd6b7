using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EventSourcery.Hosting.Tests;

/// <summary>
/// The application's own <c>projections</c> commands (<see cref="EventSourceryCommands"/>): run as the command line
/// names them, with their output and exit codes, without starting the host's workers.
/// </summary>
public sealed class EventSourceryCommandsTests
{
    [Fact]
    public async Task Rebuild_empties_the_read_model_and_runs_the_projection_to_the_head_showing_progress()
    {
        var store = new InMemoryEventStore();
        await AppendParcelsAsync(store, 250);
        var counter = new Counter("parcel-count");
        await new ProjectionRunner(store, counter).RunOnceAsync(); // the read model as it stood
        using var host = Build(store, counter, new Counter("other"));

        var (code, output, error) = await RunAsync(host, "projections", "rebuild", "parcel-count");

        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Equal(250, counter.Count); // emptied, then every event once: not 500
        Assert.Equal(1, counter.Resets);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("parcel-count [", StringComparison.Ordinal) && l.Contains("100%", StringComparison.Ordinal));
        Assert.True(lines.Count(l => l.StartsWith("parcel-count [", StringComparison.Ordinal)) >= 3, output); // batches of 100: 40%, 80%, 100%
        Assert.StartsWith("Rebuilt parcel-count: 250 events in ", lines[^1], StringComparison.Ordinal);
        Assert.Equal(250, await store.LoadCheckpointAsync("parcel-count"));
        Assert.Equal(0, new Counter("other").Count);
    }

    [Fact]
    public async Task A_projection_that_cannot_empty_its_read_model_is_rebuilt_with_a_warning()
    {
        var store = new InMemoryEventStore();
        await AppendParcelsAsync(store, 3);
        var plain = new Plain("plain");
        using var host = Build(store, plain);

        var (code, output, _) = await RunAsync(host, "projections", "rebuild", "plain");

        Assert.Equal(0, code);
        Assert.Contains("plain is not an IResettableProjection", output, StringComparison.Ordinal);
        Assert.Equal(3, plain.Count);
    }

    [Fact]
    public async Task List_shows_each_projections_checkpoint_head_and_lag()
    {
        var store = new InMemoryEventStore();
        await AppendParcelsAsync(store, 5);
        var counter = new Counter("parcel-count");
        await new ProjectionRunner(store, counter, new ProjectionOptions { BatchSize = 2 }).RunOnceAsync();
        await AppendParcelsAsync(store, 2);
        using var host = Build(store, counter, new Plain("plain"));

        var (code, output, _) = await RunAsync(host, "projections", "list");

        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Matches(@"^PROJECTION\s+CHECKPOINT\s+HEAD\s+LAG\s+REBUILD EMPTIES READ MODEL$", lines[0]);
        Assert.Matches(@"^parcel-count\s+5\s+7\s+2\s+yes$", lines[1]);
        Assert.Matches(@"^plain\s+0\s+7\s+7\s+no$", lines[2]);
    }

    [Theory]
    [InlineData(3, "projections", "rebuild", "nope")]
    [InlineData(1, "projections", "rebuild")]
    [InlineData(1, "projections", "frobnicate")]
    [InlineData(1, "projections")]
    public async Task A_wrong_command_line_exits_with_its_code_and_says_why(int expected, params string[] args)
    {
        using var host = Build(new InMemoryEventStore(), new Counter("parcel-count"));

        var (code, output, error) = await RunAsync(host, args);

        Assert.Equal(expected, code);
        Assert.Equal("", output);
        Assert.Contains(expected == 3 ? "no projection is named 'nope' (registered: parcel-count)" : "Usage:", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_projection_that_fails_during_a_rebuild_exits_with_5_naming_the_position()
    {
        var store = new InMemoryEventStore();
        var appended = await AppendParcelsAsync(store, 3);
        using var host = Build(store, new Counter("parcel-count") { FailAt = 2 });

        var (code, _, error) = await RunAsync(host, "projections", "rebuild", "parcel-count");

        Assert.Equal(5, code);
        Assert.Contains($"parcel-count stopped at position {appended.LastPosition - 1}: parcel 2 cannot be counted", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Any_other_command_line_runs_the_host()
    {
        var store = new InMemoryEventStore();
        await AppendParcelsAsync(store, 2);
        var counter = new Counter("parcel-count");
        using var host = Build(store, counter, poll: TimeSpan.FromMilliseconds(10));
        using var cts = new CancellationTokenSource();

        var running = RunAsync(host, ["--urls", "http://localhost:5000"], cts.Token);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (counter.Count < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        await cts.CancelAsync();
        Assert.Equal(0, (await running).Code);
        Assert.Equal(2, counter.Count); // the worker ran
    }

    private static async Task<AppendResult> AppendParcelsAsync(InMemoryEventStore store, int count)
    {
        AppendResult last = default;
        for (var i = 0; i < count; i++)
        {
            last = await store.AppendAsync(StreamId.New("parcel"), [new ParcelShipped($"p{i}")], ExpectedVersion.NoStream);
        }

        return last;
    }

    private static IHost Build(InMemoryEventStore store, params IProjection[] projections) => Build(store, projections, TimeSpan.FromSeconds(1));

    private static IHost Build(InMemoryEventStore store, IProjection projection, TimeSpan poll) => Build(store, [projection], poll);

    private static IHost Build(InMemoryEventStore store, IProjection[] projections, TimeSpan poll)
        => Host.CreateDefaultBuilder()
            .ConfigureLogging(logging => logging.ClearProviders())
            .ConfigureServices(services =>
            {
                var builder = services.AddEventSourcery(_ => store);
                foreach (var projection in projections)
                {
                    builder.AddProjection(_ => projection, new ProjectionOptions { PollInterval = poll, MaxAttempts = 1, RetryDelay = TimeSpan.Zero });
                }
            })
            .Build();

    private static Task<(int Code, string Output, string Error)> RunAsync(IHost host, params string[] args) => RunAsync(host, args, CancellationToken.None);

    private static async Task<(int Code, string Output, string Error)> RunAsync(IHost host, string[] args, CancellationToken cancellationToken)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await EventSourceryCommands.RunAsync(host, args, output, error, terminal: false, cancellationToken);
        return (code, output.ToString().Replace("\r\n", "\n", StringComparison.Ordinal), error.ToString());
    }

    /// <summary>Counts parcels; empties its count when reset.</summary>
    private sealed class Counter(string name) : IProjection, IResettableProjection
    {
        private int _count;

        public string Name => name;

        public int Count => Volatile.Read(ref _count);

        public int Resets { get; private set; }

        public int? FailAt { get; init; }

        public ValueTask HandleAsync(RecordedEvent recorded, CancellationToken cancellationToken)
        {
            if (Count + 1 == FailAt)
            {
                throw new InvalidOperationException($"parcel {FailAt} cannot be counted");
            }

            Interlocked.Increment(ref _count);
            return ValueTask.CompletedTask;
        }

        public ValueTask ResetAsync(CancellationToken cancellationToken)
        {
            _count = 0;
            Resets++;
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Counts parcels, with no way to empty its count.</summary>
    private sealed class Plain(string name) : IProjection
    {
        public string Name => name;

        public int Count { get; private set; }

        public ValueTask HandleAsync(RecordedEvent recorded, CancellationToken cancellationToken)
        {
            Count++;
            return ValueTask.CompletedTask;
        }
    }
}
