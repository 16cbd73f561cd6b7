using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using EventSourcery.Analyzers.Versioning;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace EventSourcery.Analyzers;

/// <summary>
/// Rules about event versions, checked across the compilation when it ends: upcaster chains (ES0013), old shapes
/// emitted (ES0014), and, when the project has an EventSchemas.Shipped.txt, the shipped versions it lists: each still
/// read (ES0011) by a type that reads its stored shape (ES0012), and each version of the compilation listed (ES0015).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class VersioningAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.ShippedVersionNotRead,
        DiagnosticDescriptors.ShippedShapeChanged,
        DiagnosticDescriptors.BrokenUpcasterChain,
        DiagnosticDescriptors.OldVersionEmitted,
        DiagnosticDescriptors.UnlistedEventVersion);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            var types = EventSourceryTypes.TryCreate(start.Compilation);
            var upcaster = start.Compilation.GetTypeByMetadataName("EventSourcery.UpcasterAttribute");
            if (types is null || upcaster is null)
            {
                return; // no EventSourcery, or one without versions
            }

            var found = new Found();
            start.RegisterSymbolAction(context => Collect(context, types, upcaster, found), SymbolKind.NamedType, SymbolKind.Method);
            start.RegisterOperationAction(context => CollectEmit(context, types, found), OperationKind.Invocation);
            start.RegisterCompilationEndAction(context => new Check(context, types, found).Run());
        });
    }

    private static void Collect(SymbolAnalysisContext context, EventSourceryTypes types, INamedTypeSymbol upcaster, Found found)
    {
        switch (context.Symbol)
        {
            case INamedTypeSymbol type when types.IsEvent(type) && !type.IsAbstract && !type.IsGenericType && EventSourceryTypes.IsReachableFromAssembly(type):
                found.Events.Add(type);
                break;
            case IMethodSymbol method when method.Parameters.Length == 1:
                foreach (var attribute in method.GetAttributes())
                {
                    if (!SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, upcaster))
                    {
                        continue;
                    }

                    if (attribute.ConstructorArguments.Length == 0 && method.Parameters[0].Type is INamedTypeSymbol from && method.ReturnType is INamedTypeSymbol to)
                    {
                        found.TypedSteps.Add(new TypedStep(method, from, to));
                    }
                    else if (attribute.ConstructorArguments.Length == 2
                        && attribute.ConstructorArguments[0].Value is INamedTypeSymbol eventType
                        && attribute.ConstructorArguments[1].Value is int fromVersion)
                    {
                        var name = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Name").Value.Value as string;
                        found.JsonSteps.Add(new JsonStep(method, eventType, fromVersion, string.IsNullOrEmpty(name) ? null : name));
                    }
                }

                break;
        }
    }

    private static void CollectEmit(OperationAnalysisContext context, EventSourceryTypes types, Found found)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (types.IsEmit(invocation.TargetMethod) && invocation.Arguments.Length == 1)
        {
            var value = invocation.Arguments[0].Value;
            while (value is IConversionOperation conversion)
            {
                value = conversion.Operand;
            }

            if (value.Type is INamedTypeSymbol emitted)
            {
                found.Emits.Add((emitted, invocation.Syntax.GetLocation()));
            }
        }
    }

    private sealed class Found
    {
        public ConcurrentBag<INamedTypeSymbol> Events { get; } = [];

        public ConcurrentBag<TypedStep> TypedSteps { get; } = [];

        public ConcurrentBag<JsonStep> JsonSteps { get; } = [];

        public ConcurrentBag<(INamedTypeSymbol Type, Location Location)> Emits { get; } = [];
    }

    private sealed class TypedStep(IMethodSymbol method, INamedTypeSymbol from, INamedTypeSymbol to)
    {
        public IMethodSymbol Method { get; } = method;

        public INamedTypeSymbol From { get; } = from;

        public INamedTypeSymbol To { get; } = to;
    }

    private sealed class JsonStep(IMethodSymbol method, INamedTypeSymbol @event, int fromVersion, string? name)
    {
        public IMethodSymbol Method { get; } = method;

        public INamedTypeSymbol Event { get; } = @event;

        public int FromVersion { get; } = fromVersion;

        public string? Name { get; } = name;
    }

    /// <summary>The checks at the end of the compilation, over everything collected.</summary>
    private sealed class Check(CompilationAnalysisContext context, EventSourceryTypes types, Found found)
    {
        private readonly HashSet<INamedTypeSymbol> _oldShapes = new(found.TypedSteps.Select(s => s.From), SymbolEqualityComparer.Default);
        private readonly Dictionary<INamedTypeSymbol, TypedStep> _stepFrom = found.TypedSteps
            .GroupBy(s => s.From, SymbolEqualityComparer.Default)
            .ToDictionary(g => (INamedTypeSymbol)g.Key!, g => g.First(), (IEqualityComparer<INamedTypeSymbol>)SymbolEqualityComparer.Default);

        private List<INamedTypeSymbol> Current => found.Events.Where(e => !_oldShapes.Contains(e)).ToList();

        public void Run()
        {
            var current = new HashSet<INamedTypeSymbol>(Current, SymbolEqualityComparer.Default);
            var readers = CheckChains(current);
            foreach (var (type, location) in found.Emits)
            {
                if (_oldShapes.Contains(type))
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.OldVersionEmitted, location, type.Name));
                }
            }

            if (ShippedSchemas.Find(context.Options.AdditionalFiles) is { } file)
            {
                CheckShipped(file, current, readers);
            }
        }

        /// <summary>ES0013 for every step that does not chain; returns the stored (name, version) each typed reader and JSON step covers.</summary>
        private Readers CheckChains(HashSet<INamedTypeSymbol> current)
        {
            var readers = new Readers();
            var byVersion = new Dictionary<(INamedTypeSymbol Event, int Version), List<IMethodSymbol>>();
            foreach (var step in found.TypedSteps.OrderBy(s => s.Method.ToDisplayString(), StringComparer.Ordinal))
            {
                if (types.GetDeclaredName(step.From) is not { } from)
                {
                    Report(step.Method, $"The old shape '{step.From.Name}' of '{step.Method.Name}' has no [EventName(name, Version = n)]: the stored name and version it reads");
                    continue;
                }

                readers.Typed[(from.Name, from.Version)] = step.From;
                int? toVersion = current.Contains(step.To) ? types.GetStoredName(step.To).Version
                    : _oldShapes.Contains(step.To) ? types.GetDeclaredName(step.To)?.Version
                    : null;
                if (toVersion is null)
                {
                    Report(step.Method, $"'{step.Method.Name}' returns '{step.To.Name}', which is neither an event nor the old shape of another [Upcaster]");
                    continue;
                }

                if (toVersion != from.Version + 1)
                {
                    Report(step.Method, $"'{step.Method.Name}' reads '{from.Name}' v{from.Version} and returns '{step.To.Name}' v{toVersion}: a step goes up one version");
                }

                if (Target(step, current) is { } target)
                {
                    Add(byVersion, (target, from.Version), step.Method);
                    readers.Targets[step.From] = target;
                }
                else
                {
                    Report(step.Method, $"The chain from '{step.From.Name}' through '{step.Method.Name}' ends at no current event");
                }
            }

            foreach (var step in found.JsonSteps.OrderBy(s => s.Method.ToDisplayString(), StringComparer.Ordinal))
            {
                if (!current.Contains(step.Event))
                {
                    Report(step.Method, $"'{step.Method.Name}' upcasts '{step.Event.Name}', which is not a current event of this project");
                    continue;
                }

                var eventVersion = types.GetStoredName(step.Event).Version;
                if (step.FromVersion < 1 || step.FromVersion >= eventVersion)
                {
                    Report(step.Method, $"'{step.Method.Name}' reads v{step.FromVersion} of '{step.Event.Name}', whose current version is v{eventVersion}: a step reads a version below it");
                    continue;
                }

                Add(byVersion, (step.Event, step.FromVersion), step.Method);
                // As the generator names it (UpcastChains.NameAt): the attribute's Name, else the name of this event's
                // typed shape one version up, else the event's current name.
                var name = step.Name
                    ?? readers.Targets.Where(t => SymbolEqualityComparer.Default.Equals(t.Value, step.Event))
                        .Select(t => types.GetDeclaredName(t.Key))
                        .FirstOrDefault(n => n?.Version == step.FromVersion + 1)?.Name
                    ?? types.GetStoredName(step.Event).Name;
                readers.Json.Add((name, step.FromVersion));
            }

            foreach (var pair in byVersion.Where(p => p.Value.Count > 1))
            {
                foreach (var method in pair.Value)
                {
                    var others = string.Join("', '", pair.Value.Where(m => !SymbolEqualityComparer.Default.Equals(m, method)).Select(m => m.Name));
                    Report(method, $"'{method.Name}' and '{others}' both read v{pair.Key.Version} of '{pair.Key.Event.Name}': one step reads each version");
                }
            }

            return readers;
        }

        private INamedTypeSymbol? Target(TypedStep step, HashSet<INamedTypeSymbol> current)
        {
            var to = step.To;
            for (var hops = 0; hops < 64; hops++)
            {
                if (current.Contains(to))
                {
                    return to;
                }

                if (!_stepFrom.TryGetValue(to, out var next))
                {
                    return null;
                }

                to = next.To;
            }

            return null;
        }

        private void CheckShipped(AdditionalText file, HashSet<INamedTypeSymbol> current, Readers readers)
        {
            var (shipped, malformed) = ShippedSchemas.Read(file, context.CancellationToken);
            foreach (var (line, location) in malformed)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ShippedVersionNotRead, location, $"Line {line} of {ShippedSchemas.FileName} is not of the form 'name vN {{json: Type; …}}'"));
            }

            var currentByName = current.ToLookup(e => types.GetStoredName(e).Name, StringComparer.Ordinal);
            foreach (var version in shipped)
            {
                if (readers.Json.Contains((version.Name, version.Version)))
                {
                    continue; // a JSON step reads it: no type to compare
                }

                var reader = readers.Typed.TryGetValue((version.Name, version.Version), out var shape) ? shape
                    : currentByName[version.Name].Where(e => types.GetStoredName(e).Version >= version.Version).OrderBy(e => types.GetStoredName(e).Version).FirstOrDefault();
                if (reader is null)
                {
                    context.ReportDiagnostic(Diagnostic.Create(
                        DiagnosticDescriptors.ShippedVersionNotRead,
                        version.Location,
                        $"'{version.Name}' v{version.Version} has shipped, but no type reads it any more: no event is stored under that name at that version or a later one, and no old shape or [Upcaster] reads it (a type renamed without [EventName], or removed)"));
                    continue;
                }

                var problems = EventShape.Incompatibilities(version.Properties, EventShape.Describe(reader, context.Compilation.Assembly));
                if (problems.Count > 0 && SourceLocation(reader) is { } location)
                {
                    // What the code fix needs to keep the shipped shape as an old version (only when the reader is at that version).
                    var properties = ImmutableDictionary<string, string?>.Empty;
                    if (types.GetStoredName(reader) == (version.Name, version.Version) && current.Contains(reader))
                    {
                        properties = properties
                            .Add(DiagnosticDescriptors.ShippedNameProperty, version.Name)
                            .Add(DiagnosticDescriptors.ShippedVersionProperty, version.Version.ToString(System.Globalization.CultureInfo.InvariantCulture))
                            .Add(DiagnosticDescriptors.ShippedShapeProperty, EventShape.Format(version.Properties.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new StoredProperty(p.Key, p.Value, required: false))));
                    }

                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ShippedShapeChanged, location, properties, reader.Name, version.Name, version.Version, string.Join(", ", problems)));
                }
            }

            var listed = new HashSet<(string, int)>(shipped.Select(v => (v.Name, v.Version)));
            var versions = current.Select(e => (Type: e, Stored: types.GetStoredName(e)))
                .Concat(readers.Typed.Select(p => (Type: p.Value, Stored: p.Key)));
            foreach (var (type, stored) in versions)
            {
                if (!listed.Contains(stored) && SourceLocation(type) is { } location)
                {
                    var line = ShippedSchemas.FormatLine(stored.Name, stored.Version, EventShape.Format(EventShape.Describe(type, context.Compilation.Assembly)));
                    var properties = ImmutableDictionary<string, string?>.Empty.Add(DiagnosticDescriptors.ShippedLineProperty, line);
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnlistedEventVersion, location, properties, type.Name, stored.Name, stored.Version));
                }
            }
        }

        private Location? SourceLocation(INamedTypeSymbol type)
            => type.Locations.FirstOrDefault(l => l.IsInSource && context.Compilation.ContainsSyntaxTree(l.SourceTree!));

        private void Report(IMethodSymbol method, string message)
        {
            if (method.Locations.FirstOrDefault(l => l.IsInSource) is { } location)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BrokenUpcasterChain, location, message));
            }
        }

        private static void Add(Dictionary<(INamedTypeSymbol, int), List<IMethodSymbol>> map, (INamedTypeSymbol, int) key, IMethodSymbol method)
        {
            if (!map.TryGetValue(key, out var list))
            {
                map[key] = list = [];
            }

            list.Add(method);
        }
    }

    /// <summary>Which type reads each older stored (name, version), and which a JSON step reads.</summary>
    private sealed class Readers
    {
        public Dictionary<(string Name, int Version), INamedTypeSymbol> Typed { get; } = [];

        public Dictionary<INamedTypeSymbol, INamedTypeSymbol> Targets { get; } = new(SymbolEqualityComparer.Default);

        public HashSet<(string Name, int Version)> Json { get; } = [];
    }
}
