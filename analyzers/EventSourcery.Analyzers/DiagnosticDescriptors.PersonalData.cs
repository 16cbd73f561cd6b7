using Microsoft.CodeAnalysis;

namespace EventSourcery.Analyzers;

/// <summary>The personal-data rules (ES0017–ES0022): <c>[DataSubject]</c> and <c>[PersonalData]</c> on events.</summary>
internal static partial class DiagnosticDescriptors
{
    /// <summary>ES0017: an event has <c>[PersonalData]</c> properties but no <c>[DataSubject]</c> property.</summary>
    public const string MissingDataSubjectId = "ES0017";

    /// <summary>ES0018: an event has more than one <c>[DataSubject]</c> property.</summary>
    public const string DuplicateDataSubjectId = "ES0018";

    /// <summary>ES0019: a <c>[DataSubject]</c> property has a type that cannot be a data subject's id.</summary>
    public const string UnsupportedDataSubjectTypeId = "ES0019";

    /// <summary>ES0020: personal data is used where it is stored in plain text.</summary>
    public const string PersonalDataInPlainTextId = "ES0020";

    /// <summary>ES0021: a <c>[PersonalData]</c> mask is not a value of its property's type.</summary>
    public const string MaskTypeMismatchId = "ES0021";

    /// <summary>ES0022: <c>[PersonalData]</c> or <c>[DataSubject]</c> on a property of a type that is not an event.</summary>
    public const string PersonalDataOutsideEventId = "ES0022";

    /// <summary>Diagnostic property of ES0017 naming the one property its code fix marks <c>[DataSubject]</c>, when there is one.</summary>
    public const string SubjectCandidateProperty = "SubjectCandidate";

    private const string PersonalDataCategory = "EventSourcery.PersonalData";

    public static readonly DiagnosticDescriptor MissingDataSubject = new(
        id: MissingDataSubjectId,
        title: "Event has personal data but no data subject",
        messageFormat: "Event '{0}' has the personal data '{1}' but no [DataSubject] property, so there is no key to encrypt it with; mark the property holding the person's id [DataSubject]",
        category: PersonalDataCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The store encrypts an event's [PersonalData] properties with a key of the person the event's [DataSubject] property names. An event with personal data and no data subject cannot be encrypted, nor shredded for anyone.",
        helpLinkUri: HelpLink(MissingDataSubjectId));

    public static readonly DiagnosticDescriptor DuplicateDataSubject = new(
        id: DuplicateDataSubjectId,
        title: "Event has more than one data subject",
        messageFormat: "'{0}' is a second [DataSubject] of event '{1}', which already has '{2}'; an event's personal data is encrypted for one person",
        category: PersonalDataCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "All [PersonalData] properties of one event are encrypted with the key of one data subject. Personal data of two people belongs in two events, one for each person; another person's id that is not personal data is an ordinary property.",
        helpLinkUri: HelpLink(DuplicateDataSubjectId));

    public static readonly DiagnosticDescriptor UnsupportedDataSubjectType = new(
        id: UnsupportedDataSubjectTypeId,
        title: "Data subject has an unsupported type",
        messageFormat: "[DataSubject] '{0}' of '{1}' has type '{2}', which cannot be a data subject's id; use a string, Guid, int, long or a strongly typed id of your own",
        category: PersonalDataCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The data subject's id finds the key its personal data is encrypted with, so it must be a stable, exact identifier: a string, Guid, int or long (nullable or not), or a record, class or struct of your own that the generated codecs store and that is not a collection. Floating-point numbers, bools, dates and times, enums, collections, arrays and object are not.",
        helpLinkUri: HelpLink(UnsupportedDataSubjectTypeId));

    public static readonly DiagnosticDescriptor PersonalDataInPlainText = new(
        id: PersonalDataInPlainTextId,
        title: "Personal data is stored in plain text",
        messageFormat: "Personal data '{0}' is {1}, which is stored in plain text",
        category: PersonalDataCategory,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Only an event's [PersonalData] properties are encrypted. The [DataSubject] id, stream names and categories (StreamId.FromName, new StreamId) and tenant ids (IEventStore.ForTenant) are stored in plain text and survive shredding, so personal data put there is never erased.",
        helpLinkUri: HelpLink(PersonalDataInPlainTextId));

    public static readonly DiagnosticDescriptor MaskTypeMismatch = new(
        id: MaskTypeMismatchId,
        title: "Personal data mask does not fit its property",
        messageFormat: "The mask of '{0}' is not a value of its type '{1}': {2}",
        category: PersonalDataCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Once its data subject is shredded, a [PersonalData] property reads back as its mask, so the mask must be a value of the property's type: a string for a string, a number that fits for a number, a constant of the enum (or its integral value) for an enum, true or false for a bool, and null only where null can be stored. Without a mask the property reads back as its type's default.",
        helpLinkUri: HelpLink(MaskTypeMismatchId));

    public static readonly DiagnosticDescriptor PersonalDataOutsideEvent = new(
        id: PersonalDataOutsideEventId,
        title: "Personal data attribute outside an event",
        messageFormat: "[{0}] on '{1}' has no effect: '{2}' is not an event, and only an event's own properties are encrypted; mark the event's property that holds the '{2}' instead",
        category: PersonalDataCategory,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The generated codecs encrypt the [PersonalData] properties of an event itself, with the key of its own [DataSubject]. The attributes on a property of a nested record, a class or a struct are ignored, so that data is stored in plain text. Mark the event's property that holds the nested value [PersonalData]: the whole value is encrypted.",
        helpLinkUri: HelpLink(PersonalDataOutsideEventId));
}
