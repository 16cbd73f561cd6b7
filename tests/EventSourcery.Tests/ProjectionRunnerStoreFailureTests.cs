using System.Collections.Concurrent;
using EventSourcery.StoreContract;

namespace EventSourcery.Tests;

/// <summary>What a projection run does when the store, not the handler, fails.</summary>
public sealed class ProjectionRunnerStoreFailureTests
{
    [Fact]
    public async Task RunAsync_reports_store_failures_and_tries_again_until_it_has_caught_up()
    {
        var store = new FlakyStore(new InMemoryEventStore()) { FailingReads = 2, FailingCheckpointWrites = 1 };
        long last = 0;
        for (var i = 0; i < 5; i++)
        {
            last = (await store.AppendAsync(StreamId.New("note"), [new NoteAdded($"n{i}", i, DateTimeOffset.UnixEpoch)], ExpectedVersion.NoStream)).LastPosition;
        }

        var errors = new ConcurrentQueue<Exception>();
        var handled = new ConcurrentQueue<string>();
        var runner = new ProjectionRunner(
            store,
            new Texts("texts", handled),
            new ProjectionOptions { PollInterval = TimeSpan.FromMilliseconds(10), OnError = errors.Enqueue });

        using var cts = new CancellationTokenSource();
        var running = runner.RunAsync(cts.Token);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await store.LoadCheckpointAsync("texts") < last && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        await cts.CancelAsync();
        await running; // returns quietly: no store failure escaped

        // Two failed reads, then a pass whose checkpoint write failed, then a pass that worked.
        Assert.Equal(["The store is unavailable (read).", "The store is unavailable (read).", "The store is unavailable (checkpoint)."], errors.Select(e => e.Message));
        Assert.Equal(last, await store.LoadCheckpointAsync("texts"));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"n{i}"), handled.Distinct());
        Assert.Equal(10, handled.Count); // at least once: the pass whose checkpoint was lost is handed over again
        Assert.Null((await runner.GetStatusAsync()).LastError);
    }

    [Fact]
    public async Task Without_RunAsync_a_store_failure_reaches_the_caller_of_RunOnceAsync()
    {
        var store = new FlakyStore(new InMemoryEventStore()) { FailingReads = 1 };
        await store.AppendAsync(StreamId.New("note"), [new NoteAdded("n0", 0, DateTimeOffset.UnixEpoch)], ExpectedVersion.NoStream);
        var runner = new ProjectionRunner(store, new Texts("texts", new ConcurrentQueue<string>()));

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => runner.RunOnceAsync());

        Assert.Equal("The store is unavailable (read).", ex.Message);
        Assert.Equal(1, await runner.RunOnceAsync());
    }

    private sealed class Texts(string name, ConcurrentQueue<string> into) : IProjection
    {
        public string Name => name;

        public ValueTask HandleAsync(RecordedEvent recorded, CancellationToken cancellationToken)
        {
            into.Enqueue(((NoteAdded)recorded.Event).Text);
            return ValueTask.CompletedTask;
        }
    }
}
