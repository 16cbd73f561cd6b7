namespace EventSourcery.PersonalData;

/// <summary>
/// Marks the property of an event that holds the id of the person its <see cref="PersonalDataAttribute"/> properties
/// belong to (the data subject): a string, a <see cref="Guid"/>, or a strongly typed id the generated codecs store.
/// Each subject's personal data is encrypted with a key of its own, per tenant; shredding the subject deletes the key.
/// </summary>
/// <remarks>The subject's id itself is stored in plain text: make it an opaque id, never personal data such as an email address.</remarks>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, AllowMultiple = false, Inherited = true)]
public sealed class DataSubjectAttribute : Attribute
{
}

/// <summary>
/// Marks a property of an event as personal data of the event's <see cref="DataSubjectAttribute"/> subject: the store
/// encrypts it with the subject's key, and once the subject is shredded it reads back as <see cref="Mask"/>.
/// Any property shape the codecs store can be marked: strings, numbers, dates, records, collections.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, AllowMultiple = false, Inherited = true)]
public sealed class PersonalDataAttribute : Attribute
{
    /// <summary>Marks personal data that reads back as its type's default value once shredded.</summary>
    public PersonalDataAttribute()
    {
    }

    /// <summary>Marks personal data that reads back as <paramref name="mask"/> once shredded.</summary>
    /// <param name="mask">The value read in place of the shredded one; of the property's type (a string for a string, a number for a number).</param>
    public PersonalDataAttribute(object? mask)
    {
        Mask = mask;
        HasMask = true;
    }

    /// <summary>The value read once the subject is shredded; the type's default when none was given.</summary>
    public object? Mask { get; }

    /// <summary>Whether a mask was given (a null mask is one too).</summary>
    public bool HasMask { get; }
}
