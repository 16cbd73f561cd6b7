using System.CommandLine;
using System.Data;
using EventSourcery.Cli.Output;
using EventSourcery.Cli.Store;
using Spectre.Console;

namespace EventSourcery.Cli.Commands;

/// <summary>
/// <c>eventsourcery checkpoints &lt;file&gt;</c>: the view's projection checkpoints, their lag behind the head, and the
/// projections' leases; <c>eventsourcery checkpoints reset &lt;file&gt; &lt;name&gt; [--to P]</c>: moves or deletes one.
/// </summary>
internal static class CheckpointsCommand
{
    public static Command Create()
    {
        var file = CommonOptions.File();
        var tenant = CommonOptions.Tenant();
        var json = CommonOptions.Json();
        var busy = CommonOptions.BusyTimeout();
        var schema = CommonOptions.Schema();
        var command = new Command("checkpoints", "Show the projections' checkpoints (position, update time, lag behind the head) and leases (owner, until when).")
        {
            file, tenant, json, busy, schema,
        };
        CommandRunner.SetAction(command, file, (parse, ct) => ShowAsync(
            parse.GetValue(file)!, parse.GetValue(schema), parse.GetValue(tenant), parse.GetValue(json), TimeSpan.FromMilliseconds(parse.GetValue(busy)), ct));
        command.Subcommands.Add(CheckpointReset.Create());
        return command;
    }

    private static async Task<int> ShowAsync(string path, string? schema, string? tenantOption, bool json, TimeSpan busyTimeout, CancellationToken cancellationToken)
    {
        var tenant = CommonOptions.StoredTenant(tenantOption);
        await using var store = await StoreFile.OpenReadOnlyAsync(path, schema, busyTimeout, [StoreFile.Events, StoreFile.Checkpoints], cancellationToken).ConfigureAwait(false);
        await using var transaction = await store.BeginAsync(write: false, cancellationToken).ConfigureAwait(false);
        var head = await CheckpointReset.ReadHeadAsync(store, transaction, tenant, cancellationToken).ConfigureAwait(false);

        var checkpoints = new List<(string Name, long Position, string UpdatedAt)>();
        await using (var read = store.Command($"SELECT name, position, updated_at FROM {store.Checkpoints} WHERE tenant_id = @tenant ORDER BY name;", transaction))
        {
            StoreConnection.Add(read, "@tenant", tenant, DbType.String);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                checkpoints.Add((reader.GetString(0), reader.GetInt64(1), StoreConnection.TimeText(reader, 2)));
            }
        }

        // The leases table came later than the checkpoints: a file without it has no leases.
        var leases = new List<(string Name, string Owner, long UntilTicks)>();
        if (await store.HasTableAsync(StoreFile.ProjectionLeases, transaction, cancellationToken).ConfigureAwait(false))
        {
            await using var read = store.Command($"SELECT name, owner, lease_until FROM {store.ProjectionLeases} WHERE tenant_id = @tenant ORDER BY name;", transaction);
            StoreConnection.Add(read, "@tenant", tenant, DbType.String);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                leases.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
            }
        }

        var now = DateTimeOffset.UtcNow.UtcTicks;
        if (json)
        {
            await Terminal.WriteJsonAsync(writer =>
            {
                writer.WriteStartObject();
                writer.WriteNumber("head", head);
                writer.WriteStartArray("checkpoints");
                foreach (var (name, position, updatedAt) in checkpoints)
                {
                    writer.WriteStartObject();
                    writer.WriteString("name", name);
                    writer.WriteNumber("position", position);
                    writer.WriteString("updatedAt", updatedAt);
                    writer.WriteNumber("lag", Lag(head, position));
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteStartArray("leases");
                foreach (var (name, owner, until) in leases)
                {
                    writer.WriteStartObject();
                    writer.WriteString("name", name);
                    writer.WriteString("owner", owner);
                    writer.WriteString("leaseUntil", FormatTicks(until));
                    writer.WriteBoolean("expired", until <= now);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }, cancellationToken).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        var console = Terminal.Create();
        console.MarkupLine($"Checkpoints of the {Markup.Escape(StreamResolver.View(tenant))}; head position [bold]{head}[/].");
        var table = new Table().AddColumns("Projection", "Position", "Updated", "Lag");
        table.Columns[1].RightAligned();
        table.Columns[3].RightAligned();
        foreach (var (name, position, updatedAt) in checkpoints)
        {
            var lag = Lag(head, position);
            table.AddRow(Terminal.Cell(name), Terminal.Cell(Terminal.Invariant(position)), Terminal.Cell(updatedAt), new Markup(lag == 0 ? "[green]0[/]" : $"[yellow]{lag}[/]"));
        }

        console.Write(table);
        if (leases.Count > 0)
        {
            var leaseTable = new Table().AddColumns("Projection", "Owner", "Lease until");
            foreach (var (name, owner, until) in leases)
            {
                leaseTable.AddRow(Terminal.Cell(name), Terminal.Cell(owner), new Markup(Markup.Escape(FormatTicks(until)) + (until <= now ? " [grey](expired)[/]" : "")));
            }

            console.Write(leaseTable);
        }
        else
        {
            console.MarkupLine("[grey]No projection leases.[/]");
        }

        return ExitCodes.Ok;
    }

    /// <summary>How many positions the checkpoint is behind the head (never below 0), as <c>ProjectionStatus.Lag</c> counts.</summary>
    private static long Lag(long head, long position) => Math.Max(0, head - position);

    /// <summary>A lease's end, stored as UTC ticks, as round-trip text (UTC).</summary>
    private static string FormatTicks(long ticks)
        => ticks >= DateTimeOffset.MinValue.UtcTicks && ticks <= DateTimeOffset.MaxValue.UtcTicks
            ? new DateTimeOffset(ticks, TimeSpan.Zero).ToString("O", System.Globalization.CultureInfo.InvariantCulture)
            : Terminal.Invariant(ticks);
}
