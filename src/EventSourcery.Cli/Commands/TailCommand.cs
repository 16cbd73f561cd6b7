using System.CommandLine;
using EventSourcery.Cli.Output;
using EventSourcery.Cli.Store;
using System.Data;
using Microsoft.Data.Sqlite;
using Spectre.Console;

namespace EventSourcery.Cli.Commands;

/// <summary>
/// <c>eventsourcery tail &lt;file&gt;</c>: prints the view's events as they are committed, by polling, until Ctrl+C (exit
/// code 0). With <c>--json</c>, one JSON object per line.
/// </summary>
internal static class TailCommand
{
    private const int PageSize = 500;

    public static Command Create()
    {
        var file = CommonOptions.File();
        var tenant = CommonOptions.Tenant();
        var from = CommonOptions.Position("--from-position", "Print the events after this position (exclusive) first; without it, only events committed from now on.");
        var interval = new Option<int>("--interval")
        {
            Description = "How often to look for new events, in milliseconds.",
            HelpName = "ms",
            DefaultValueFactory = _ => 500,
        };
        interval.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 10)
            {
                result.AddError("--interval must be at least 10 ms.");
            }
        });
        var json = CommonOptions.Json();
        var busy = CommonOptions.BusyTimeout();
        var schema = CommonOptions.Schema();
        var command = new Command("tail", "Print new events as they are committed, until Ctrl+C.") { file, tenant, from, interval, json, busy, schema };
        CommandRunner.SetAction(command, file, (parse, ct) => RunAsync(
            parse.GetValue(file)!, parse.GetValue(schema), parse.GetValue(tenant), parse.GetResult(from) is null ? null : parse.GetValue(from),
            TimeSpan.FromMilliseconds(parse.GetValue(interval)), parse.GetValue(json), TimeSpan.FromMilliseconds(parse.GetValue(busy)), ct));
        return command;
    }

    private static async Task<int> RunAsync(string path, string? schema, string? tenantOption, long? fromPosition, TimeSpan interval, bool json, TimeSpan busyTimeout, CancellationToken cancellationToken)
    {
        var tenant = CommonOptions.StoredTenant(tenantOption);
        await using var store = await StoreFile.OpenReadOnlyAsync(path, schema, busyTimeout, [StoreFile.Streams, StoreFile.Events], cancellationToken).ConfigureAwait(false);
        var after = fromPosition ?? await CheckpointReset.ReadHeadAsync(store, null, tenant, cancellationToken).ConfigureAwait(false);

        // Up to a bound: on PostgreSQL, positions commit out of order, so each read stops at a position below which every
        // append has committed or rolled back (the store's own gap safety, docs/decisions/0012); SQLite commits in order.
        await using var bound = SafeBound.Command(store, tenant);
        await using var read = store.Command($"""
            SELECT {EventRecord.Columns(store)}, {StreamRecord.Columns}
            FROM {store.Events} e JOIN {store.Streams} s ON s.stream_key = e.stream_key
            WHERE e.tenant_id = @tenant AND e.position > @after AND e.position <= @bound
            ORDER BY e.position
            LIMIT {PageSize};
            """);
        StoreConnection.Add(read, "@tenant", tenant, DbType.String);
        StoreConnection.Add(read, "@after", after, DbType.Int64);
        StoreConnection.Add(read, "@bound", long.MaxValue, DbType.Int64);
        var afterParameter = read.Parameters["@after"];
        var boundParameter = read.Parameters["@bound"];

        var stdout = Console.OpenStandardOutput();
        await using var _ = stdout.ConfigureAwait(false);
        var console = json ? null : Terminal.Create();
        await Console.Error.WriteLineAsync($"Following the {StreamResolver.View(tenant)} of {(store.IsPostgreSql ? "the " + store.Description : $"'{path}'")} after position {after}; Ctrl+C stops.").ConfigureAwait(false);
        try
        {
            while (true)
            {
                if (bound is not null)
                {
                    bound.Parameters["@after"].Value = after;
                    if (await bound.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not long safe)
                    {
                        await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
                        continue; // nothing committed past it
                    }

                    boundParameter.Value = safe;
                }

                afterParameter.Value = after;
                var count = 0;
                await using (var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        var e = EventRecord.Read(reader);
                        var stream = StreamRecord.Read(reader, EventRecord.ColumnCount);
                        if (console is null)
                        {
                            await WriteJsonLineAsync(stdout, e, stream, cancellationToken).ConfigureAwait(false);
                        }
                        else
                        {
                            console.MarkupLine($"[grey]{e.Position}[/] {Markup.Escape(stream.Id)} [grey]v{e.Version}[/] [green]{Markup.Escape(e.Name)}[/] [grey]{Markup.Escape(e.RecordedAt)}[/] {Markup.Escape(e.Payload)}");
                        }

                        after = e.Position;
                        count++;
                    }
                }

                if (count < PageSize)
                {
                    await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C (or SIGTERM): the normal end of a tail.
            return ExitCodes.Ok;
        }
        catch (SqliteException ex) when (cancellationToken.IsCancellationRequested && (ex.SqliteErrorCode & 0xFF) == 9)
        {
            // SQLITE_INTERRUPT: the read was cut short by the same Ctrl+C.
            return ExitCodes.Ok;
        }
    }

    private static async Task WriteJsonLineAsync(Stream stdout, EventRecord e, StreamRecord stream, CancellationToken cancellationToken)
    {
        var writer = Terminal.CreateJsonWriter(stdout, indented: false);
        await using (writer.ConfigureAwait(false))
        {
            writer.WriteStartObject();
            writer.WriteString("streamId", stream.Id);
            writer.WriteString("streamName", stream.Name);
            writer.WriteString("category", stream.Category);
            writer.WriteString("tenant", stream.Tenant);
            e.WriteProperties(writer);
            writer.WriteEndObject();
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        await stdout.WriteAsync("\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// PostgreSQL's safe upper bound for a global read, computed as the store computes it: the highest committed
    /// position, then the store's append lock taken exclusively for a moment, which waits for every append holding it
    /// shared. The lock's key is the store's (FNV-1a of <c>eventsourcery:append:{schema}</c>, PostgreSqlStorage.AppendLock).
    /// </summary>
    private static class SafeBound
    {
        public static System.Data.Common.DbCommand? Command(StoreConnection store, string tenant)
        {
            if (!store.IsPostgreSql)
            {
                return null;
            }

            var command = store.Command($"""
                SELECT b.bound, pg_advisory_unlock(@lock)
                FROM (
                    SELECT head.bound, pg_advisory_lock(@lock) IS NULL AS waited
                    FROM (SELECT COALESCE(MAX(position), 0) AS bound FROM {store.Events} WHERE tenant_id = @tenant) AS head
                    WHERE head.bound > @after
                    OFFSET 0) AS b
                WHERE NOT b.waited;
                """);
            StoreConnection.Add(command, "@lock", LockKey("eventsourcery:append:" + store.Schema), DbType.Int64);
            StoreConnection.Add(command, "@tenant", tenant, DbType.String);
            StoreConnection.Add(command, "@after", 0L, DbType.Int64);
            return command;
        }

        public static long LockKey(string name)
        {
            var hash = 14695981039346656037UL;
            foreach (var b in System.Text.Encoding.UTF8.GetBytes(name))
            {
                hash = (hash ^ b) * 1099511628211UL;
            }

            return unchecked((long)hash);
        }
    }
}
