using EventSourcery.Relational.Storage;

namespace EventSourcery.PostgreSql.Storage;

// The data subjects' keys (es_subject_keys).
internal sealed partial class PostgreSqlStorage
{
    /// <inheritdoc />
    public override async Task<(int Generation, byte[]? Key)?> FindSubjectKeyAsync(RelationalSession session, string tenantId, string subject, CancellationToken cancellationToken)
    {
        using var command = NpgsqlSession.Of(session).Command($"SELECT generation, key FROM {_subjectKeys} WHERE tenant_id = @tenant AND subject = @subject;");
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("subject", subject);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? (reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<byte[]>(1))
            : null;
    }

    /// <inheritdoc />
    public override async Task<bool> InsertSubjectKeyAsync(RelationalSession session, string tenantId, string subject, int generation, byte[]? key, CancellationToken cancellationToken)
    {
        using var command = NpgsqlSession.Of(session).Command($"""
            INSERT INTO {_subjectKeys} (tenant_id, subject, generation, key) VALUES (@tenant, @subject, @generation, @key)
            ON CONFLICT (tenant_id, subject) DO NOTHING;
            """);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("subject", subject);
        command.Parameters.AddWithValue("generation", generation);
        command.Parameters.Add(new Npgsql.NpgsqlParameter("key", NpgsqlTypes.NpgsqlDbType.Bytea) { Value = (object?)key ?? DBNull.Value });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public override async Task<bool> RenewSubjectKeyAsync(RelationalSession session, string tenantId, string subject, int shreddedGeneration, byte[] key, CancellationToken cancellationToken)
    {
        using var command = NpgsqlSession.Of(session).Command($"""
            UPDATE {_subjectKeys} SET generation = @generation + 1, key = @key
            WHERE tenant_id = @tenant AND subject = @subject AND generation = @generation AND key IS NULL;
            """);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("subject", subject);
        command.Parameters.AddWithValue("generation", shreddedGeneration);
        command.Parameters.AddWithValue("key", key);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    /// <remarks>
    /// PostgreSQL keeps the old row version until VACUUM reclaims it (docs/personal-data.md says what that means for
    /// backups and how to vacuum after shredding).
    /// </remarks>
    public override async Task<bool> ShredSubjectKeyAsync(RelationalSession session, string tenantId, string subject, CancellationToken cancellationToken)
    {
        using var command = NpgsqlSession.Of(session).Command($"UPDATE {_subjectKeys} SET key = NULL WHERE tenant_id = @tenant AND subject = @subject AND key IS NOT NULL;");
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("subject", subject);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }
}
