using EventSourcery.PersonalData;

namespace EventSourcery.Relational.Storage;

/// <summary>
/// The data subjects' keys in the store's own database (<c>es_subject_keys</c>), through the store's executor: reads
/// on the read path, each change in a write transaction of its own (or the user's, for a store over their DbContext).
/// </summary>
internal sealed class RelationalPersonalDataKeyStore(RelationalExecutor executor, RelationalStorage storage) : IPersonalDataKeyStore
{
    public async ValueTask<PersonalDataKey?> FindKeyAsync(string? tenantId, string subject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var tenant = tenantId ?? string.Empty;
        var row = await executor.RunAsync((session, ct) => storage.FindSubjectKeyAsync(session, tenant, subject, ct), cancellationToken).ConfigureAwait(false);
        return row is { Key: { } key } found ? new PersonalDataKey(found.Generation, key) : null;
    }

    public async ValueTask<PersonalDataKey> GetOrCreateKeyAsync(string? tenantId, string subject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var tenant = tenantId ?? string.Empty;
        var created = PersonalDataKey.Create();
        var row = await executor.RunWriteAsync(
            async (session, ct) =>
            {
                // Insert unless a row exists, then read what is there: a racing writer's key wins for both.
                await storage.InsertSubjectKeyAsync(session, tenant, subject, created.Generation, created.Material.ToArray(), ct).ConfigureAwait(false);
                return await storage.FindSubjectKeyAsync(session, tenant, subject, ct).ConfigureAwait(false);
            },
            committed: null,
            cancellationToken).ConfigureAwait(false);
        return row is { Key: { } key } found ? new PersonalDataKey(found.Generation, key) : throw new DataSubjectShreddedException(tenantId, subject);
    }

    public async ValueTask<PersonalDataKey> RenewKeyAsync(string? tenantId, string subject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var tenant = tenantId ?? string.Empty;
        var row = await executor.RunWriteAsync(
            async (session, ct) =>
            {
                var current = await storage.FindSubjectKeyAsync(session, tenant, subject, ct).ConfigureAwait(false);
                if (current is { Key: null } shredded)
                {
                    var renewed = PersonalDataKey.Create(shredded.Generation + 1);
                    await storage.RenewSubjectKeyAsync(session, tenant, subject, shredded.Generation, renewed.Material.ToArray(), ct).ConfigureAwait(false);
                }
                else if (current is null)
                {
                    var first = PersonalDataKey.Create();
                    await storage.InsertSubjectKeyAsync(session, tenant, subject, first.Generation, first.Material.ToArray(), ct).ConfigureAwait(false);
                }

                return await storage.FindSubjectKeyAsync(session, tenant, subject, ct).ConfigureAwait(false);
            },
            committed: null,
            cancellationToken).ConfigureAwait(false);
        return row is { Key: { } key } found ? new PersonalDataKey(found.Generation, key) : throw new InvalidOperationException($"The key of data subject '{subject}' could not be renewed.");
    }

    public async ValueTask<bool> ShredAsync(string? tenantId, string subject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var tenant = tenantId ?? string.Empty;
        return await executor.RunWriteAsync(
            async (session, ct) =>
            {
                if (await storage.ShredSubjectKeyAsync(session, tenant, subject, ct).ConfigureAwait(false))
                {
                    return true;
                }

                // Never seen: remembered as shredded (generation 0), so that its first append is refused too.
                await storage.InsertSubjectKeyAsync(session, tenant, subject, 0, null, ct).ConfigureAwait(false);
                return false;
            },
            committed: null,
            cancellationToken).ConfigureAwait(false);
    }
}
