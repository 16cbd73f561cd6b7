using System.CommandLine;
using EventSourcery.Cli.Output;
using EventSourcery.Cli.Store;
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
        var command = new Command("tail", "Print new events as they are committed, until Ctrl+C.") { file, tenant, from, interval, json, busy };
        CommandRunner.SetAction(command, file, (parse, ct) => RunAsync(
            parse.GetValue(file)!, parse.GetValue(tenant), parse.GetResult(from) is null ? null : parse.GetValue(from),
            TimeSpan.FromMilliseconds(parse.GetValue(interval)), parse.GetValue(json), TimeSpan.FromMilliseconds(parse.GetValue(busy)), ct));
        return command;
    }

    private static async Task<int> RunAsync(string path, string? tenantOption, long? fromPosition, TimeSpan interval, bool json, TimeSpan busyTimeout, CancellationToken cancellationToken)
    {
        var tenant = CommonOptions.StoredTenant(tenantOption);
        await using var connection = await StoreFile.OpenReadOnlyAsync(path, busyTimeout, [StoreFile.Streams, StoreFile.Events], cancellationToken).ConfigureAwait(false);
        await using var head = connection.CreateCommand();
        head.CommandText = "SELECT COALESCE(MAX(position), 0) FROM es_events WHERE tenant_id = $tenant;";
        head.Parameters.AddWithValue("$tenant", tenant);
        var after = fromPosition ?? (long)(await head.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;

        await using var read = connection.CreateCommand();
        read.CommandText = $"""
            SELECT {EventRecord.Columns}, {StreamRecord.Columns}
            FROM es_events e JOIN es_streams s ON s.stream_key = e.stream_key
            WHERE e.tenant_id = $tenant AND e.position > $after
            ORDER BY e.position
            LIMIT {PageSize};
            """;
        read.Parameters.AddWithValue("$tenant", tenant);
        var afterParameter = read.Parameters.AddWithValue("$after", after);

        var stdout = Console.OpenStandardOutput();
        await using var _ = stdout.ConfigureAwait(false);
        var console = json ? null : Terminal.Create();
        await Console.Error.WriteLineAsync($"Following the {StreamResolver.View(tenant)} of '{path}' after position {after}; Ctrl+C stops.").ConfigureAwait(false);
        try
        {
            while (true)
            {
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
}
