using System.CommandLine;
using System.Data;
using EventSourcery.Cli.Output;
using EventSourcery.Cli.Store;
using Spectre.Console;

namespace EventSourcery.Cli.Commands;

/// <summary><c>eventsourcery events &lt;file&gt; &lt;stream&gt;</c>: one page of a stream's events, by version.</summary>
internal static class EventsCommand
{
    public static Command Create()
    {
        var file = CommonOptions.File();
        var stream = new Argument<string>("stream")
        {
            Description = "The stream: its guid, its id as category-guid (as the streams command shows it), its name, or category:name.",
        };
        var tenant = CommonOptions.Tenant();
        var fromVersion = new Option<long>("--from-version")
        {
            Description = "The first version to show (inclusive).",
            HelpName = "version",
            DefaultValueFactory = _ => 1,
        };
        fromVersion.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<long>() < 1)
            {
                result.AddError("--from-version must be at least 1 (versions start at 1).");
            }
        });
        var take = CommonOptions.Take(100);
        var json = CommonOptions.Json();
        var busy = CommonOptions.BusyTimeout();
        var schema = CommonOptions.Schema();
        var command = new Command("events", "Show a stream's events: position, version, name, id, times, payload and metadata as stored.")
        {
            file, stream, tenant, fromVersion, take, json, busy, schema,
        };
        CommandRunner.SetAction(command, file, (parse, ct) => RunAsync(
            parse.GetValue(file)!, parse.GetValue(schema), parse.GetValue(stream)!, parse.GetValue(tenant), parse.GetValue(fromVersion), parse.GetValue(take),
            parse.GetValue(json), TimeSpan.FromMilliseconds(parse.GetValue(busy)), ct));
        return command;
    }

    private static async Task<int> RunAsync(string path, string? schema, string streamText, string? tenant, long fromVersion, int take, bool json, TimeSpan busyTimeout, CancellationToken cancellationToken)
    {
        await using var store = await StoreFile.OpenReadOnlyAsync(path, schema, busyTimeout, [StoreFile.Streams, StoreFile.Events], cancellationToken).ConfigureAwait(false);
        var stream = await StreamResolver.ResolveAsync(store, CommonOptions.StoredTenant(tenant), streamText, cancellationToken).ConfigureAwait(false);
        var events = new List<EventRecord>();
        await using (var command = store.Command($"""
            SELECT {EventRecord.Columns(store)} FROM {store.Events} e
            WHERE e.stream_key = @stream_key AND e.version >= @from
            ORDER BY e.version
            LIMIT @limit;
            """))
        {
            StoreConnection.Add(command, "@stream_key", stream.Key, DbType.Int64);
            StoreConnection.Add(command, "@from", fromVersion, DbType.Int64);
            StoreConnection.Add(command, "@limit", (long)take + 1, DbType.Int64);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                events.Add(EventRecord.Read(reader));
            }
        }

        // One row more than asked says whether another page follows, and where it starts.
        long? next = null;
        if (events.Count > take)
        {
            next = events[^1].Version;
            events.RemoveAt(events.Count - 1);
        }

        if (json)
        {
            await Terminal.WriteJsonAsync(writer =>
            {
                writer.WriteStartObject();
                writer.WriteStartObject("stream");
                stream.WriteProperties(writer);
                writer.WriteEndObject();
                writer.WriteStartArray("events");
                foreach (var e in events)
                {
                    writer.WriteStartObject();
                    e.WriteProperties(writer);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                if (next is { } n)
                {
                    writer.WriteNumber("nextFromVersion", n);
                }
                else
                {
                    writer.WriteNull("nextFromVersion");
                }

                writer.WriteEndObject();
            }, cancellationToken).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        var console = Terminal.Create();
        console.MarkupLine($"[bold]{Markup.Escape(stream.Id)}[/]{(stream.Name is null ? "" : $" ({Markup.Escape(stream.Name)})")}, version {stream.Version}");
        var table = new Table().AddColumns("Position", "Version", "Name", "Event id", "Created", "Recorded", "Payload", "Metadata");
        table.Columns[0].RightAligned();
        table.Columns[1].RightAligned();
        foreach (var e in events)
        {
            table.AddRow(
                Terminal.Cell(Terminal.Invariant(e.Position)), Terminal.Cell(Terminal.Invariant(e.Version)), Terminal.Cell(e.Name), Terminal.Cell(e.EventId),
                Terminal.Cell(e.CreatedAt), Terminal.Cell(e.RecordedAt), Terminal.Cell(e.Payload), Terminal.Cell(e.Metadata));
        }

        console.Write(table);
        console.MarkupLine(next is { } from
            ? $"[grey]{events.Count} event(s); more from version {from} (--from-version {from}).[/]"
            : $"[grey]{events.Count} event(s).[/]");
        return ExitCodes.Ok;
    }
}
