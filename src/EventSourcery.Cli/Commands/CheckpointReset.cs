using System.CommandLine;
using System.Data;
using System.Data.Common;
using System.Globalization;
using EventSourcery.Cli.Output;
using EventSourcery.Cli.Store;
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
        var schema = CommonOptions.Schema();
        var command = new Command("reset", "Move a projection's checkpoint back (or to any stored position), or delete it with --to 0.")
        {
            file, name, to, tenant, json, busy, schema,
        };
        CommandRunner.SetAction(command, file, (parse, ct) => RunAsync(
            parse.GetValue(file)!, parse.GetValue(schema), parse.GetValue(name)!, parse.GetValue(to), parse.GetValue(tenant), parse.GetValue(json),
            TimeSpan.FromMilliseconds(parse.GetValue(busy)), ct));
        return command;
    }

    /// <summary>The position of the view's last stored event, or 0.</summary>
    public static async Task<long> ReadHeadAsync(StoreConnection store, DbTransaction? transaction, string tenant, CancellationToken cancellationToken)
    {
        await using var command = store.Command($"SELECT COALESCE(MAX(position), 0) FROM {store.Events} WHERE tenant_id = @tenant;", transaction);
        StoreConnection.Add(command, "@tenant", tenant, DbType.String);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    private static async Task<int> RunAsync(string path, string? schema, string name, long to, string? tenantOption, bool json, TimeSpan busyTimeout, CancellationToken cancellationToken)
    {
        var tenant = CommonOptions.StoredTenant(tenantOption);
        await using var store = await StoreFile.OpenReadWriteAsync(path, schema, busyTimeout, [StoreFile.Events, StoreFile.Checkpoints], cancellationToken).ConfigureAwait(false);

        // The checks and the change in one write transaction (SQLite: BEGIN IMMEDIATE, under the write lock; PostgreSQL:
        // the checkpoint's row locked by FOR UPDATE), so no runner moves the checkpoint in between.
        await using var transaction = await store.BeginAsync(write: true, cancellationToken).ConfigureAwait(false);
        long? from;
        await using (var find = store.Command($"SELECT position FROM {store.Checkpoints} WHERE tenant_id = @tenant AND name = @name{(store.IsPostgreSql ? " FOR UPDATE" : "")};", transaction))
        {
            StoreConnection.Add(find, "@tenant", tenant, DbType.String);
            StoreConnection.Add(find, "@name", name, DbType.String);
            from = await find.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is { } found and not DBNull ? Convert.ToInt64(found, CultureInfo.InvariantCulture) : null;
        }

        if (from is null)
        {
            throw CliException.NotFound($"No checkpoint '{name}' in the {StreamResolver.View(tenant)} (the checkpoints command lists them).");
        }

        var head = await ReadHeadAsync(store, transaction, tenant, cancellationToken).ConfigureAwait(false);
        if (to > head)
        {
            throw CliException.Usage($"--to {to} is past the head of the {StreamResolver.View(tenant)} ({head}): the projection would skip events not written yet.");
        }

        await using (var change = store.Command(
            to == 0
                ? $"DELETE FROM {store.Checkpoints} WHERE tenant_id = @tenant AND name = @name;"
                : $"UPDATE {store.Checkpoints} SET position = @position, updated_at = @updated_at WHERE tenant_id = @tenant AND name = @name;",
            transaction))
        {
            StoreConnection.Add(change, "@tenant", tenant, DbType.String);
            StoreConnection.Add(change, "@name", name, DbType.String);
            if (to != 0)
            {
                StoreConnection.Add(change, "@position", to, DbType.Int64);
                store.AddTime(change, "@updated_at", DateTimeOffset.UtcNow);
            }

            await change.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var owner = await LiveOwnerAsync(store, transaction, tenant, name, cancellationToken).ConfigureAwait(false);
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

    private static async Task<string?> LiveOwnerAsync(StoreConnection store, DbTransaction transaction, string tenant, string name, CancellationToken cancellationToken)
    {
        if (!await store.HasTableAsync(StoreFile.ProjectionLeases, transaction, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        await using var command = store.Command($"SELECT owner FROM {store.ProjectionLeases} WHERE tenant_id = @tenant AND name = @name AND lease_until > @now;", transaction);
        StoreConnection.Add(command, "@tenant", tenant, DbType.String);
        StoreConnection.Add(command, "@name", name, DbType.String);
        StoreConnection.Add(command, "@now", DateTimeOffset.UtcNow.UtcTicks, DbType.Int64);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }
}
