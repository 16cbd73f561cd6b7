using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using EventSourcery.Analyzers.Naming;
using EventSourcery.Analyzers.Serialization;
using EventSourcery.Shapes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace EventSourcery.Analyzers;

/// <summary>
/// Rules about event types: past-tense names (ES0003), unique stable names (ES0004, compilation-wide), immutability
/// (ES0005), serializable property types (ES0008) and stored members (ES0010); the last two also for snapshot types.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class EventAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.EventNameNotPastTense,
        DiagnosticDescriptors.DuplicateEventName,
        DiagnosticDescriptors.MutableEvent,
        DiagnosticDescriptors.UnserializableProperty,
        DiagnosticDescriptors.UnstorableSnapshotType,
        DiagnosticDescriptors.UnstoredMember);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            var types = EventSourceryTypes.TryCreate(start.Compilation);
            if (types is null)
            {
                return; // the compilation does not reference EventSourcery
            }

            var checker = new SerializableTypeChecker(types);
            var registered = new ConcurrentBag<(string StableName, INamedTypeSymbol Type)>();

            // A member inherited by several events, or a snapshot type several aggregates share, is reported once.
            var reported = new ConcurrentDictionary<(string Id, ISymbol Member), byte>();
            start.RegisterSymbolAction(context => AnalyzeEvent(context, types, checker, registered, reported), SymbolKind.NamedType);
            start.RegisterSymbolAction(context => AnalyzeSnapshot(context, types, checker, reported), SymbolKind.NamedType);
            // Old shapes (the parameter of a typed [Upcaster]) are read as older versions, not registered as events.
            var oldShapes = new ConcurrentDictionary<INamedTypeSymbol, byte>(SymbolEqualityComparer.Default);
            var upcaster = start.Compilation.GetTypeByMetadataName("EventSourcery.UpcasterAttribute");
            if (upcaster is not null)
            {
                start.RegisterSymbolAction(context => FindOldShape(context, upcaster, oldShapes), SymbolKind.Method);
            }

            start.RegisterCompilationEndAction(context => ReportDuplicateNames(context, registered.Where(e => !oldShapes.ContainsKey(e.Type))));
        });
    }

    private static void AnalyzeEvent(
        SymbolAnalysisContext context,
        EventSourceryTypes types,
        SerializableTypeChecker checker,
        ConcurrentBag<(string StableName, INamedTypeSymbol Type)> registered,
        ConcurrentDictionary<(string Id, ISymbol Member), byte> reported)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (!types.IsEvent(type))
        {
            return;
        }

        var location = type.Locations.FirstOrDefault(l => l.IsInSource);
        if (location is null)
        {
            return;
        }

        if (PastTenseNames.GetSuggestion(type.Name) is { } suggestion)
        {
            var properties = ImmutableDictionary<string, string?>.Empty.Add(DiagnosticDescriptors.SuggestedNameProperty, suggestion);
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.EventNameNotPastTense, location, properties, type.Name, suggestion));
        }

        CheckMutability(context, type);

        // The generator registers (and serializes) the concrete, non-generic events that generated code can name.
        var isRegistered = types.IsRegisteredEvent(type);
        if (isRegistered)
        {
            registered.Add((types.GetStableName(type), type));
            CheckStored(context, type, reported);
        }

        // Abstract bases are checked for the properties they pass down to their concrete events (unless generic: their
        // type parameters are bound by the derived events). A concrete generic event is checked so that its open type
        // parameters are reported: the generator cannot serialize it.
        if (isRegistered || type.IsAbstract != type.IsGenericType)
        {
            CheckSerialization(context, type, checker);
        }
    }

    /// <summary>
    /// ES0008 and ES0010 for the snapshot type of an aggregate declaring <c>ISnapshotable&lt;TSnapshot&gt;</c>: a
    /// snapshot is stored like an event, so it follows the same rule (reported on the snapshot type's members).
    /// </summary>
    private static void AnalyzeSnapshot(
        SymbolAnalysisContext context,
        EventSourceryTypes types,
        SerializableTypeChecker checker,
        ConcurrentDictionary<(string Id, ISymbol Member), byte> reported)
    {
        var aggregate = (INamedTypeSymbol)context.Symbol;
        if (types.GetDeclaredSnapshotInterface(aggregate) is not { } snapshotable)
        {
            return;
        }

        // A base that declares ISnapshotable generates its own implementation; the generator skips the derived one.
        var declaredByBase = aggregate.BaseType?.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(i.OriginalDefinition, snapshotable.OriginalDefinition)) == true;
        var declared = snapshotable.TypeArguments[0];
        if (!declaredByBase && declared.TypeKind != TypeKind.Error && StoredMembers.ObjectProblem(declared) is { } notStorable)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.UnstorableSnapshotType,
                SnapshotableLocation(aggregate, snapshotable, context.CancellationToken),
                aggregate.Name,
                declared.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
                notStorable));
            return;
        }

        if (declared is not INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct } snapshot
            || snapshot.IsAbstract
            || !snapshot.Locations.Any(l => l.IsInSource && context.Compilation.ContainsSyntaxTree(l.SourceTree!)))
        {
            return;
        }

        CheckStored(context, snapshot, reported);
        foreach (var current in StoredMembers.TypeAndBases(snapshot))
        {
            foreach (var member in current.GetMembers())
            {
                if (member is IPropertySymbol property && checker.IsSerialized(property)
                    && checker.GetProblem(property.Type, context.CancellationToken) is { } problem
                    && property.Locations.FirstOrDefault(l => l.IsInSource) is { } location
                    && context.Compilation.ContainsSyntaxTree(location.SourceTree!)
                    && reported.TryAdd((DiagnosticDescriptors.UnserializablePropertyId, property.OriginalDefinition), 0))
                {
                    context.ReportDiagnostic(Diagnostic.Create(
                        DiagnosticDescriptors.UnserializableProperty,
                        location,
                        property.Name,
                        current.Name,
                        property.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
                        problem));
                }
            }
        }
    }

    /// <summary>Where the aggregate names <c>ISnapshotable&lt;T&gt;</c> in its base list, or else its name.</summary>
    private static Location SnapshotableLocation(INamedTypeSymbol aggregate, INamedTypeSymbol snapshotable, CancellationToken cancellationToken)
    {
        foreach (var reference in aggregate.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax { BaseList: { } bases })
            {
                foreach (var entry in bases.Types)
                {
                    if (entry.Type is GenericNameSyntax { Identifier.ValueText: "ISnapshotable" } or QualifiedNameSyntax { Right: GenericNameSyntax { Identifier.ValueText: "ISnapshotable" } })
                    {
                        return entry.GetLocation();
                    }
                }
            }
        }

        return aggregate.Locations[0];
    }

    /// <summary>ES0010 on each member of <paramref name="type"/> (its bases included) that holds state and would not be stored.</summary>
    private static void CheckStored(SymbolAnalysisContext context, INamedTypeSymbol type, ConcurrentDictionary<(string Id, ISymbol Member), byte> reported)
    {
        foreach (var unstored in StoredMembers.FindUnstored(type, context.Compilation.Assembly))
        {
            var member = unstored.Member;
            if (member.Locations.FirstOrDefault(l => l.IsInSource) is { } location
                && context.Compilation.ContainsSyntaxTree(location.SourceTree!)
                && reported.TryAdd((DiagnosticDescriptors.UnstoredMemberId, member.OriginalDefinition), 0))
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.UnstoredMember, location, unstored.Kind, member.Name, member.ContainingType.Name, unstored.Reason));
            }
        }
    }

    private static void CheckMutability(SymbolAnalysisContext context, INamedTypeSymbol type)
    {
        foreach (var member in type.GetMembers())
        {
            string kind;
            switch (member)
            {
                case IPropertySymbol { IsStatic: false, IsIndexer: false, SetMethod: { IsInitOnly: false } } property when !property.IsImplicitlyDeclared:
                    kind = "property";
                    break;
                case IFieldSymbol { IsStatic: false, IsConst: false, IsReadOnly: false } field when !field.IsImplicitlyDeclared:
                    kind = "field";
                    break;
                default:
                    continue;
            }

            var location = member.Locations.FirstOrDefault(l => l.IsInSource);
            if (location is not null)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MutableEvent, location, type.Name, kind, member.Name));
            }
        }
    }

    private static void CheckSerialization(SymbolAnalysisContext context, INamedTypeSymbol type, SerializableTypeChecker checker)
    {
        foreach (var member in type.GetMembers())
        {
            if (member is not IPropertySymbol property || !checker.IsSerialized(property))
            {
                continue;
            }

            var problem = checker.GetProblem(property.Type, context.CancellationToken);
            var location = property.Locations.FirstOrDefault(l => l.IsInSource);
            if (problem is not null && location is not null)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.UnserializableProperty,
                    location,
                    property.Name,
                    type.Name,
                    property.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
                    problem));
            }
        }
    }

    /// <summary>Notes the parameter type of a typed <c>[Upcaster]</c> step (an attribute without arguments).</summary>
    private static void FindOldShape(SymbolAnalysisContext context, INamedTypeSymbol upcaster, ConcurrentDictionary<INamedTypeSymbol, byte> oldShapes)
    {
        var method = (IMethodSymbol)context.Symbol;
        if (method.Parameters.Length == 1 && method.Parameters[0].Type is INamedTypeSymbol shape
            && method.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, upcaster) && a.ConstructorArguments.Length == 0))
        {
            oldShapes.TryAdd(shape, 0);
        }
    }

    private static void ReportDuplicateNames(CompilationAnalysisContext context, System.Collections.Generic.IEnumerable<(string StableName, INamedTypeSymbol Type)> registered)
    {
        var groups = registered
            .GroupBy(e => e.StableName, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var group in groups)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var members = group.Select(e => (e.Type, Name: e.Type.ToDisplayString()))
                .OrderBy(e => e.Name, StringComparer.Ordinal)
                .ToList();
            for (var i = 0; i < members.Count; i++)
            {
                var location = members[i].Type.Locations.FirstOrDefault(l => l.IsInSource);
                if (location is null)
                {
                    continue;
                }

                var index = i;
                var others = string.Join("', '", members.Where((_, j) => j != index).Select(m => m.Name));
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DuplicateEventName, location, members[i].Name, group.Key, others));
            }
        }
    }
}
