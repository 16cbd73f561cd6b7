using EventSourcery.StoreContract;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SQLitePCL;

namespace EventSourcery.Sqlite.Tests;

/// <summary>
/// The store compiles each statement once and keeps it: SQLite's list of a connection's compiled statements
/// (<c>sqlite3_next_stmt</c>) stays the same from one operation to the next.
/// </summary>
public sealed class SqliteStatementCacheTests
{
    // sqlite3_stmt_status counters (sqlite3.h): times compiled again after the first, and times run.
    private const int StatusReprepare = 5;
    private const int StatusRun = 6;

    [Fact]
    public async Task Appends_and_reads_reuse_the_statements_compiled_the_first_time_and_never_recompile_them()
    {
        await using var db = new TempDatabase();

        // A connection of the test's, so SQLite's statement list can be switched on before anything is compiled; the
        // store over a context on an open connection keeps it open, like a store that owns its connection.
        await using var connection = new SqliteConnection(db.ConnectionString);
        await connection.OpenAsync();
        connection.Handle!.enable_sqlite3_next_stmt(true);
        await using var context = new EventStoreTestContext(new DbContextOptionsBuilder<EventStoreTestContext>().UseSqlite(connection).Options);
        await using var store = new SqliteDbContextEventStore(context);
        var named = StreamId.FromName("switch-1", "switch");

        async Task WorkAsync()
        {
            await store.AppendAsync(named, [new TurnedOn(), new TurnedOff()], ExpectedVersion.Any);
            await store.PublishAsync(StreamId.New("switch"), [new TurnedOn()], ExpectedVersion.NoStream);
            Assert.NotEmpty(await Read.StreamAsync(store, named));
            Assert.NotEmpty(await Read.AllAsync(store));
            await store.SaveCheckpointAsync("p", 1);
            Assert.Equal(1, await store.LoadCheckpointAsync("p"));
            Assert.True(await store.ReadHeadPositionAsync() > 0);
        }

        await WorkAsync();
        await WorkAsync(); // the named stream exists now: its appends update it
        var compiled = Statements(connection);
        await WorkAsync();
        await WorkAsync();
        var after = Statements(connection);

        Assert.True(compiled.Count >= 8, $"expected the store's statements to be kept, found {compiled.Count}");
        // The same native statements: none compiled again.
        Assert.True(
            compiled.Keys.ToHashSet().SetEquals(after.Keys),
            "compiled since the first round: " + string.Join(" | ", after.Where(s => !compiled.ContainsKey(s.Key)).Select(s => s.Value.Sql))
            + "; gone: " + string.Join(" | ", compiled.Where(s => !after.ContainsKey(s.Key)).Select(s => s.Value.Sql)));
        foreach (var (sql, runs, recompiles) in after.Values)
        {
            Assert.True(runs >= 3, $"ran {runs} times: {sql}");
            Assert.True(recompiles == 0, $"recompiled {recompiles} times: {sql}");
        }
    }

    [Fact]
    public async Task Paged_reads_do_not_bind_their_limit()
    {
        // A bound LIMIT makes SQLite compile the statement again on every run; the page size is written into the SQL.
        Assert.DoesNotContain("$limit", Storage.SqliteStorage.ReadStreamPageSql, StringComparison.Ordinal);
        Assert.Contains($"LIMIT {Storage.SqliteStorage.PageSize};", Storage.SqliteStorage.ReadStreamPageSql, StringComparison.Ordinal);
        Assert.Contains($"LIMIT {Storage.SqliteStorage.PageSize};", Storage.SqliteStorage.ReadAllPageSql, StringComparison.Ordinal);
        Assert.DoesNotContain("LIMIT", Storage.SqliteStorage.ReadHeadPositionSql, StringComparison.Ordinal);

        await using var db = new TempDatabase();
        var store = await db.OpenStoreAsync();
        var id = StreamId.New();
        await store.AppendAsync(id, Enumerable.Range(0, Storage.SqliteStorage.PageSize * 2 + 3).Select(_ => (Event)new TurnedOn()).ToArray(), ExpectedVersion.NoStream);
        Assert.Equal(Storage.SqliteStorage.PageSize * 2 + 3, (await Read.StreamAsync(store, id)).Count);
        Assert.Equal(Storage.SqliteStorage.PageSize * 2 + 3, (await Read.AllAsync(store)).Count);
    }

    [Fact]
    public async Task A_store_over_a_context_whose_connection_closes_between_operations_starts_afresh_each_time()
    {
        await using var db = new TempDatabase();
        await using var context = new EventStoreTestContext(new DbContextOptionsBuilder<EventStoreTestContext>().UseSqlite(db.ConnectionString).Options);
        await using var store = new SqliteDbContextEventStore(context);
        var id = StreamId.New();

        for (var i = 1; i <= 5; i++)
        {
            // EF opens the connection for each operation and closes it after: nothing compiled on one open is used on the next.
            await store.AppendAsync(id, [new TurnedOn()], i == 1 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(i - 1));
            Assert.Equal(i, (await Read.StreamAsync(store, id)).Count);
            Assert.Equal(System.Data.ConnectionState.Closed, context.Database.GetDbConnection().State);
        }
    }

    /// <summary>The connection's compiled statements, with their SQL, how often each ran and was compiled again.</summary>
    private static Dictionary<IntPtr, (string Sql, int Runs, int Recompiles)> Statements(SqliteConnection connection)
    {
        var found = new Dictionary<IntPtr, (string, int, int)>();
        for (var stmt = raw.sqlite3_next_stmt(connection.Handle, null); stmt is not null && !stmt.IsInvalid; stmt = raw.sqlite3_next_stmt(connection.Handle, stmt))
        {
            found[stmt.DangerousGetHandle()] = (
                raw.sqlite3_sql(stmt).utf8_to_string(),
                raw.sqlite3_stmt_status(stmt, StatusRun, 0),
                raw.sqlite3_stmt_status(stmt, StatusReprepare, 0));
        }

        return found;
    }

    private sealed class EventStoreTestContext(DbContextOptions<EventStoreTestContext> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddEventSourcery();
    }
}
