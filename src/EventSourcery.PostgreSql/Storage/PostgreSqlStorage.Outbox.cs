using EventSourcery.Relational.Schema;
using EventSourcery.Relational.Storage;
using Npgsql;
using NpgsqlTypes;

namespace EventSourcery.PostgreSql.Storage;

// The outbox: claims, completion, failures, releases, dead letters, counts.
internal sealed partial class PostgreSqlStorage
{
    // An outbox row's event columns in the order of the event's (so ReadEventRow reads both), then its delivery state.
    private static readonly string OutboxColumns =
        $"o.position, {EventBodyColumns("o")}, o.recorded_at, o.tenant_id, o.category, o.stream_id, o.stream_name, o.id, o.attempts, o.last_error, o.retry_at, o.dead_lettered_at";

    private string _claimSql = "";
    private string _completeOneSql = "";
    private string _completeManySql = "";
    private string _failSql = "";
    private string _releaseSql = "";
    private string _deadLettersSql = "";
    private string _retryAllSql = "";
    private string _retrySomeSql = "";
    private string _countSql = "";

    /// <summary>The statement of <see cref="ClaimOutboxAsync"/> (internal so that tests can read it).</summary>
    internal string ClaimOutboxSql => _claimSql;

    private void InitializeOutboxStatements()
    {
        // Claims of one tenant's view take turns (ClaimLockFor): two runners never split one stream's entries between them. The
        // candidates are the view's entries in id order whose stream has no entry that is dead-lettered, waiting for a
        // retry, or claimed with a lease still running (the held filter is Tables.OutboxHeldFilter word for word, so
        // the partial index applies); rows another transaction is updating are skipped rather than waited for. Of
        // the first @limit it claims those that start within @max_bytes of payload and metadata.
        _claimSql = $"""
            SELECT pg_advisory_xact_lock(@lock);
            WITH candidates AS (
                SELECT c.id, octet_length(c.payload) + COALESCE(octet_length(c.metadata), 0) AS size
                FROM {_outbox} c
                WHERE c.tenant_id = @tenant
                  AND NOT EXISTS (
                      SELECT 1
                      FROM {_outbox} b
                      WHERE b.tenant_id = c.tenant_id AND b.category = c.category AND b.stream_id = c.stream_id
                        AND ({Tables.OutboxHeldFilter})
                        AND (b.dead_lettered_at IS NOT NULL OR b.retry_at > @now OR b.lease_until > @now))
                ORDER BY c.id
                LIMIT @limit
                FOR UPDATE SKIP LOCKED
            ), sized AS (
                SELECT id, SUM(size) OVER (ORDER BY id ROWS UNBOUNDED PRECEDING) - size AS before
                FROM candidates
            )
            UPDATE {_outbox} o
            SET claimed_by = @runner, lease_until = @lease_until
            FROM sized
            WHERE o.id = sized.id AND sized.before < @max_bytes
            RETURNING {OutboxColumns};
            """;
        _completeOneSql = $"DELETE FROM {_outbox} WHERE id = @id AND tenant_id = @tenant AND claimed_by = @runner;";
        _completeManySql = $"DELETE FROM {_outbox} WHERE tenant_id = @tenant AND claimed_by = @runner AND id = ANY(@ids);";
        _failSql = $"""
            UPDATE {_outbox}
            SET attempts = attempts + 1, last_error = @error, retry_at = @retry_at, dead_lettered_at = @dead_lettered_at, claimed_by = NULL, lease_until = NULL
            WHERE id = @id AND tenant_id = @tenant AND claimed_by = @runner;
            """;
        _releaseSql = $"UPDATE {_outbox} SET claimed_by = NULL, lease_until = NULL WHERE tenant_id = @tenant AND claimed_by = @runner AND id = ANY(@ids);";
        _deadLettersSql = $"SELECT {OutboxColumns} FROM {_outbox} o WHERE o.tenant_id = @tenant AND o.dead_lettered_at IS NOT NULL ORDER BY o.id;";
        var retry = $"UPDATE {_outbox} SET dead_lettered_at = NULL, retry_at = NULL, attempts = 0 WHERE tenant_id = @tenant AND dead_lettered_at IS NOT NULL";
        _retryAllSql = retry + ";";
        _retrySomeSql = retry + " AND id = ANY(@ids);";
        _countSql = $"SELECT COUNT(*) FROM {_outbox} WHERE tenant_id = @tenant;";
    }

    /// <inheritdoc />
    public override async Task<List<StoredOutboxRow>> ClaimOutboxAsync(RelationalSession session, string tenantId, string runnerId, int limit, int maxBytes, long nowTicks, long leaseUntilTicks, CancellationToken cancellationToken)
    {
        using var command = NpgsqlSession.Of(session).Command(_claimSql);
        command.Parameters.AddWithValue("lock", ClaimLockFor(tenantId));
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("runner", runnerId);
        command.Parameters.AddWithValue("now", nowTicks);
        command.Parameters.AddWithValue("lease_until", leaseUntilTicks);
        command.Parameters.AddWithValue("limit", limit);
        command.Parameters.AddWithValue("max_bytes", (long)maxBytes);
        var rows = await ReadOutboxRowsAsync(command, skipFirstResult: true, cancellationToken).ConfigureAwait(false);
        rows.Sort((a, b) => a.Id.CompareTo(b.Id)); // RETURNING promises no order
        return rows;
    }

    /// <inheritdoc />
    public override async Task CompleteOutboxAsync(RelationalSession session, string tenantId, string runnerId, long entryId, CancellationToken cancellationToken)
    {
        using var command = NpgsqlSession.Of(session).Command(_completeOneSql);
        command.Parameters.AddWithValue("id", entryId);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("runner", runnerId);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task CompleteOutboxAsync(RelationalSession session, string tenantId, string runnerId, IReadOnlyCollection<long> entryIds, CancellationToken cancellationToken)
    {
        using var command = NpgsqlSession.Of(session).Command(_completeManySql);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("runner", runnerId);
        command.Parameters.AddWithValue("ids", entryIds.ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task FailOutboxAsync(RelationalSession session, string tenantId, string runnerId, long entryId, string error, long? retryAtTicks, DateTimeOffset? deadLetteredAt, CancellationToken cancellationToken)
    {
        using var command = NpgsqlSession.Of(session).Command(_failSql);
        command.Parameters.AddWithValue("id", entryId);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("runner", runnerId);
        command.Parameters.AddWithValue("error", error);
        command.Parameters.AddWithValue("retry_at", NpgsqlDbType.Bigint, (object?)retryAtTicks ?? DBNull.Value);
        command.Parameters.AddWithValue("dead_lettered_at", NpgsqlDbType.TimestampTz, deadLetteredAt is { } at ? ColumnLayout.Instant(at) : DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task ReleaseOutboxAsync(RelationalSession session, string tenantId, string runnerId, IReadOnlyCollection<long> entryIds, CancellationToken cancellationToken)
    {
        using var command = NpgsqlSession.Of(session).Command(_releaseSql);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("runner", runnerId);
        command.Parameters.AddWithValue("ids", entryIds.ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task<List<StoredOutboxRow>> ReadDeadLettersAsync(RelationalSession session, string tenantId, CancellationToken cancellationToken)
    {
        using var command = NpgsqlSession.Of(session).Command(_deadLettersSql);
        command.Parameters.AddWithValue("tenant", tenantId);
        return await ReadOutboxRowsAsync(command, skipFirstResult: false, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task<int> RetryDeadLettersAsync(RelationalSession session, string tenantId, IReadOnlyCollection<long>? entryIds, CancellationToken cancellationToken)
    {
        using var command = NpgsqlSession.Of(session).Command(entryIds is null ? _retryAllSql : _retrySomeSql);
        command.Parameters.AddWithValue("tenant", tenantId);
        if (entryIds is not null)
        {
            command.Parameters.AddWithValue("ids", entryIds.ToArray());
        }

        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task<long> CountOutboxAsync(RelationalSession session, string tenantId, CancellationToken cancellationToken)
    {
        using var command = NpgsqlSession.Of(session).Command(_countSql);
        command.Parameters.AddWithValue("tenant", tenantId);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task<List<StoredOutboxRow>> ReadOutboxRowsAsync(NpgsqlCommand command, bool skipFirstResult, CancellationToken cancellationToken)
    {
        var rows = new List<StoredOutboxRow>();
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (skipFirstResult)
        {
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        }

        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var e = ReadEventRow(reader, streamColumns: true);
            rows.Add(new StoredOutboxRow(
                Id: reader.GetInt64(13),
                Event: e,
                Attempts: reader.IsDBNull(14) ? 0 : reader.GetInt32(14),
                LastError: TextOrNull(reader, 15),
                RetryAtTicks: reader.IsDBNull(16) ? null : reader.GetInt64(16),
                DeadLetteredAt: TimeOrNull(reader, 17)));
        }

        return rows;
    }
}
