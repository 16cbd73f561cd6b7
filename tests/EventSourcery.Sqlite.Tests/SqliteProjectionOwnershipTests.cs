using System.Collections.Concurrent;
using EventSourcery.StoreContract;

namespace EventSourcery.Sqlite.Tests;

/// <summary>
/// Two app instances (two store instances, two connections, one file) running the same projection: one owns it and
/// handles every event, the other waits on standby and takes over when the first stops.
/// </summary>
public sealed class SqliteProjectionOwnershipTests : IAsyncLifetime
{
    private readonly TempDatabase _db = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _db.DisposeAsync().AsTask();

    [Fact]
    public async Task Two_instances_on_one_file_never_handle_the_same_events_and_the_standby_takes_over()
    {
        var storeA = await _db.OpenStoreAsync();
        var storeB = await _db.OpenStoreAsync();
        var seen = new ConcurrentDictionary<string, ConcurrentQueue<long>>();
        var options = new ProjectionOptions { PollInterval = TimeSpan.FromMilliseconds(20), BatchSize = 10 };
        ProjectionRunner Runner(IEventStore store, string instance) => new(store, new Recorder("summaries", seen.GetOrAdd(instance, _ => new ConcurrentQueue<long>())), options);
        var runnerA = Runner(storeA, "a");
        var runnerB = Runner(storeB, "b");
        using var stopA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();

        var runA = runnerA.RunAsync(stopA.Token);
        await WaitUntilAsync(async () => await _db.ScalarAsync("SELECT COUNT(*) FROM es_projection_leases") is 1L); // A owns it
        var runB = runnerB.RunAsync(stopB.Token);
        var last = await AppendAsync(storeA, 200);
        await WaitUntilAsync(async () => await runnerA.GetCheckpointAsync() == last);
        await Task.Delay(100);

        Assert.Equal(200, seen["a"].Count);
        Assert.Empty(seen["b"]);

        await stopA.CancelAsync();
        await runA;
        last = await AppendAsync(storeB, 20);
        await WaitUntilAsync(async () => await runnerB.GetCheckpointAsync() == last);
        await stopB.CancelAsync();
        await runB;

        Assert.Equal(20, seen["b"].Count);
        Assert.Equal(220, seen["a"].Concat(seen["b"]).Distinct().Count());
        Assert.Equal(0L, await _db.ScalarAsync("SELECT COUNT(*) FROM es_projection_leases")); // both gave it up
    }

    private static async Task<long> AppendAsync(IEventStore store, int count)
    {
        long last = 0;
        for (var i = 0; i < count; i++)
        {
            last = (await store.AppendAsync(StreamId.New("note"), [new NoteAdded($"n{i}", i, DateTimeOffset.UnixEpoch)], ExpectedVersion.NoStream)).LastPosition;
        }

        return last;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(10);
        }
    }

    private sealed class Recorder(string name, ConcurrentQueue<long> positions) : IProjection
    {
        public string Name => name;

        public ValueTask HandleAsync(RecordedEvent recorded, CancellationToken cancellationToken)
        {
            positions.Enqueue(recorded.Position);
            return ValueTask.CompletedTask;
        }
    }
}
