using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace EventSourcery.Analyzers;

/// <summary>
/// Rules about aggregates: partial declaration (ES0001), an Apply method for every emitted event (ES0002), the shape of
/// Apply methods (ES0006), no Emit inside Apply (ES0007) and a parameterless constructor (ES0009).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class AggregateAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.AggregateMustBePartial,
        DiagnosticDescriptors.MissingApply,
        DiagnosticDescriptors.InvalidApplyShape,
        DiagnosticDescriptors.EmitInsideApply,
        DiagnosticDescriptors.MissingParameterlessConstructor);

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

            var catalog = new EventCatalog(types);
            start.RegisterSymbolAction(context => AnalyzeAggregate(context, types, catalog), SymbolKind.NamedType);
            start.RegisterOperationAction(context => AnalyzeInvocation(context, types), OperationKind.Invocation);
            start.RegisterSymbolStartAction(symbolStart => EmitThroughHelpers.Register(symbolStart, types), SymbolKind.NamedType);
        });
    }

    private static void AnalyzeAggregate(SymbolAnalysisContext context, EventSourceryTypes types, EventCatalog catalog)
    {
        var aggregate = (INamedTypeSymbol)context.Symbol;
        if (!types.IsAggregate(aggregate))
        {
            return;
        }

        var location = aggregate.Locations.FirstOrDefault(l => l.IsInSource);
        if (location is null)
        {
            return;
        }

        CheckPartial(context, aggregate, location);
        if (!aggregate.IsAbstract && !aggregate.InstanceConstructors.Any(c => c.Parameters.Length == 0))
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MissingParameterlessConstructor, location, aggregate.Name));
        }

        foreach (var member in aggregate.GetMembers("Apply"))
        {
            if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary } method)
            {
                CheckApplyShape(context, types, method);
            }
        }

        CheckEventFamily(context, types, catalog, aggregate, location);
    }

    private static void CheckPartial(SymbolAnalysisContext context, INamedTypeSymbol aggregate, Location location)
    {
        var selfIsPartial = IsPartial(aggregate, context.CancellationToken);
        var containers = new List<string>();
        for (var parent = aggregate.ContainingType; parent is not null; parent = parent.ContainingType)
        {
            if (!IsPartial(parent, context.CancellationToken))
            {
                containers.Insert(0, parent.Name);
            }
        }

        if (selfIsPartial && containers.Count == 0)
        {
            return;
        }

        var list = string.Join(", ", containers.Select(c => "'" + c + "'"));
        var subject = (selfIsPartial, containers.Count) switch
        {
            (false, 0) => $"Aggregate '{aggregate.Name}'",
            (false, 1) => $"Aggregate '{aggregate.Name}' and its containing type {list}",
            (false, _) => $"Aggregate '{aggregate.Name}' and its containing types {list}",
            (true, 1) => $"Type {list} containing aggregate '{aggregate.Name}'",
            _ => $"Types {list} containing aggregate '{aggregate.Name}'",
        };
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.AggregateMustBePartial, location, subject));
    }

    private static bool IsPartial(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax declaration
                && declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                return true;
            }
        }

        // Types from metadata cannot be reopened, but they are not ours to report either.
        return type.DeclaringSyntaxReferences.Length == 0;
    }

    private static void CheckApplyShape(SymbolAnalysisContext context, EventSourceryTypes types, IMethodSymbol method)
    {
        var problems = new List<string>();
        if (method.IsStatic)
        {
            problems.Add("is static");
        }

        if (!method.ReturnsVoid)
        {
            if (method.ReturnType.TypeKind == TypeKind.Error)
            {
                return; // incomplete code: the compiler reports it
            }

            problems.Add("returns a value");
        }

        if (method.IsGenericMethod)
        {
            problems.Add("is generic");
        }

        if (method.Parameters.Length == 0)
        {
            problems.Add("takes no parameter");
        }
        else if (method.Parameters.Length > 1)
        {
            problems.Add($"takes {method.Parameters.Length} parameters");
        }
        else
        {
            var parameter = method.Parameters[0];
            if (parameter.Type.TypeKind == TypeKind.Error)
            {
                return;
            }

            if (parameter.RefKind != RefKind.None)
            {
                problems.Add("takes its parameter by reference");
            }

            if (!types.IsEventOrBase(parameter.Type))
            {
                problems.Add($"takes '{parameter.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}', which is not an event");
            }
        }

        var location = method.Locations.FirstOrDefault(l => l.IsInSource);
        if (problems.Count > 0 && location is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidApplyShape, location, method.Name, string.Join(" and ", problems)));
        }
    }

    /// <summary>For an aggregate deriving from <c>Aggregate&lt;TEvent&gt;</c>: every concrete event of the family needs an Apply method.</summary>
    private static void CheckEventFamily(SymbolAnalysisContext context, EventSourceryTypes types, EventCatalog catalog, INamedTypeSymbol aggregate, Location location)
    {
        if (aggregate.IsAbstract || types.GetEventFamily(aggregate) is not INamedTypeSymbol family || family.TypeKind == TypeKind.Error)
        {
            return;
        }

        var handled = GetHandledEventTypes(aggregate);
        foreach (var @event in catalog.GetConcreteEvents(context.CancellationToken))
        {
            if (EventSourceryTypes.IsOrDerivesFrom(@event, family)
                && context.Compilation.IsSymbolAccessibleWithin(@event, aggregate)
                && !IsHandled(@event, handled))
            {
                context.ReportDiagnostic(CreateMissingApply(location, aggregate, @event));
            }
        }
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, EventSourceryTypes types)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (!types.IsEmit(invocation.TargetMethod))
        {
            return;
        }

        if (GetEnclosingMethod(invocation.Syntax) is { Identifier.ValueText: "Apply" } applyMethod)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.EmitInsideApply, invocation.Syntax.GetLocation(), applyMethod.Identifier.ValueText));
        }

        // ES0002 for an emitted event; aggregates of one event family are checked as a whole on their declaration.
        // Through this/base (written or implicit) the aggregate is the one whose code emits, not the base declaring Emit.
        var receiver = invocation.Instance is IInstanceReferenceOperation
            ? context.ContainingSymbol.ContainingType
            : invocation.Instance?.Type;
        if (receiver is not INamedTypeSymbol aggregate
            || !types.IsAggregate(aggregate)
            || aggregate.IsAbstract
            || types.GetEventFamily(aggregate) is not null
            || invocation.Arguments.Length != 1)
        {
            return;
        }

        var value = invocation.Arguments[0].Value;
        while (value is IConversionOperation { IsImplicit: true } conversion)
        {
            value = conversion.Operand;
        }

        if (value.Type is not INamedTypeSymbol emitted || emitted.IsAbstract || !types.IsEvent(emitted)
            || IsHandled(emitted, GetHandledEventTypes(aggregate)))
        {
            return;
        }

        var syntax = invocation.Arguments[0].Syntax is ArgumentSyntax argument ? argument.Expression : value.Syntax;
        context.ReportDiagnostic(CreateMissingApply(syntax.GetLocation(), aggregate, emitted));
    }

    /// <summary>The nearest method declaration around <paramref name="node"/>, looking through lambdas and local functions.</summary>
    private static MethodDeclarationSyntax? GetEnclosingMethod(SyntaxNode node)
    {
        for (var current = node.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case MethodDeclarationSyntax method:
                    return method;
                case BaseTypeDeclarationSyntax:
                    return null;
            }
        }

        return null;
    }

    private static Diagnostic CreateMissingApply(Location location, INamedTypeSymbol aggregate, INamedTypeSymbol @event)
    {
        var properties = ImmutableDictionary<string, string?>.Empty
            .Add(DiagnosticDescriptors.EventTypeIdProperty, DocumentationCommentId.CreateReferenceId(@event))
            .Add(DiagnosticDescriptors.AggregateTypeIdProperty, DocumentationCommentId.CreateReferenceId(aggregate));
        return Diagnostic.Create(
            DiagnosticDescriptors.MissingApply,
            location,
            properties,
            aggregate.Name,
            @event.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat));
    }

    /// <summary>Parameter types of the instance Apply methods with one parameter in the aggregate and its base classes.</summary>
    private static List<ITypeSymbol> GetHandledEventTypes(INamedTypeSymbol aggregate)
    {
        var handled = new List<ITypeSymbol>();
        for (var current = aggregate; current is not null; current = current.BaseType)
        {
            foreach (var member in current.GetMembers("Apply"))
            {
                if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary, IsStatic: false, Parameters.Length: 1 } method)
                {
                    handled.Add(method.Parameters[0].Type);
                }
            }
        }

        return handled;
    }

    private static bool IsHandled(INamedTypeSymbol @event, List<ITypeSymbol> handled)
    {
        foreach (var parameterType in handled)
        {
            if (parameterType.TypeKind == TypeKind.Error || EventSourceryTypes.IsOrDerivesFrom(@event, parameterType))
            {
                return true; // an Apply of an unresolved type might handle it: say nothing about incomplete code
            }
        }

        return false;
    }
}
