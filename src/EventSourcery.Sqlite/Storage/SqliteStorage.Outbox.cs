using EventSourcery.Relational.Schema;
using EventSourcery.Relational.Storage;
using Microsoft.Data.Sqlite;

namespace EventSourcery.Sqlite.Storage;

// The outbox: claims, completion, failures, releases, dead letters, counts.
internal sealed partial class SqliteStorage
{
    /// <summary>
    /// Claims up to <paramref name="limit"/> of the tenant's deliverable entries for <paramref name="runnerId"/> until
    /// <paramref name="leaseUntilTicks"/> (see <see cref="ClaimOutboxSql"/>) and returns them in id order. Run it in a
    /// write transaction: the walk and the marking then happen under one lock, so two runners never claim one entry.
    /// </summary>
    public override async Task<List<StoredOutboxRow>> ClaimOutboxAsync(RelationalSession session, string tenantId, string runnerId, int limit, int maxBytes, long nowTicks, long leaseUntilTicks, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
        var command = commands.Get(transaction, ClaimOutboxSql);
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$runner", runnerId);
        command.Parameters.AddWithValue("$now", nowTicks);
        command.Parameters.AddWithValue("$lease_until", leaseUntilTicks);
        command.Parameters.AddWithValue("$limit", limit);
        command.Parameters.AddWithValue("$max_bytes", maxBytes);
        var rows = await ReadOutboxRowsAsync(command, cancellationToken).ConfigureAwait(false);
        rows.Sort((a, b) => a.Id.CompareTo(b.Id)); // RETURNING promises no order
        return rows;
    }

    /// <summary>Deletes a delivered entry of the tenant that <paramref name="runnerId"/> still holds (nothing otherwise).</summary>
    public override async Task CompleteOutboxAsync(RelationalSession session, string tenantId, string runnerId, long entryId, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
        var command = commands.Get(transaction, "DELETE FROM es_outbox WHERE id = $id AND tenant_id = $tenant AND claimed_by = $runner;");
        command.Parameters.AddWithValue("$id", entryId);
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$runner", runnerId);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes the delivered entries of the tenant among <paramref name="entryIds"/> that <paramref name="runnerId"/> still holds, in one statement.</summary>
    public override async Task CompleteOutboxAsync(RelationalSession session, string tenantId, string runnerId, IReadOnlyCollection<long> entryIds, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
        var command = commands.Get(transaction, "DELETE FROM es_outbox WHERE tenant_id = $tenant AND claimed_by = $runner AND id IN (SELECT value FROM json_each($ids));");
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$runner", runnerId);
        command.Parameters.AddWithValue("$ids", IdList(entryIds));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Counts a failed attempt of the tenant's entry and ends its claim: it waits until <paramref name="retryAtTicks"/>,
    /// or is dead-lettered at <paramref name="deadLetteredAt"/> when that is given instead. Only while <paramref name="runnerId"/> holds it.
    /// </summary>
    public override async Task FailOutboxAsync(RelationalSession session, string tenantId, string runnerId, long entryId, string error, long? retryAtTicks, DateTimeOffset? deadLetteredAt, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
        var command = commands.Get(transaction, """
            UPDATE es_outbox
            SET attempts = attempts + 1, last_error = $error, retry_at = $retry_at, dead_lettered_at = $dead_lettered_at, claimed_by = NULL, lease_until = NULL
            WHERE id = $id AND tenant_id = $tenant AND claimed_by = $runner;
            """);
        command.Parameters.AddWithValue("$id", entryId);
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$runner", runnerId);
        command.Parameters.AddWithValue("$error", error);
        command.Parameters.AddWithValue("$retry_at", (object?)retryAtTicks ?? DBNull.Value);
        command.Parameters.AddWithValue("$dead_lettered_at", deadLetteredAt is { } at ? StoredValues.FormatTime(at) : DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends <paramref name="runnerId"/>'s claims on the tenant's entries among <paramref name="entryIds"/>, counting no attempt.</summary>
    public override async Task ReleaseOutboxAsync(RelationalSession session, string tenantId, string runnerId, IReadOnlyCollection<long> entryIds, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
        var command = commands.Get(transaction, """
            UPDATE es_outbox SET claimed_by = NULL, lease_until = NULL
            WHERE tenant_id = $tenant AND claimed_by = $runner AND id IN (SELECT value FROM json_each($ids));
            """);
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$runner", runnerId);
        command.Parameters.AddWithValue("$ids", IdList(entryIds));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The tenant's dead-lettered entries, in id order.</summary>
    public override async Task<List<StoredOutboxRow>> ReadDeadLettersAsync(RelationalSession session, string tenantId, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
        var command = commands.Get(transaction, ReadDeadLettersSql);
        command.Parameters.AddWithValue("$tenant", tenantId);
        return await ReadOutboxRowsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Puts the tenant's dead letters among <paramref name="entryIds"/> (all of them when null) back for delivery with
    /// no attempts counted; the last error stays. Returns how many were put back.
    /// </summary>
    public override async Task<int> RetryDeadLettersAsync(RelationalSession session, string tenantId, IReadOnlyCollection<long>? entryIds, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
        const string Update = "UPDATE es_outbox SET dead_lettered_at = NULL, retry_at = NULL, attempts = 0 WHERE tenant_id = $tenant AND dead_lettered_at IS NOT NULL";
        using var command = Create(commands.Connection, transaction, entryIds is null ? $"{Update};" : $"{Update} AND id IN (SELECT value FROM json_each($ids));");
        command.Parameters.AddWithValue("$tenant", tenantId);
        if (entryIds is not null)
        {
            command.Parameters.AddWithValue("$ids", IdList(entryIds));
        }

        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>How many entries of the tenant are not delivered yet.</summary>
    public override async Task<long> CountOutboxAsync(RelationalSession session, string tenantId, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
        var command = commands.Get(transaction, CountOutboxSql);
        command.Parameters.AddWithValue("$tenant", tenantId);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }
}
