namespace EventSourcery.Reliability.Tests;

/// <summary>
/// Invalid arguments to both stores, the repository, the outbox and the value types fail up front with
/// <see cref="ArgumentException"/> (or a subclass) whose <see cref="ArgumentException.ParamName"/> names the parameter,
/// and nothing is written.
/// </summary>
public sealed class ArgumentValidationTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private SqliteEventStore _sqlite = null!;

    public static TheoryData<string> Stores => ["memory", "sqlite"];

    public static TheoryData<string?> MalformedCategories => ["", " ", "has space", "ümlaut", "slash/ed", "tab\t", "new\nline", new string('a', StreamId.MaxCategoryLength + 1), "emoji🎉"];

    public async Task InitializeAsync() => _sqlite = await _dir.OpenStoreAsync();

    public Task DisposeAsync() => _dir.DisposeAsync().AsTask();

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Store_operations_reject_a_default_stream_id_naming_streamId(string kind)
    {
        var store = Store(kind);
        var exceptions = new[]
        {
            await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(default, [new Ticked()], ExpectedVersion.Any).AsTask()),
            await Assert.ThrowsAsync<ArgumentException>(() => store.PublishAsync(default, [new Ticked()], ExpectedVersion.Any).AsTask()),
            await Assert.ThrowsAsync<ArgumentException>(() => Read.StreamAsync(store, default)),
            await Assert.ThrowsAsync<ArgumentException>(() => store.DeleteStreamAsync(default).AsTask()),
        };

        Assert.All(exceptions, ex => Assert.Equal("streamId", ex.ParamName));
        await AssertNothingWrittenAsync(store);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Appends_reject_a_null_list_an_empty_list_and_a_null_element_naming_events(string kind)
    {
        var store = Store(kind);
        var id = StreamId.New();
        var exceptions = new ArgumentException[]
        {
            await Assert.ThrowsAsync<ArgumentNullException>(() => store.AppendAsync(id, null!, ExpectedVersion.Any).AsTask()),
            await Assert.ThrowsAsync<ArgumentNullException>(() => store.PublishAsync(id, null!, ExpectedVersion.Any).AsTask()),
            await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(id, [], ExpectedVersion.Any).AsTask()),
            await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(id, [new Ticked(), null!], ExpectedVersion.Any).AsTask()),
            await Assert.ThrowsAsync<ArgumentException>(() => store.PublishAsync(id, [null!], ExpectedVersion.NoStream).AsTask()),
        };

        Assert.All(exceptions, ex => Assert.Equal("events", ex.ParamName));
        await AssertNothingWrittenAsync(store);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Reads_reject_versions_below_1_an_inverted_range_and_a_negative_position(string kind)
    {
        var store = Store(kind);
        var id = StreamId.New();
        await store.AppendAsync(id, [new Ticked()], ExpectedVersion.NoStream);

        foreach (var from in new[] { 0L, -1L, long.MinValue })
        {
            var ex = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Read.StreamAsync(store, id, from));
            Assert.Equal("fromVersion", ex.ParamName);
        }

        var inverted = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
        {
            await foreach (var _ in store.ReadStreamAsync(id, fromVersion: 3, toVersion: 2))
            {
            }
        });
        var negative = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Read.AllAsync(store, -1));

        Assert.Equal("fromVersion", inverted.ParamName);
        Assert.Equal("afterPosition", negative.ParamName);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(long.MinValue)]
    public void ExpectedVersion_Exactly_rejects_versions_below_1_naming_version(long version)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ExpectedVersion.Exactly(version));
        Assert.Equal("version", ex.ParamName);
    }

    [Theory]
    [MemberData(nameof(MalformedCategories))]
    public void Stream_ids_reject_a_malformed_category_naming_category(string? category)
    {
        var exceptions = new[]
        {
            Assert.Throws<ArgumentException>(() => StreamId.New(category)),
            Assert.Throws<ArgumentException>(() => new StreamId(Guid.NewGuid(), category)),
            Assert.Throws<ArgumentException>(() => StreamId.FromName("name", category)),
        };

        Assert.All(exceptions, ex => Assert.Equal("category", ex.ParamName));
    }

    [Fact]
    public void Stream_ids_reject_an_empty_guid_and_an_empty_or_null_name()
    {
        Assert.Equal("value", Assert.Throws<ArgumentException>(() => new StreamId(Guid.Empty, "fine")).ParamName);
        Assert.Equal("name", Assert.ThrowsAny<ArgumentException>(() => StreamId.FromName("", "fine")).ParamName);
        Assert.Equal("name", Assert.ThrowsAny<ArgumentException>(() => StreamId.FromName(null!, "fine")).ParamName);
        Assert.Equal(StreamId.MaxCategoryLength, StreamId.New(new string('a', StreamId.MaxCategoryLength)).Category!.Length);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Tenant_views_reject_a_null_empty_or_blank_tenant_naming_tenantId(string kind)
    {
        var store = Store(kind);
        foreach (var tenant in new[] { null, "", " ", "\t" })
        {
            Assert.Equal("tenantId", Assert.ThrowsAny<ArgumentException>(() => store.ForTenant(tenant!)).ParamName);
        }

        await AssertNothingWrittenAsync(store);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task The_repository_rejects_bad_arguments_naming_them_and_writes_nothing(string kind)
    {
        var store = Store(kind);
        var tickers = new Repository<Ticker>(store);
        var id = StreamId.New("ticker");

        Assert.Equal("store", Assert.Throws<ArgumentNullException>(() => new Repository<Ticker>(null!)).ParamName);
        Assert.Equal("id", (await Assert.ThrowsAsync<ArgumentException>(() => tickers.NewAsync(default, t => t.Tick()))).ParamName);
        Assert.Equal("id", (await Assert.ThrowsAsync<ArgumentException>(() => tickers.UpdateAsync(default, t => t.Tick()))).ParamName);
        Assert.Equal("id", (await Assert.ThrowsAsync<ArgumentException>(() => tickers.LoadAsync(default))).ParamName);
        Assert.Equal("change", (await Assert.ThrowsAsync<ArgumentNullException>(() => tickers.NewAsync(id, (Action<Ticker>)null!))).ParamName);
        Assert.Equal("change", (await Assert.ThrowsAsync<ArgumentNullException>(() => tickers.UpdateAsync(id, (Action<Ticker>)null!))).ParamName);
        Assert.Equal("aggregate", (await Assert.ThrowsAsync<ArgumentNullException>(() => tickers.SaveAsync(null!))).ParamName);

        // An aggregate made outside the repository has no stream id: saving it is refused, not written to some stream.
        var orphan = new Ticker();
        orphan.Tick();
        Assert.Equal("aggregate", (await Assert.ThrowsAsync<ArgumentException>(() => tickers.SaveAsync(orphan))).ParamName);

        await AssertNothingWrittenAsync(store);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public void The_outbox_rejects_a_null_store_or_publisher(string kind)
    {
        var store = Store(kind);
        Assert.Equal("store", Assert.Throws<ArgumentNullException>(() => new Outbox(null!, (_, _) => ValueTask.CompletedTask)).ParamName);
        Assert.Equal("publisher", Assert.Throws<ArgumentNullException>(() => new Outbox(store, null!)).ParamName);
    }

    private IEventStore Store(string kind) => kind == "memory" ? new InMemoryEventStore() : _sqlite;

    private static async Task AssertNothingWrittenAsync(IEventStore store)
    {
        Assert.Empty(await Read.AllAsync(store));
        Assert.Equal(0, await ((IOutboxStore)store).CountOutboxAsync());
    }
}
