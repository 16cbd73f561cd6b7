using Microsoft.CodeAnalysis;

namespace EventSourcery.Analyzers;

/// <summary>
/// Every diagnostic EventSourcery reports. The IDs are fixed (docs/diagnostics/ESxxxx.md, AnalyzerReleases.*.md);
/// the code fixers refer to them through the <c>…Id</c> constants.
/// </summary>
internal static partial class DiagnosticDescriptors
{
    /// <summary>ES0001: an aggregate (or a type containing it) is not partial, so the generator cannot add its dispatch.</summary>
    public const string AggregateMustBePartialId = "ES0001";

    /// <summary>ES0002: an event the aggregate emits (or, for <c>Aggregate&lt;TEvent&gt;</c>, any event of the family) has no Apply method.</summary>
    public const string MissingApplyId = "ES0002";

    /// <summary>ES0003: an event type is not named in the past tense.</summary>
    public const string EventNameNotPastTenseId = "ES0003";

    /// <summary>ES0004: two event types share one stable name.</summary>
    public const string DuplicateEventNameId = "ES0004";

    /// <summary>ES0005: an event has a settable property or a writable field.</summary>
    public const string MutableEventId = "ES0005";

    /// <summary>ES0006: an Apply method has a shape the dispatch cannot use.</summary>
    public const string InvalidApplyShapeId = "ES0006";

    /// <summary>ES0007: Emit is called inside an Apply method.</summary>
    public const string EmitInsideApplyId = "ES0007";

    /// <summary>ES0008: an event property's type cannot be serialized by the generated metadata.</summary>
    public const string UnserializablePropertyId = "ES0008";

    /// <summary>ES0009: a non-abstract aggregate has no parameterless constructor.</summary>
    public const string MissingParameterlessConstructorId = "ES0009";

    /// <summary>ES0010: a member of an event or snapshot holds state the generated serialization would not store.</summary>
    public const string UnstoredMemberId = "ES0010";

    /// <summary>ES0011: a version listed in EventSchemas.Shipped.txt is no longer read by any type (or its line is malformed).</summary>
    public const string ShippedVersionNotReadId = "ES0011";

    /// <summary>ES0012: the type that reads a shipped version changed its stored shape incompatibly.</summary>
    public const string ShippedShapeChangedId = "ES0012";

    /// <summary>ES0013: an upcaster chain has a gap, two steps for one version, an unnamed old shape or no end.</summary>
    public const string BrokenUpcasterChainId = "ES0013";

    /// <summary>ES0014: an aggregate emits an old shape, which is read only.</summary>
    public const string OldVersionEmittedId = "ES0014";

    /// <summary>ES0015: an event version is not listed in EventSchemas.Shipped.txt.</summary>
    public const string UnlistedEventVersionId = "ES0015";

    /// <summary>ES0016: an aggregate's snapshot type cannot be stored as a snapshot.</summary>
    public const string UnstorableSnapshotTypeId = "ES0016";

    /// <summary>Diagnostic properties of ES0012 for its code fix: the shipped version's stored name, version and shape text.</summary>
    public const string ShippedNameProperty = "ShippedName";

    /// <inheritdoc cref="ShippedNameProperty"/>
    public const string ShippedVersionProperty = "ShippedVersion";

    /// <inheritdoc cref="ShippedNameProperty"/>
    public const string ShippedShapeProperty = "ShippedShape";

    /// <summary>Diagnostic property holding the line ES0015's code fix adds to EventSchemas.Shipped.txt.</summary>
    public const string ShippedLineProperty = "ShippedLine";

    /// <summary>Diagnostic property holding the suggested past-tense name (ES0003).</summary>
    public const string SuggestedNameProperty = "SuggestedName";

    /// <summary>Diagnostic property holding the documentation-comment id of the event that lacks an Apply method (ES0002).</summary>
    public const string EventTypeIdProperty = "EventTypeId";

    /// <summary>Diagnostic property holding the documentation-comment id of the aggregate that needs the Apply method (ES0002).</summary>
    public const string AggregateTypeIdProperty = "AggregateTypeId";

    private const string DesignCategory = "EventSourcery.Design";
    private const string NamingCategory = "EventSourcery.Naming";
    private const string VersioningCategory = "EventSourcery.Versioning";
    private const string UsageCategory = "EventSourcery.Usage";
    private const string SerializationCategory = "EventSourcery.Serialization";

    public static readonly DiagnosticDescriptor AggregateMustBePartial = new(
        id: AggregateMustBePartialId,
        title: "Aggregate must be partial",
        messageFormat: "{0} must be partial, so that the EventSourcery generator can add the aggregate's Apply dispatch and factory",
        category: DesignCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generator writes each aggregate's event dispatch and factory into another part of the class. Without 'partial' on the aggregate and on every type containing it, nothing is generated and replaying an event throws at run time.",
        helpLinkUri: HelpLink(AggregateMustBePartialId));

    public static readonly DiagnosticDescriptor MissingApply = new(
        id: MissingApplyId,
        title: "Event has no Apply method",
        messageFormat: "Aggregate '{0}' has no Apply method for event '{1}'",
        category: DesignCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "An aggregate rebuilds its state by passing every event of its stream to an Apply method. An event without one throws UnhandledEventException when it is emitted and when the stream is replayed.",
        helpLinkUri: HelpLink(MissingApplyId));

    public static readonly DiagnosticDescriptor EventNameNotPastTense = new(
        id: EventNameNotPastTenseId,
        title: "Event name is not in the past tense",
        messageFormat: "Event '{0}' is not named in the past tense; consider '{1}'",
        category: NamingCategory,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "An event records a fact that has already happened (OrderShipped, TurnedOn); an imperative or present-tense name (ShipOrder, TurnOn) reads like a command and blurs the line between commands and events.",
        helpLinkUri: HelpLink(EventNameNotPastTenseId));

    public static readonly DiagnosticDescriptor DuplicateEventName = new(
        id: DuplicateEventNameId,
        title: "Two event types share one stable name",
        messageFormat: "Event '{0}' has the stable name '{1}', which '{2}' also uses; give one of them an [EventName]",
        category: DesignCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Stored events are looked up by their stable name (the [EventName] or the type's simple name). Two types with one name make stored events ambiguous, so the registry cannot be built.",
        helpLinkUri: HelpLink(DuplicateEventNameId),
        customTags: WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor MutableEvent = new(
        id: MutableEventId,
        title: "Event is mutable",
        messageFormat: "Event '{0}' is mutable: {1} '{2}' can be changed after the event is created",
        category: DesignCategory,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Events are facts: once emitted they are stored, published and replayed as they are. A settable property or writable field lets code change an event after the fact, so the stored stream and the in-memory state can disagree.",
        helpLinkUri: HelpLink(MutableEventId));

    public static readonly DiagnosticDescriptor InvalidApplyShape = new(
        id: InvalidApplyShapeId,
        title: "Apply method has the wrong shape",
        messageFormat: "Apply method '{0}' {1}; an Apply method is an instance method that returns void and takes one event",
        category: UsageCategory,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The generated dispatch calls 'void Apply(TEvent e)' instance methods with one event parameter. Other methods named Apply are not called during replay, or their result is ignored.",
        helpLinkUri: HelpLink(InvalidApplyShapeId));

    public static readonly DiagnosticDescriptor EmitInsideApply = new(
        id: EmitInsideApplyId,
        title: "Emit is called inside an Apply method",
        messageFormat: "Emit is called inside Apply method '{0}'; replaying the stream would emit the event again",
        category: UsageCategory,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Apply methods run both when an event is emitted and when the stream is replayed on load. Emitting from Apply adds a new change on every load and nests events unpredictably; emit from the command method instead.",
        helpLinkUri: HelpLink(EmitInsideApplyId));

    public static readonly DiagnosticDescriptor UnserializableProperty = new(
        id: UnserializablePropertyId,
        title: "Event or snapshot property cannot be serialized",
        messageFormat: "Property '{0}' of '{1}' has type '{2}', which the generated serialization cannot handle: {3}",
        category: SerializationCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Events are stored as JSON through metadata generated at compile time, without reflection. Only primitive and well-known value types, enums, supported collections and concrete classes, records and structs made of those can be written and read back.",
        helpLinkUri: HelpLink(UnserializablePropertyId));

    public static readonly DiagnosticDescriptor UnstorableSnapshotType = new(
        id: UnstorableSnapshotTypeId,
        title: "Snapshot type cannot be stored",
        messageFormat: "Aggregate '{0}' declares ISnapshotable<{1}>, but a snapshot must be a class, record or struct of your own that the generated codecs write as one JSON object: {2}",
        category: SerializationCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generator implements ISnapshotable for the aggregate with a codec for its snapshot type, which must be a concrete class, record or struct the generated code can name. For any other type it generates nothing, and the compiler's CS0535 (interface member not implemented) follows this error.",
        helpLinkUri: HelpLink(UnstorableSnapshotTypeId));

    public static readonly DiagnosticDescriptor MissingParameterlessConstructor = new(
        id: MissingParameterlessConstructorId,
        title: "Aggregate has no parameterless constructor",
        messageFormat: "Aggregate '{0}' has no parameterless constructor, so the repository cannot create it to replay its stream",
        category: DesignCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The repository creates an empty aggregate and replays its stream into it; the generated factory calls a parameterless constructor, which may be private.",
        helpLinkUri: HelpLink(MissingParameterlessConstructorId));

    public static readonly DiagnosticDescriptor UnstoredMember = new(
        id: UnstoredMemberId,
        title: "Member of an event or snapshot would not be stored",
        messageFormat: "The {0} '{1}' of '{2}' would not be stored: {3}",
        category: SerializationCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Every instance member of an event or snapshot that holds state must round-trip through every store. Properties with any set or init accessor, and get-only properties set by a constructor parameter of the same name, are stored; fields, get-only properties nothing sets on reading, and properties whose getter is not public or internal are not, and would read back as their default.",
        helpLinkUri: HelpLink(UnstoredMemberId));

    public static readonly DiagnosticDescriptor ShippedVersionNotRead = new(
        id: ShippedVersionNotReadId,
        title: "A shipped event version is no longer read",
        messageFormat: "{0}",
        category: VersioningCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Every version listed in EventSchemas.Shipped.txt has stored events that must keep reading: an event stored under its name (at that version or a later one), an old shape with that name and version read by an [Upcaster], or a JSON [Upcaster] step for it. A type renamed without [EventName], or removed, leaves its stored events unreadable.",
        helpLinkUri: HelpLink(ShippedVersionNotReadId),
        customTags: WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor ShippedShapeChanged = new(
        id: ShippedShapeChangedId,
        title: "A shipped event shape changed without a new version",
        messageFormat: "'{0}' reads the shipped '{1}' v{2}, whose stored shape it no longer reads: {3}; raise the event's version and keep the shipped shape as an old shape with an [Upcaster], or undo the change",
        category: VersioningCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The type that reads a version listed in EventSchemas.Shipped.txt must read every payload stored at that version: no property removed or retyped, none that accepted null made non-nullable, and no property added that a payload must hold. Adding a property with a default is compatible.",
        helpLinkUri: HelpLink(ShippedShapeChangedId),
        customTags: WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor BrokenUpcasterChain = new(
        id: BrokenUpcasterChainId,
        title: "An upcaster chain is broken",
        messageFormat: "{0}",
        category: VersioningCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Each [Upcaster] step reads one version and returns the next: its old shape names the stored name and version with [EventName(name, Version = n)], it returns version n + 1 (an old shape or the current event), one step reads each version of an event, and every chain ends at a current event. The generator leaves out a step that breaks these rules.",
        helpLinkUri: HelpLink(BrokenUpcasterChainId),
        customTags: WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor OldVersionEmitted = new(
        id: OldVersionEmittedId,
        title: "An aggregate emits an old event version",
        messageFormat: "'{0}' is an old version read only through an [Upcaster] and is not registered to be stored; emit the current version of the event",
        category: VersioningCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "An old shape kept for an [Upcaster] is read, never written: the store has no registration to append it under.",
        helpLinkUri: HelpLink(OldVersionEmittedId),
        customTags: WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor UnlistedEventVersion = new(
        id: UnlistedEventVersionId,
        title: "An event version is not listed in EventSchemas.Shipped.txt",
        messageFormat: "'{0}' is stored as '{1}' v{2}, which EventSchemas.Shipped.txt does not list; add it when it ships",
        category: VersioningCategory,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "With an EventSchemas.Shipped.txt beside the project, every event version (current events and old shapes) is listed there once it ships, so that the analyzers can hold later changes against it (ES0011, ES0012). The code fix adds the line.",
        helpLinkUri: HelpLink(UnlistedEventVersionId),
        customTags: WellKnownDiagnosticTags.CompilationEnd);

    private static string HelpLink(string id)
        => "https://github.com/eventsourcery/eventsourcery-dotnet/blob/main/docs/diagnostics/" + id + ".md";
}
