using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using EventSourcery.Analyzers.PersonalData;
using EventSourcery.Shapes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace EventSourcery.Analyzers;

/// <summary>
/// Rules about <c>[DataSubject]</c> and <c>[PersonalData]</c>: a subject for personal data (ES0017), one only (ES0018),
/// of a type that can be an id (ES0019), personal data kept out of plain text (ES0020), masks of the property's type
/// (ES0021), and the attributes only on events' own properties (ES0022).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PersonalDataAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.MissingDataSubject,
        DiagnosticDescriptors.DuplicateDataSubject,
        DiagnosticDescriptors.UnsupportedDataSubjectType,
        DiagnosticDescriptors.PersonalDataInPlainText,
        DiagnosticDescriptors.MaskTypeMismatch,
        DiagnosticDescriptors.PersonalDataOutsideEvent);

    /// <summary>Ids an event holds that are not the person's (Id is the event's own): never offered as the data subject.</summary>
    private static readonly ImmutableHashSet<string> NotSubjectNames = ImmutableHashSet.Create(
        StringComparer.Ordinal, "Id", "EventId", "CorrelationId", "CausationId", "TenantId", "StreamId", "MessageId");

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            var types = EventSourceryTypes.TryCreate(start.Compilation);
            if (types is null || (types.DataSubjectAttribute is null && types.PersonalDataAttribute is null))
            {
                return; // no EventSourcery, or one without personal data
            }

            var marks = new PersonalDataMarks(types.DataSubjectAttribute, types.PersonalDataAttribute);

            start.RegisterSymbolAction(context => AnalyzeType(context, types, marks), SymbolKind.NamedType);

            var streamId = start.Compilation.GetTypeByMetadataName(EventSourceryTypes.StreamIdName);
            var eventStore = start.Compilation.GetTypeByMetadataName(EventSourceryTypes.EventStoreName);
            if (types.PersonalDataAttribute is not null)
            {
                start.RegisterOperationAction(
                    context => AnalyzePlainTextUse(context, marks, streamId, eventStore),
                    OperationKind.Invocation,
                    OperationKind.ObjectCreation);
            }
        });
    }

    private static void AnalyzeType(SymbolAnalysisContext context, EventSourceryTypes types, PersonalDataMarks marks)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        var isEvent = types.IsEvent(type);
        foreach (var member in type.GetMembers())
        {
            if (member is IPropertySymbol { IsIndexer: false } property)
            {
                if (isEvent)
                {
                    CheckEventProperty(context, property, marks);
                }
                else
                {
                    CheckOutsideEvent(context, type, property, marks);
                }
            }
        }

        if (isEvent)
        {
            CheckSubjects(context, types, type, marks);
        }
    }

    /// <summary>ES0019, ES0020 (also the subject) and ES0021 on a property an event declares.</summary>
    private static void CheckEventProperty(SymbolAnalysisContext context, IPropertySymbol property, PersonalDataMarks marks)
    {
        var subject = PersonalDataMarks.Find(property, marks.DataSubject, inherited: false);
        var personal = PersonalDataMarks.Find(property, marks.PersonalData, inherited: false);
        var location = property.Locations.FirstOrDefault(l => l.IsInSource);
        if (subject.Count > 0 && location is not null && !PersonalDataTypes.IsSupportedSubject(property.Type))
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.UnsupportedDataSubjectType, location, property.Name, property.ContainingType.Name, Display(property.Type)));
        }

        foreach (var attribute in personal)
        {
            if (subject.Count > 0 && PersonalDataMarks.LocationOf(attribute, context.CancellationToken) is { } attributeLocation)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.PersonalDataInPlainText, attributeLocation, property.Name, "also the event's [DataSubject]"));
            }

            if (attribute.ConstructorArguments.Length == 1
                && PersonalDataTypes.MaskProblem(attribute.ConstructorArguments[0], property.Type) is { } problem
                && PersonalDataMarks.MaskLocationOf(attribute, context.CancellationToken) is { } maskLocation)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.MaskTypeMismatch, maskLocation, property.Name, Display(property.Type), problem));
            }
        }
    }

    /// <summary>ES0022 on each <c>[DataSubject]</c> and <c>[PersonalData]</c> of a type that is not an event.</summary>
    private static void CheckOutsideEvent(SymbolAnalysisContext context, INamedTypeSymbol type, IPropertySymbol property, PersonalDataMarks marks)
    {
        foreach (var (attributeType, name) in new[] { (marks.DataSubject, "DataSubject"), (marks.PersonalData, "PersonalData") })
        {
            foreach (var attribute in PersonalDataMarks.Find(property, attributeType, inherited: false))
            {
                if (PersonalDataMarks.LocationOf(attribute, context.CancellationToken) is { } location)
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.PersonalDataOutsideEvent, location, name, property.Name, type.Name));
                }
            }
        }
    }

    /// <summary>
    /// ES0018 on every <c>[DataSubject]</c> the event declares after the first among the properties it stores (its
    /// bases' first; an inherited one is reported on the base that declares it), and ES0017 on an event the generator
    /// registers that stores personal data and no subject.
    /// </summary>
    private static void CheckSubjects(SymbolAnalysisContext context, EventSourceryTypes types, INamedTypeSymbol type, PersonalDataMarks marks)
    {
        var chain = StoredMembers.TypeAndBases(type).ToList();
        var stored = StoredMembers.SerializedProperties(type, context.Compilation.Assembly)
            .Select((property, index) => (property, index))
            .OrderByDescending(p => chain.FindIndex(t => SymbolEqualityComparer.Default.Equals(t, p.property.ContainingType)))
            .ThenBy(p => p.index)
            .Select(p => p.property)
            .ToList();
        var subjects = stored.Where(marks.IsSubject).ToList();
        for (var i = 1; i < subjects.Count; i++)
        {
            if (SymbolEqualityComparer.Default.Equals(subjects[i].ContainingType, type)
                && subjects[i].Locations.FirstOrDefault(l => l.IsInSource) is { } location)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.DuplicateDataSubject, location, subjects[i].Name, type.Name, subjects[0].Name));
            }
        }

        // An abstract event may leave the subject to the events deriving from it; unregistered events are not stored.
        if (!types.IsRegisteredEvent(type) || subjects.Count > 0 || stored.FirstOrDefault(marks.IsPersonal) is not { } personal)
        {
            return;
        }

        var own = SymbolEqualityComparer.Default.Equals(personal.ContainingType, type) ? personal.Locations.FirstOrDefault(l => l.IsInSource) : null;
        if ((own ?? type.Locations.FirstOrDefault(l => l.IsInSource)) is not { } reportAt)
        {
            return;
        }

        var properties = ImmutableDictionary<string, string?>.Empty;
        if (SubjectCandidate(type, stored, marks) is { } candidate)
        {
            properties = properties.Add(DiagnosticDescriptors.SubjectCandidateProperty, candidate.Name);
        }

        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MissingDataSubject, reportAt, properties, type.Name, personal.Name));
    }

    /// <summary>
    /// The one property the ES0017 fix may mark <c>[DataSubject]</c>: declared in source by the event itself, named
    /// <c>Id</c> or <c>…Id</c>, a string or Guid, not personal data. Null when there is none or more than one.
    /// </summary>
    private static IPropertySymbol? SubjectCandidate(INamedTypeSymbol type, List<IPropertySymbol> stored, PersonalDataMarks marks)
    {
        var candidates = stored.Where(p =>
                SymbolEqualityComparer.Default.Equals(p.ContainingType, type)
                && p.Locations.Any(l => l.IsInSource)
                && (p.Name.EndsWith("Id", StringComparison.Ordinal) || p.Name.EndsWith("ID", StringComparison.Ordinal))
                && !NotSubjectNames.Contains(p.Name)
                && IsStringOrGuid(p.Type)
                && !marks.IsPersonal(p))
            .Take(2)
            .ToList();
        return candidates.Count == 1 ? candidates[0] : null;
    }

    private static bool IsStringOrGuid(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }

        return type.SpecialType == SpecialType.System_String
            || type is INamedTypeSymbol { Name: "Guid", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } };
    }

    /// <summary>
    /// ES0020 on each read of a <c>[PersonalData]</c> property inside an argument of <c>StreamId.FromName</c>,
    /// <c>new StreamId</c> or <c>IEventStore.ForTenant</c>, whose values are stored in plain text.
    /// </summary>
    private static void AnalyzePlainTextUse(OperationAnalysisContext context, PersonalDataMarks marks, INamedTypeSymbol? streamId, INamedTypeSymbol? eventStore)
    {
        string where;
        ImmutableArray<IArgumentOperation> arguments;
        switch (context.Operation)
        {
            case IInvocationOperation { TargetMethod: { Name: "FromName", IsStatic: true } method } invocation
                when streamId is not null && SymbolEqualityComparer.Default.Equals(method.ContainingType, streamId):
                where = "read into a stream name (StreamId.FromName)";
                arguments = invocation.Arguments;
                break;
            case IInvocationOperation { TargetMethod: { Name: "ForTenant" } method } invocation when IsForTenant(method, eventStore):
                where = "read into a tenant id (IEventStore.ForTenant)";
                arguments = invocation.Arguments;
                break;
            case IObjectCreationOperation creation when streamId is not null && SymbolEqualityComparer.Default.Equals(creation.Type, streamId):
                where = "read into a stream id (new StreamId)";
                arguments = creation.Arguments;
                break;
            default:
                return;
        }

        foreach (var argument in arguments)
        {
            if (argument.Value is null)
            {
                continue;
            }

            foreach (var operation in Enumerable.Repeat(argument.Value, 1).Concat(argument.Value.Descendants()))
            {
                if (operation is IPropertyReferenceOperation reference && marks.IsPersonal(reference.Property))
                {
                    context.ReportDiagnostic(Diagnostic.Create(
                        DiagnosticDescriptors.PersonalDataInPlainText, reference.Syntax.GetLocation(), reference.Property.Name, where));
                }
            }
        }
    }

    /// <summary>True for <c>IEventStore.ForTenant</c> and for a method implementing it.</summary>
    private static bool IsForTenant(IMethodSymbol method, INamedTypeSymbol? eventStore)
    {
        if (eventStore is null)
        {
            return false;
        }

        if (SymbolEqualityComparer.Default.Equals(method.ContainingType, eventStore))
        {
            return true;
        }

        var declared = eventStore.GetMembers("ForTenant").OfType<IMethodSymbol>();
        return method.ContainingType.AllInterfaces.Contains(eventStore, SymbolEqualityComparer.Default)
            && declared.Any(d => SymbolEqualityComparer.Default.Equals(method.ContainingType.FindImplementationForInterfaceMember(d), method));
    }

    private static string Display(ITypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
}
