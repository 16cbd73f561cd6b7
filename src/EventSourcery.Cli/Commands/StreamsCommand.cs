using System.CommandLine;
using System.Data;
using EventSourcery.Cli.Output;
using EventSourcery.Cli.Store;
using Spectre.Console;

namespace EventSourcery.Cli.Commands;

/// <summary><c>eventsourcery streams &lt;file&gt;</c>: the view's streams, oldest first.</summary>
internal static class StreamsCommand
{
    public static Command Create()
    {
        var file = CommonOptions.File();
        var category = new Option<string?>("--category") { Description = "Only the streams of this category.", HelpName = "category" };
        category.Validators.Add(result =>
        {
            try
            {
                StreamId.ValidateCategory(result.GetValueOrDefault<string?>());
            }
            catch (ArgumentException ex)
            {
                result.AddError(ex.Message);
            }
        });
        var tenant = CommonOptions.Tenant();
        var take = CommonOptions.Take(100);
        var json = CommonOptions.Json();
        var busy = CommonOptions.BusyTimeout();
        var schema = CommonOptions.Schema();
        var command = new Command("streams", "List the streams: id, name, category, tenant, version and event count.") { file, category, tenant, take, json, busy, schema };
        CommandRunner.SetAction(command, file, (parse, ct) => RunAsync(
            parse.GetValue(file)!, parse.GetValue(schema), parse.GetValue(category), parse.GetValue(tenant), parse.GetValue(take), parse.GetValue(json),
            TimeSpan.FromMilliseconds(parse.GetValue(busy)), ct));
        return command;
    }

    private static async Task<int> RunAsync(string path, string? schema, string? category, string? tenant, int take, bool json, TimeSpan busyTimeout, CancellationToken cancellationToken)
    {
        await using var store = await StoreFile.OpenReadOnlyAsync(path, schema, busyTimeout, [StoreFile.Streams, StoreFile.Events], cancellationToken).ConfigureAwait(false);
        await using var command = store.Command($"""
            SELECT {StreamRecord.Columns}, (SELECT COUNT(*) FROM {store.Events} e WHERE e.stream_key = s.stream_key)
            FROM {store.Streams} s
            WHERE s.tenant_id = @tenant AND (@category IS NULL OR s.category = @category)
            ORDER BY s.stream_key
            LIMIT @limit;
            """);
        StoreConnection.Add(command, "@tenant", CommonOptions.StoredTenant(tenant), DbType.String);
        StoreConnection.Add(command, "@category", category, DbType.String);
        StoreConnection.Add(command, "@limit", (long)take + 1, DbType.Int64);
        var rows = new List<(StreamRecord Stream, long Count)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add((StreamRecord.Read(reader), StoreConnection.Int64(reader, 6)));
            }
        }

        var more = rows.Count > take;
        if (more)
        {
            rows.RemoveAt(rows.Count - 1);
        }

        if (json)
        {
            await Terminal.WriteJsonAsync(writer =>
            {
                writer.WriteStartObject();
                writer.WriteStartArray("streams");
                foreach (var (stream, count) in rows)
                {
                    writer.WriteStartObject();
                    stream.WriteProperties(writer);
                    writer.WriteNumber("eventCount", count);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteBoolean("more", more);
                writer.WriteEndObject();
            }, cancellationToken).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        var console = Terminal.Create();
        var table = new Table().AddColumns("Id", "Name", "Category", "Tenant", "Version", "Events");
        table.Columns[4].RightAligned();
        table.Columns[5].RightAligned();
        foreach (var (stream, count) in rows)
        {
            table.AddRow(Terminal.Cell(stream.Id), Terminal.Cell(stream.Name), Terminal.Cell(stream.Category), Terminal.Cell(stream.Tenant), Terminal.Cell(Terminal.Invariant(stream.Version)), Terminal.Cell(Terminal.Invariant(count)));
        }

        console.Write(table);
        console.MarkupLine(more
            ? $"[grey]The first {take} streams; there are more (--take).[/]"
            : $"[grey]{rows.Count} stream(s).[/]");
        return ExitCodes.Ok;
    }
}
