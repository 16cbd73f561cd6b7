using System.Collections.Concurrent;

namespace EventSourcery.Reliability.Tests;

/// <summary>
/// Eight writers, 500 appends each, four streams, a mix of expectations (any, no stream, exactly the version the
/// writer last saw — often stale): afterwards every acknowledged event is stored exactly once where its AppendResult
/// said, every rejected one is absent, versions are contiguous, positions strictly increase, and the only exception
/// any writer ever saw is <see cref="ConcurrencyException"/>.
/// </summary>
[Collection(HeavyTests.Name)]
public sealed class ConcurrencyTortureTests
{
    private const int Writers = 8;
    private const int StreamCount = 4;
    private static readonly int Appends = Soak.Scale(500);

    [Fact]
    public async Task In_memory_store_8_concurrent_writers_lose_and_corrupt_nothing()
    {
        var seed = Soak.Seed(1001);
        var store = new InMemoryEventStore();
        var streams = Streams("memory");

        var outcomes = await RunWritersAsync(_ => Task.FromResult<IEventStore>(store), streams, seed);

        await TortureInvariants.AssertAsync(store, streams, outcomes, seed);
        Assert.Contains(outcomes, o => o.Kind == OutcomeKind.Rejected);
    }

    [Fact]
    [Trait(Traits.Category, Traits.Long)]
    public async Task Sqlite_8_writers_each_with_its_own_store_instance_on_one_file_lose_and_corrupt_nothing()
    {
        var seed = Soak.Seed(1002);
        await using var dir = new TempDirectory();
        var streams = Streams("own");

        // Eight instances opening a fresh file at once also race to create the schema.
        var outcomes = await RunWritersAsync(async _ => await dir.OpenStoreAsync(), streams, seed);

        await TortureInvariants.AssertAsync(await dir.OpenStoreAsync(), streams, outcomes, seed, () => OutboxEventIdsAsync(dir));
        Assert.Contains(outcomes, o => o.Kind == OutcomeKind.Rejected);
        Assert.Equal("ok", await dir.IntegrityCheckAsync());
    }

    [Fact]
    [Trait(Traits.Category, Traits.Long)]
    public async Task Sqlite_8_writers_sharing_one_store_instance_lose_and_corrupt_nothing()
    {
        var seed = Soak.Seed(1003);
        await using var dir = new TempDirectory();
        var store = await dir.OpenStoreAsync();
        var streams = Streams("shared");

        var outcomes = await RunWritersAsync(_ => Task.FromResult<IEventStore>(store), streams, seed);

        await TortureInvariants.AssertAsync(store, streams, outcomes, seed, () => OutboxEventIdsAsync(dir));
        Assert.Contains(outcomes, o => o.Kind == OutcomeKind.Rejected);
    }

    [Fact]
    [Trait(Traits.Category, Traits.Long)]
    public async Task Two_processes_with_4_writers_each_on_one_sqlite_file_lose_and_corrupt_nothing()
    {
        var seed = Soak.Seed(1004);
        await using var dir = new TempDirectory();
        var streams = Streams("processes");
        _ = await dir.OpenStoreAsync(); // the schema exists before the children start; they race on appends only

        var children = new List<WriterProcess>();
        try
        {
            for (var p = 0; p < 2; p++)
            {
                children.Add(await WriterProcess.StartAsync(
                    "torture",
                    "--db", dir.DatabasePath,
                    "--log", dir.File($"process-{p}.log"),
                    "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "--appends", Appends.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "--writers", (Writers / 2).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "--writer-base", (p * Writers / 2).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "--streams", "processes",
                    "--count", StreamCount.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }

            foreach (var child in children)
            {
                await child.WaitForReadyAsync();
            }

            foreach (var child in children)
            {
                await child.SendLineAsync("go");
            }

            foreach (var child in children)
            {
                var exit = await child.WaitForExitAsync(TimeSpan.FromSeconds(Soak.Scale(120)));
                Assert.True(exit is 0 or 3, $"writer {child.Id} exited with {exit}: {child.StandardError}");
            }
        }
        finally
        {
            foreach (var child in children)
            {
                await child.DisposeAsync();
            }
        }

        var outcomes = new List<AppendOutcome>();
        for (var p = 0; p < 2; p++)
        {
            outcomes.AddRange((await File.ReadAllLinesAsync(dir.File($"process-{p}.log"))).Select(AppendOutcome.Parse));
        }

        Assert.Equal(Writers * Appends, outcomes.Count);
        await TortureInvariants.AssertAsync(await dir.OpenStoreAsync(), streams, outcomes, seed, () => OutboxEventIdsAsync(dir));
        Assert.Contains(outcomes, o => o.Kind == OutcomeKind.Rejected);
        Assert.Equal("ok", await dir.IntegrityCheckAsync());
    }

    private static async Task<List<Guid>> OutboxEventIdsAsync(TempDirectory dir)
        => (await dir.RowsAsync("SELECT event_id FROM es_outbox")).Select(r => Guid.Parse((string)r[0]!)).ToList();

    private static StreamId[] Streams(string prefix)
        => Enumerable.Range(0, StreamCount).Select(i => StreamId.FromName($"{prefix}-{i}", "torture")).ToArray();

    /// <summary>Opens one store per writer (through <paramref name="open"/>), then starts all writers at once.</summary>
    private static async Task<List<AppendOutcome>> RunWritersAsync(Func<int, Task<IEventStore>> open, StreamId[] streams, int seed)
    {
        var outcomes = new ConcurrentQueue<AppendOutcome>();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stores = await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(() => open(w))));
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            await go.Task;
            await TortureWriter.RunAsync(stores[w], w, streams, Appends, seed, outcomes.Enqueue);
        })).ToArray();
        go.SetResult();
        await Task.WhenAll(writers);
        Assert.Equal(Writers * Appends, outcomes.Count);
        return [.. outcomes];
    }
}
