namespace EventSourcery.PersonalData;

/// <summary>
/// Where the data subjects' keys live: one key per subject and tenant, created on first use and deleted by
/// <see cref="ShredAsync"/>, after which the subject is remembered as shredded (without its key). The stores keep keys
/// in their own database; an implementation may sit on an external key service. Every method fails (throws) when the
/// keys cannot be reached: nothing is ever written or read in plain text instead.
/// </summary>
public interface IPersonalDataKeyStore
{
    /// <summary>The subject's current key, or null when it has none (shredded, or never given one).</summary>
    /// <param name="tenantId">The tenant (null for the default view).</param>
    /// <param name="subject">The subject's id as text.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    ValueTask<PersonalDataKey?> FindKeyAsync(string? tenantId, string subject, CancellationToken cancellationToken = default);

    /// <summary>The subject's current key, created when it has never had one.</summary>
    /// <inheritdoc cref="FindKeyAsync" path="/param"/>
    /// <exception cref="DataSubjectShreddedException">The subject was shredded (and no new key was asked for with <see cref="RenewKeyAsync"/>).</exception>
    ValueTask<PersonalDataKey> GetOrCreateKeyAsync(string? tenantId, string subject, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gives a shredded subject a new key (of the next generation), so that new events about it can be stored again;
    /// its events from before stay unreadable. A subject with a key keeps it; one never seen gets its first.
    /// </summary>
    /// <inheritdoc cref="FindKeyAsync" path="/param"/>
    ValueTask<PersonalDataKey> RenewKeyAsync(string? tenantId, string subject, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the subject's key, leaving no copy of it, and remembers that the subject was shredded. Idempotent; cannot
    /// be undone.
    /// </summary>
    /// <inheritdoc cref="FindKeyAsync" path="/param"/>
    /// <returns>True when a key was deleted; false when the subject had none (already shredded, or never seen).</returns>
    ValueTask<bool> ShredAsync(string? tenantId, string subject, CancellationToken cancellationToken = default);
}
