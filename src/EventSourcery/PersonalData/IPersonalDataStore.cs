namespace EventSourcery.PersonalData;

/// <summary>
/// A store (or a tenant view of one) that encrypts personal data per data subject and can shred a subject. The
/// in-memory, SQLite and PostgreSQL stores are; <see cref="EventStorePersonalDataExtensions"/> reaches it through an
/// <see cref="IEventStore"/>.
/// </summary>
public interface IPersonalDataStore
{
    /// <summary>
    /// Shreds <paramref name="subject"/> in this view's tenant: deletes its key, after which every read path returns the
    /// masks of its <see cref="PersonalDataAttribute"/> properties and the rest of each event unchanged. Idempotent;
    /// cannot be undone. New events about the subject are refused until its key is renewed explicitly.
    /// </summary>
    /// <param name="subject">The subject's id as text (a <see cref="Guid"/> as <see cref="Guid.ToString()"/> writes it).</param>
    /// <param name="cancellationToken">Cancels the shredding before the key is deleted.</param>
    /// <returns>True when a key was deleted; false when the subject had none.</returns>
    ValueTask<bool> ShredAsync(string subject, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gives a shredded subject a new key in this view's tenant, so that new events about it can be stored; what was
    /// shredded stays unreadable.
    /// </summary>
    /// <inheritdoc cref="ShredAsync" path="/param"/>
    ValueTask RenewSubjectKeyAsync(string subject, CancellationToken cancellationToken = default);
}

/// <summary>Shredding through an <see cref="IEventStore"/>.</summary>
public static class EventStorePersonalDataExtensions
{
    /// <inheritdoc cref="IPersonalDataStore.ShredAsync"/>
    /// <param name="store">The store or tenant view.</param>
    /// <param name="subject">The subject's id as text.</param>
    /// <param name="cancellationToken">Cancels the shredding before the key is deleted.</param>
    /// <exception cref="NotSupportedException">The store does not encrypt personal data.</exception>
    public static ValueTask<bool> ShredAsync(this IEventStore store, string subject, CancellationToken cancellationToken = default)
        => Of(store).ShredAsync(subject, cancellationToken);

    /// <inheritdoc cref="ShredAsync(IEventStore, string, CancellationToken)"/>
    public static ValueTask<bool> ShredAsync(this IEventStore store, Guid subject, CancellationToken cancellationToken = default)
        => Of(store).ShredAsync(subject.ToString(), cancellationToken);

    /// <inheritdoc cref="IPersonalDataStore.RenewSubjectKeyAsync"/>
    /// <param name="store">The store or tenant view.</param>
    /// <param name="subject">The subject's id as text.</param>
    /// <param name="cancellationToken">Cancels the renewal.</param>
    /// <exception cref="NotSupportedException">The store does not encrypt personal data.</exception>
    public static ValueTask RenewSubjectKeyAsync(this IEventStore store, string subject, CancellationToken cancellationToken = default)
        => Of(store).RenewSubjectKeyAsync(subject, cancellationToken);

    private static IPersonalDataStore Of(IEventStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store as IPersonalDataStore ?? throw new NotSupportedException($"{store.GetType().Name} does not encrypt personal data, so it cannot shred a data subject.");
    }
}
