using EventSourcery.Relational.Storage;

namespace EventSourcery.Sqlite.Storage;

// The data subjects' keys (es_subject_keys).
internal sealed partial class SqliteStorage
{
    /// <inheritdoc />
    public override async Task<(int Generation, byte[]? Key)?> FindSubjectKeyAsync(RelationalSession session, string tenantId, string subject, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
        var command = commands.Get(transaction, "SELECT generation, key FROM es_subject_keys WHERE tenant_id = $tenant AND subject = $subject;");
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$subject", subject);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? (reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<byte[]>(1))
            : null;
    }

    /// <inheritdoc />
    public override async Task<bool> InsertSubjectKeyAsync(RelationalSession session, string tenantId, string subject, int generation, byte[]? key, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
        var command = commands.Get(transaction, """
            INSERT INTO es_subject_keys (tenant_id, subject, generation, key) VALUES ($tenant, $subject, $generation, $key)
            ON CONFLICT (tenant_id, subject) DO NOTHING;
            """);
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$subject", subject);
        command.Parameters.AddWithValue("$generation", generation);
        command.Parameters.AddWithValue("$key", (object?)key ?? DBNull.Value);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public override async Task<bool> RenewSubjectKeyAsync(RelationalSession session, string tenantId, string subject, int shreddedGeneration, byte[] key, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
        var command = commands.Get(transaction, """
            UPDATE es_subject_keys SET generation = $generation + 1, key = $key
            WHERE tenant_id = $tenant AND subject = $subject AND generation = $generation AND key IS NULL;
            """);
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$subject", subject);
        command.Parameters.AddWithValue("$generation", shreddedGeneration);
        command.Parameters.AddWithValue("$key", key);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    /// <remarks>
    /// The key is overwritten with zeros of its own length first: SQLite rewrites a cell of the same size in place, so
    /// the page keeps no copy of the key when the value then shrinks to NULL and its space is freed.
    /// </remarks>
    public override async Task<bool> ShredSubjectKeyAsync(RelationalSession session, string tenantId, string subject, CancellationToken cancellationToken)
    {
        var (commands, transaction) = SqliteSession.Of(session);
        var command = commands.Get(transaction, """
            UPDATE es_subject_keys SET key = zeroblob(length(key)) WHERE tenant_id = $tenant AND subject = $subject AND key IS NOT NULL;
            UPDATE es_subject_keys SET key = NULL WHERE tenant_id = $tenant AND subject = $subject AND key IS NOT NULL;
            """);
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$subject", subject);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }
}
