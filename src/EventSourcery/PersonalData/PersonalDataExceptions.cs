namespace EventSourcery.PersonalData;

/// <summary>
/// An event with personal data was appended without its data subject: its <see cref="DataSubjectAttribute"/> property is
/// null, or the event declares none. Nothing of the append was stored.
/// </summary>
public sealed class DataSubjectMissingException : Exception
{
    /// <summary>Creates the exception for an event of <paramref name="eventName"/>.</summary>
    public DataSubjectMissingException(string eventName, Guid eventId, string property, string? subjectProperty)
        : base(subjectProperty is null
            ? $"Event '{eventName}' ({eventId}) has personal data ({property}) but no [DataSubject] property: mark the property that holds the id of the person the data belongs to."
            : $"Event '{eventName}' ({eventId}) has personal data ({property}) but its data subject, {subjectProperty}, is null: the data cannot be encrypted with no one's key.")
    {
        EventName = eventName;
        EventId = eventId;
        Property = property;
        SubjectProperty = subjectProperty;
    }

    /// <summary>The event's stored name.</summary>
    public string EventName { get; }

    /// <summary>The event's id.</summary>
    public Guid EventId { get; }

    /// <summary>The first <see cref="PersonalDataAttribute"/> property of the event.</summary>
    public string Property { get; }

    /// <summary>The event's <see cref="DataSubjectAttribute"/> property, or null when it declares none.</summary>
    public string? SubjectProperty { get; }
}

/// <summary>
/// An event with personal data of a shredded subject was appended. Shredding cannot be undone; to store new personal
/// data of the same subject, ask for a new key explicitly (<see cref="IPersonalDataKeyStore.RenewKeyAsync"/>, or the
/// store's <c>RenewSubjectKeyAsync</c>). Nothing of the append was stored.
/// </summary>
public sealed class DataSubjectShreddedException : InvalidOperationException
{
    /// <summary>Creates the exception for <paramref name="subject"/> of <paramref name="tenantId"/>.</summary>
    public DataSubjectShreddedException(string? tenantId, string subject)
        : base($"The data subject '{subject}'{(tenantId is null ? string.Empty : $" of tenant '{tenantId}'")} was shredded: its personal data can no longer be stored. Renew its key explicitly to store new data about it.")
    {
        TenantId = tenantId;
        Subject = subject;
    }

    /// <summary>The tenant, or null for the default view.</summary>
    public string? TenantId { get; }

    /// <summary>The shredded subject.</summary>
    public string Subject { get; }
}

/// <summary>
/// For store authors: an event with personal data was read before its subject's key was loaded. Load it
/// (<see cref="Serialization.PersonalDataProtector.LoadKeyAsync"/>) and read the event again; the key then stays cached.
/// </summary>
public sealed class PersonalDataKeyNeededException : Exception
{
    /// <summary>Creates the exception for <paramref name="subject"/> of <paramref name="tenantId"/>.</summary>
    public PersonalDataKeyNeededException(string? tenantId, string subject)
        : base($"The key of data subject '{subject}'{(tenantId is null ? string.Empty : $" of tenant '{tenantId}'")} must be loaded before its events are read.")
    {
        TenantId = tenantId;
        Subject = subject;
    }

    /// <summary>The tenant, or null for the default view.</summary>
    public string? TenantId { get; }

    /// <summary>The subject whose key is needed.</summary>
    public string Subject { get; }
}
