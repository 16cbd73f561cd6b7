using System.Diagnostics;
using EventSourcery.PostgreSql.Tests;
using Npgsql;

namespace EventSourcery.Cli.Tests;

/// <summary>
/// The tool on a PostgreSQL store: the same commands, given a connection string (and <c>--schema</c>) instead of a
/// file, against a real server with the sample store written by the library.
/// </summary>
[Collection(PostgresTests.Name)]
public sealed class PostgreSqlCliTests(PostgresServer server) : IAsyncLifetime
{
    private readonly string _schema = "es_cli_" + Guid.NewGuid().ToString("N")[..12];
    private PostgreSqlEventStore? _store;

    private string ConnectionString => server.ConnectionString;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task Streams_and_events_read_the_schema_the_store_writes()
    {
        var store = await CreateSampleAsync();

        var streams = await Cli.RunAsync("streams", ConnectionString, "--schema", _schema, "--json");
        Assert.True(streams.ExitCode == 0, streams.ToString());
        var list = streams.Json().GetProperty("streams").EnumerateArray().ToList();
        Assert.Equal([SampleStore.Alice.ToString(), SampleStore.Loose.ToString()], list.Select(s => s.GetProperty("id").GetString()));
        Assert.Equal([3L, 1L], list.Select(s => s.GetProperty("eventCount").GetInt64()));

        var events = await Cli.RunAsync("events", ConnectionString, "order:alice", "--schema", _schema, "--json");
        Assert.True(events.ExitCode == 0, events.ToString());
        var read = events.Json().GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["OrderPlaced", "order_shipped", "OrderPlaced"], read.Select(e => e.GetProperty("name").GetString()));
        Assert.Equal(1, read[0].GetProperty("schemaVersion").GetInt64());
        Assert.Equal("alice", read[0].GetProperty("payload").GetProperty("customer").GetString());
        Assert.Equal(SampleStore.Correlation.ToString(), read[2].GetProperty("metadata").GetProperty("correlationId").GetString());

        // Ids and times come from native columns; the tool shows them as the SQLite store keeps them, exact to the tick and offset.
        var stored = new List<RecordedEvent>();
        await foreach (var e in store.ReadStreamAsync(SampleStore.Alice))
        {
            stored.Add(e);
        }

        var o = System.Globalization.CultureInfo.InvariantCulture;
        Assert.Equal(stored.Select(e => e.Event.Id.ToString("D").ToUpperInvariant()), read.Select(e => e.GetProperty("eventId").GetString()));
        Assert.Equal(stored.Select(e => e.Event.CreatedAt.ToString("O", o)), read.Select(e => e.GetProperty("createdAt").GetString()));
        Assert.Equal(stored.Select(e => e.RecordedAt.ToString("O", o)), read.Select(e => e.GetProperty("recordedAt").GetString()));

        var tenant = await Cli.RunAsync("streams", ConnectionString, "--schema", _schema, "--tenant", "acme", "--json");
        Assert.Single(tenant.Json().GetProperty("streams").EnumerateArray());
    }

    [SkippableFact]
    public async Task The_outbox_and_its_dead_letters_are_shown_and_retried()
    {
        var store = await OpenAsync();
        await store.PublishAsync(StreamId.New("order"), [new OrderPlaced("carol", 2m)], ExpectedVersion.NoStream);
        await new Outbox(store, (_, _) => throw new InvalidOperationException("broker down"), new OutboxOptions { MaxAttempts = 1 }).RunOnceAsync();

        var shown = await Cli.RunAsync("outbox", ConnectionString, "--schema", _schema, "--json");
        Assert.True(shown.ExitCode == 0, shown.ToString());
        var deadLetter = Assert.Single(shown.Json().GetProperty("deadLetters").EnumerateArray());
        Assert.Equal(1, deadLetter.GetProperty("attempts").GetInt64());
        Assert.Contains("broker down", deadLetter.GetProperty("lastError").GetString(), StringComparison.Ordinal);

        var retried = await Cli.RunAsync("outbox", "retry", ConnectionString, "--all", "--schema", _schema, "--json");
        Assert.True(retried.ExitCode == 0, retried.ToString());
        Assert.Equal(1, retried.Json().GetProperty("retried").GetInt64());
        Assert.Equal(1, await new Outbox(store, (_, _) => ValueTask.CompletedTask).GetPendingCountAsync());
    }

    [SkippableFact]
    public async Task A_checkpoint_is_shown_and_reset()
    {
        var store = await CreateSampleAsync();
        await store.SaveCheckpointAsync("orders", 3);

        var shown = await Cli.RunAsync("checkpoints", ConnectionString, "--schema", _schema, "--json");
        Assert.True(shown.ExitCode == 0, shown.ToString());
        var checkpoint = Assert.Single(shown.Json().GetProperty("checkpoints").EnumerateArray());
        Assert.Equal(("orders", 3L, 1L), (checkpoint.GetProperty("name").GetString(), checkpoint.GetProperty("position").GetInt64(), checkpoint.GetProperty("lag").GetInt64()));

        var reset = await Cli.RunAsync("checkpoints", "reset", ConnectionString, "orders", "--to", "1", "--schema", _schema, "--json");
        Assert.True(reset.ExitCode == 0, reset.ToString());
        Assert.Equal(1, await store.LoadCheckpointAsync("orders"));
    }

    [SkippableFact]
    public async Task Tail_prints_what_is_committed_after_it_starts()
    {
        var store = await CreateSampleAsync();
        using var tail = Cli.Start(["tail", ConnectionString, "--schema", _schema, "--json", "--interval", "20"]);
        await Task.Delay(1500); // it has read the head and waits
        var appended = await store.AppendAsync(StreamId.New("order"), [new OrderPlaced("dave", 4m)], ExpectedVersion.NoStream);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await tail.StandardOutput.ReadLineAsync(timeout.Token);
        tail.Kill();
        Assert.NotNull(line);
        Assert.Contains($"\"position\":{appended.LastPosition}", line, StringComparison.Ordinal);
        Assert.Contains("dave", line, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_schema_without_the_stores_tables_and_a_server_that_is_not_there_exit_with_2()
    {
        server.SkipIfUnavailable();

        var empty = await Cli.RunAsync("streams", ConnectionString, "--schema", "no_such_schema");
        Assert.Equal(2, empty.ExitCode);
        Assert.Contains("schema 'no_such_schema' is not an EventSourcery store: it has no table es_streams", empty.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", empty.Error, StringComparison.OrdinalIgnoreCase);

        var gone = await Cli.RunAsync("streams", "Host=127.0.0.1;Port=1;Username=nobody;Database=nothing;Timeout=3");
        Assert.Equal(2, gone.ExitCode);
        Assert.Contains("cannot be reached", gone.Error, StringComparison.Ordinal);

        var sqliteOnly = await Cli.RunAsync("streams", "/tmp/some.db", "--schema", "x");
        Assert.Equal(1, sqliteOnly.ExitCode);
        Assert.Contains("--schema is for a PostgreSQL store", sqliteOnly.Error, StringComparison.Ordinal);
    }

    private async Task<PostgreSqlEventStore> OpenAsync()
    {
        server.SkipIfUnavailable();
        return _store ??= await PostgreSqlEventStore.OpenAsync(ConnectionString, new PostgreSqlEventStoreOptions { Schema = _schema });
    }

    /// <summary>The same sample as the SQLite tests' <see cref="SampleStore"/>, in this test's schema.</summary>
    private async Task<PostgreSqlEventStore> CreateSampleAsync()
    {
        var store = await OpenAsync();
        await store.AppendAsync(SampleStore.Alice, [new OrderPlaced("alice", 10m), new OrderShipped("dhl")], ExpectedVersion.NoStream);
        await store.AppendAsync(SampleStore.Loose, [new OrderPlaced("bob", 1.5m)], ExpectedVersion.NoStream);
        await store.AppendAsync(SampleStore.Alice, [new OrderPlaced("alice", 5m) { Metadata = new EventMetadata { CorrelationId = SampleStore.Correlation } }], ExpectedVersion.Exactly(2));
        await store.ForTenant("acme").AppendAsync(SampleStore.Alice, [new OrderPlaced("alice@acme", 7m)], ExpectedVersion.NoStream);
        return store;
    }
}
