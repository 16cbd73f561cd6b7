using System.CommandLine;
using System.Data;
using EventSourcery.Cli.Output;
using EventSourcery.Cli.Store;
using Spectre.Console;

namespace EventSourcery.Cli.Commands;

/// <summary>
/// <c>eventsourcery outbox &lt;file&gt;</c>: how many entries wait for delivery and the dead letters;
/// <c>eventsourcery outbox retry &lt;file&gt; (&lt;id&gt; | --all)</c>: puts dead letters back for delivery.
/// </summary>
internal static class OutboxCommand
{
    public static Command Create()
    {
        var file = CommonOptions.File();
        var tenant = CommonOptions.Tenant();
        var json = CommonOptions.Json();
        var busy = CommonOptions.BusyTimeout();
        var schema = CommonOptions.Schema();
        var command = new Command("outbox", "Show the outbox: entries waiting for delivery, and the dead letters.") { file, tenant, json, busy, schema };
        CommandRunner.SetAction(command, file, (parse, ct) => ShowAsync(
            parse.GetValue(file)!, parse.GetValue(schema), parse.GetValue(tenant), parse.GetValue(json), TimeSpan.FromMilliseconds(parse.GetValue(busy)), ct));
        command.Subcommands.Add(CreateRetry());
        return command;
    }

    private static Command CreateRetry()
    {
        var file = CommonOptions.File();
        var id = new Argument<long?>("id") { Description = "The dead letter's id (the outbox command lists them).", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = "Retry every dead letter of the view." };
        var tenant = CommonOptions.Tenant();
        var json = CommonOptions.Json();
        var busy = CommonOptions.BusyTimeout();
        var schema = CommonOptions.Schema();
        var command = new Command("retry", "Put a dead letter (or --all of them) back for delivery, as Outbox.RetryAsync does: attempts 0, the last error kept.")
        {
            file, id, all, tenant, json, busy, schema,
        };
        command.Validators.Add(result =>
        {
            // Whether an id was given at all (its value may not parse; the parser reports that itself).
            var hasId = result.GetResult(id) is { Tokens.Count: > 0 };
            var hasAll = result.GetValue(all);
            if (hasId == hasAll)
            {
                result.AddError("Give either a dead letter's id or --all.");
            }
        });
        CommandRunner.SetAction(command, file, (parse, ct) => RetryAsync(
            parse.GetValue(file)!, parse.GetValue(schema), parse.GetValue(id), parse.GetValue(tenant), parse.GetValue(json), TimeSpan.FromMilliseconds(parse.GetValue(busy)), ct));
        return command;
    }

    private static async Task<int> ShowAsync(string path, string? schema, string? tenantOption, bool json, TimeSpan busyTimeout, CancellationToken cancellationToken)
    {
        var tenant = CommonOptions.StoredTenant(tenantOption);
        await using var store = await StoreFile.OpenReadOnlyAsync(path, schema, busyTimeout, [StoreFile.Outbox], cancellationToken).ConfigureAwait(false);

        // Both reads in one transaction, so the count and the list describe the same moment.
        await using var transaction = await store.BeginAsync(write: false, cancellationToken).ConfigureAwait(false);
        long pending;
        await using (var count = store.Command($"SELECT COUNT(*) FROM {store.Outbox} WHERE tenant_id = @tenant AND dead_lettered_at IS NULL;", transaction))
        {
            StoreConnection.Add(count, "@tenant", tenant, DbType.String);
            pending = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        }

        var deadLetters = new List<DeadLetter>();
        await using (var read = store.Command($"""
            SELECT id, position, category, stream_id, stream_name, version, event_id, event_name, attempts, last_error, dead_lettered_at
            FROM {store.Outbox}
            WHERE tenant_id = @tenant AND dead_lettered_at IS NOT NULL
            ORDER BY id;
            """, transaction))
        {
            StoreConnection.Add(read, "@tenant", tenant, DbType.String);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var category = reader.GetString(2);
                deadLetters.Add(new DeadLetter(
                    reader.GetInt64(0), reader.GetInt64(1),
                    new StreamId(StoreConnection.ReadGuid(reader, 3), category.Length == 0 ? null : category).ToString(),
                    reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt64(5), StoreConnection.GuidText(reader, 6), reader.GetString(7),
                    StoreConnection.Int64(reader, 8), reader.IsDBNull(9) ? null : reader.GetString(9), StoreConnection.TimeText(reader, 10)));
            }
        }

        if (json)
        {
            await Terminal.WriteJsonAsync(writer =>
            {
                writer.WriteStartObject();
                writer.WriteNumber("pending", pending);
                writer.WriteNumber("deadLetterCount", deadLetters.Count);
                writer.WriteStartArray("deadLetters");
                foreach (var d in deadLetters)
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("id", d.Id);
                    writer.WriteNumber("position", d.Position);
                    writer.WriteString("streamId", d.StreamId);
                    writer.WriteString("streamName", d.StreamName);
                    writer.WriteNumber("version", d.Version);
                    writer.WriteString("eventId", d.EventId);
                    writer.WriteString("eventName", d.EventName);
                    writer.WriteNumber("attempts", d.Attempts);
                    writer.WriteString("lastError", d.LastError);
                    writer.WriteString("deadLetteredAt", d.DeadLetteredAt);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }, cancellationToken).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        var console = Terminal.Create();
        console.MarkupLine($"Outbox of the {Markup.Escape(StreamResolver.View(tenant))}: [bold]{pending}[/] pending, [{(deadLetters.Count == 0 ? "green" : "red")}]{deadLetters.Count} dead letter(s)[/].");
        if (deadLetters.Count > 0)
        {
            var table = new Table().AddColumns("Id", "Stream", "Version", "Event", "Event id", "Attempts", "Last error", "Dead-lettered at");
            foreach (var d in deadLetters)
            {
                table.AddRow(
                    Terminal.Cell(Terminal.Invariant(d.Id)), Terminal.Cell(d.StreamName is null ? d.StreamId : $"{d.StreamId} ({d.StreamName})"),
                    Terminal.Cell(Terminal.Invariant(d.Version)), Terminal.Cell(d.EventName), Terminal.Cell(d.EventId),
                    Terminal.Cell(Terminal.Invariant(d.Attempts)), Terminal.Cell(d.LastError), Terminal.Cell(d.DeadLetteredAt));
            }

            console.Write(table);
        }

        return ExitCodes.Ok;
    }

    private static async Task<int> RetryAsync(string path, string? schema, long? id, string? tenantOption, bool json, TimeSpan busyTimeout, CancellationToken cancellationToken)
    {
        var tenant = CommonOptions.StoredTenant(tenantOption);
        await using var store = await StoreFile.OpenReadWriteAsync(path, schema, busyTimeout, [StoreFile.Outbox], cancellationToken).ConfigureAwait(false);

        // One write transaction (SQLite: BEGIN IMMEDIATE, the write lock first), so the change meets no outbox runner half-way.
        await using var transaction = await store.BeginAsync(write: true, cancellationToken).ConfigureAwait(false);

        // Word for word the update of the library's Outbox.RetryAsync (RetryDeadLettersAsync of each store): the entry
        // waits for delivery again with no attempt counted; its last error stays for the record.
        var update = $"UPDATE {store.Outbox} SET dead_lettered_at = NULL, retry_at = NULL, attempts = 0 WHERE tenant_id = @tenant AND dead_lettered_at IS NOT NULL";
        await using var command = store.Command(id is null ? $"{update};" : $"{update} AND id = @id;", transaction);
        StoreConnection.Add(command, "@tenant", tenant, DbType.String);
        if (id is { } one)
        {
            StoreConnection.Add(command, "@id", one, DbType.Int64);
        }

        var retried = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        if (id is { } missing && retried == 0)
        {
            throw CliException.NotFound($"No dead letter {missing} in the outbox of the {StreamResolver.View(tenant)}.");
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (json)
        {
            await Terminal.WriteJsonAsync(writer =>
            {
                writer.WriteStartObject();
                writer.WriteNumber("retried", retried);
                writer.WriteEndObject();
            }, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            Terminal.Create().MarkupLine($"Retried {retried} dead letter(s) of the {Markup.Escape(StreamResolver.View(tenant))}; the outbox delivers them on its next pass.");
        }

        return ExitCodes.Ok;
    }

    private sealed record DeadLetter(long Id, long Position, string StreamId, string? StreamName, long Version, string EventId, string EventName, long Attempts, string? LastError, string DeadLetteredAt);
}
