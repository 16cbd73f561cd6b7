using System.Collections.Concurrent;
using System.Diagnostics;
using EventSourcery.StoreContract;

namespace EventSourcery.PostgreSql.Tests;

/// <summary>
/// A global read on a store over a data source fetches its next page while the caller handles the current one (the
/// page statements are seen through Npgsql's own tracing), leaves no read running once the caller stops, and still
/// returns every event once in order. A store over a user's context never reads ahead: their code uses its one
/// connection between the events it is handed.
/// </summary>
[Collection(PostgresTests.Name)]
public sealed class PostgreSqlReadAheadTests(PostgresServer server) : IAsyncLifetime
{
    private const int Events = Storage.PostgreSqlStorage.PageSize + 10;
    private readonly PgStores _stores = new(server);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _stores.DisposeAsync().AsTask();

    [SkippableFact]
    public async Task The_next_page_is_read_while_the_caller_holds_an_event_of_the_current_one()
    {
        var store = await _stores.OpenStoreAsync();
        await AppendAsync(store);
        using var pages = new PageReads(store.Schema);

        await using var events = store.ReadAllAsync().GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync());
        await pages.Completed(2).WaitAsync(TimeSpan.FromSeconds(30)); // the second page, while the first event is held

        var positions = new List<long> { events.Current.Position };
        while (await events.MoveNextAsync())
        {
            positions.Add(events.Current.Position);
        }

        Assert.Equal(Enumerable.Range(1, Events).Select(i => (long)i), positions);
    }

    [SkippableFact]
    public async Task A_caller_that_stops_early_leaves_no_page_read_running()
    {
        var store = await _stores.OpenStoreAsync();
        await AppendAsync(store);
        Assert.Equal(Events, (await Read.AllAsync(store)).Count); // once before, so that nothing is compiled while the caller holds the first event
        using var pages = new PageReads(store.Schema, holdEachEnd: TimeSpan.FromMilliseconds(300)); // the page read ahead ends well after the caller stops

        await using (var events = store.ReadAllAsync().GetAsyncEnumerator())
        {
            Assert.True(await events.MoveNextAsync());
        }

        Assert.Equal(2, pages.Started);
        Assert.Equal(2, pages.Stopped);
    }

    [SkippableFact]
    public async Task A_store_over_a_users_context_reads_the_next_page_only_when_the_caller_asks_for_it()
    {
        var observer = await _stores.OpenStoreAsync();
        await AppendAsync(observer);
        await using var context = ShopContext.Create(_stores.ConnectionString, observer.Schema);
        var store = new PostgreSqlDbContextEventStore(context, new PostgreSqlEventStoreOptions { Schema = observer.Schema });
        using var pages = new PageReads(observer.Schema);

        await using var events = store.ReadAllAsync().GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync());
        Assert.Equal(1, pages.Started);

        var count = 1;
        while (await events.MoveNextAsync())
        {
            count++;
        }

        Assert.Equal((Events, 2), (count, pages.Started));
    }

    private static async Task AppendAsync(IEventStore store)
        => await store.AppendAsync(StreamId.New("light"), [.. Enumerable.Range(0, Events).Select(i => i % 2 == 0 ? (Event)new TurnedOn() : new TurnedOff())], ExpectedVersion.NoStream);

    /// <summary>The global page reads of one schema, as Npgsql traces its commands.</summary>
    private sealed class PageReads : IDisposable
    {
        private readonly ActivityListener _listener;
        private readonly string _statement;
        private readonly ConcurrentDictionary<int, TaskCompletionSource> _waits = new();
        private readonly ConcurrentQueue<Activity> _commands = new(); // Npgsql tags a command after it has started
        private int _stopped;

        /// <param name="schema">The store's schema.</param>
        /// <param name="holdEachEnd">How long each page read is held up as it ends (on the thread that ends it), before it counts as ended.</param>
        public PageReads(string schema, TimeSpan holdEachEnd = default)
        {
            _statement = new Storage.PostgreSqlStorage(schema).ReadAllPageSql;
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == "Npgsql",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
                ActivityStarted = _commands.Enqueue,
                ActivityStopped = activity =>
                {
                    if (IsPageRead(activity))
                    {
                        Thread.Sleep(holdEachEnd);
                        var stopped = Interlocked.Increment(ref _stopped);
                        Waiter(stopped).TrySetResult();
                    }
                },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        /// <summary>The page reads started so far, running or not.</summary>
        public int Started => _commands.Count(IsPageRead);

        public int Stopped => Volatile.Read(ref _stopped);

        /// <summary>Completes once <paramref name="count"/> page reads have ended.</summary>
        public Task Completed(int count) => Stopped >= count ? Task.CompletedTask : Waiter(count).Task;

        public void Dispose() => _listener.Dispose();

        private TaskCompletionSource Waiter(int count) => _waits.GetOrAdd(count, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

        private bool IsPageRead(Activity activity)
            => activity.TagObjects.Any(tag => tag.Value is string text && text.Contains(_statement, StringComparison.Ordinal));
    }
}
