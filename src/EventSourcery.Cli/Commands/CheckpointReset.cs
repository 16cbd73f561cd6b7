using System.CommandLine;
using System.Globalization;
using EventSourcery.Cli.Output;
using EventSourcery.Cli.Store;
using Microsoft.Data.Sqlite;
using Spectre.Console;

namespace EventSourcery.Cli.Commands;

/// <summary>
/// <c>eventsourcery checkpoints reset &lt;file&gt; &lt;name&gt; [--to P]</c>: moves an existing checkpoint to P, or deletes it
/// for 0 (as <c>ProjectionRunner.ResetAsync</c> does), so the projection handles the events after P again.
/// </summary>
internal static class CheckpointReset
{
    public static Command Create()
    {
        var file = CommonOptions.File();
        var name = new Argument<string>("name") { Description = "The projection's name (IProjection.Name)." };
        var to = CommonOptions.Position("--to", "The position to move the checkpoint to; 0 (the default) deletes it, so the projection rebuilds from the start.");
        var tenant = CommonOptions.Tenant();
        var json = CommonOptions.Json();
        var busy = CommonOptions.BusyTimeout();
        var command = new Command("reset", "Move a projection's checkpoint back (or to any stored position), or delete it with --to 0.")
        {
            file, name, to, tenant, json, busy,
        };
        CommandRunner.SetAction(command, file, (parse, ct) => RunAsync(
            parse.GetValue(file)!, parse.GetValue(name)!, parse.GetValue(to), parse.GetValue(tenant), parse.GetValue(json),
            TimeSpan.FromMilliseconds(parse.GetValue(busy)), ct));
        return command;
    }

    /// <summary>The position of the view's last stored event, or 0.</summary>
    public static async Task<long> ReadHeadAsync(SqliteConnection connection, SqliteTransaction transaction, string tenant, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COALESCE(MAX(position), 0) FROM es_events WHERE tenant_id = $tenant;";
        command.Parameters.AddWithValue("$tenant", tenant);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task<int> RunAsync(string path, string name, long to, string? tenantOption, bool json, TimeSpan busyTimeout, CancellationToken cancellationToken)
    {
        var tenant = CommonOptions.StoredTenant(tenantOption);
        await using var connection = await StoreFile.OpenReadWriteAsync(path, busyTimeout, [StoreFile.Events, StoreFile.Checkpoints], cancellationToken).ConfigureAwait(false);

        // BEGIN IMMEDIATE: the checks and the change under the write lock, so no runner moves the checkpoint in between.
        await using var transaction = connection.BeginTransaction(deferred: false);
        long? from;
        await using (var find = connection.CreateCommand())
        {
            find.Transaction = transaction;
            find.CommandText = "SELECT position FROM es_checkpoints WHERE tenant_id = $tenant AND name = $name;";
            find.Parameters.AddWithValue("$tenant", tenant);
            find.Parameters.AddWithValue("$name", name);
            from = await find.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as long?;
        }

        if (from is null)
        {
            throw CliException.NotFound($"No checkpoint '{name}' in the {StreamResolver.View(tenant)} (the checkpoints command lists them).");
        }

        var head = await ReadHeadAsync(connection, transaction, tenant, cancellationToken).ConfigureAwait(false);
        if (to > head)
        {
            throw CliException.Usage($"--to {to} is past the head of the {StreamResolver.View(tenant)} ({head}): the projection would skip events not written yet.");
        }

        await using (var change = connection.CreateCommand())
        {
            change.Transaction = transaction;
            change.CommandText = to == 0
                ? "DELETE FROM es_checkpoints WHERE tenant_id = $tenant AND name = $name;"
                : "UPDATE es_checkpoints SET position = $position, updated_at = $updated_at WHERE tenant_id = $tenant AND name = $name;";
            change.Parameters.AddWithValue("$tenant", tenant);
            change.Parameters.AddWithValue("$name", name);
            if (to != 0)
            {
                change.Parameters.AddWithValue("$position", to);
                change.Parameters.AddWithValue("$updated_at", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            }

            await change.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var owner = await LiveOwnerAsync(connection, transaction, tenant, name, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (owner is not null)
        {
            await Console.Error.WriteLineAsync($"eventsourcery: warning: '{owner}' holds the lease of projection '{name}'; a runner that is handling events now may write its checkpoint over this one. Stop it first, or reset again once it has stopped.").ConfigureAwait(false);
        }

        if (json)
        {
            await Terminal.WriteJsonAsync(writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("name", name);
                writer.WriteNumber("from", from.Value);
                writer.WriteNumber("to", to);
                writer.WriteBoolean("deleted", to == 0);
                writer.WriteEndObject();
            }, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            Terminal.Create().MarkupLine(to == 0
                ? $"Deleted checkpoint [bold]{Markup.Escape(name)}[/] (it was at {from}); the projection rebuilds from the start."
                : $"Moved checkpoint [bold]{Markup.Escape(name)}[/] from {from} to {to}; the projection handles the events after {to} again.");
        }

        return ExitCodes.Ok;
    }

    private static async Task<string?> LiveOwnerAsync(SqliteConnection connection, SqliteTransaction transaction, string tenant, string name, CancellationToken cancellationToken)
    {
        if (!await StoreFile.HasTableAsync(connection, transaction, StoreFile.ProjectionLeases, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT owner FROM es_projection_leases WHERE tenant_id = $tenant AND name = $name AND lease_until > $now;";
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.UtcTicks);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }
}
