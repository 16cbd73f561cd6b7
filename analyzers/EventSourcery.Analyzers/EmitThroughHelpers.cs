using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace EventSourcery.Analyzers;

/// <summary>
/// ES0007 through helpers: an <c>Emit</c> in a method of the aggregate that an <c>Apply</c> method calls, directly or
/// through other methods of the aggregate (<c>Apply → Notify → Emit</c>), runs on every replay just as one written
/// inside <c>Apply</c>. The calls between the aggregate's methods are collected while its code is analyzed, and the
/// paths from each <c>Apply</c> are followed when it is done (one report per <c>Emit</c>, with the first path found).
/// </summary>
internal static class EmitThroughHelpers
{
    private const int MaxDepth = 8;

    public static void Register(SymbolStartAnalysisContext start, EventSourceryTypes types)
    {
        var type = (INamedTypeSymbol)start.Symbol;
        if (!types.IsAggregate(type))
        {
            return;
        }

        var calls = new ConcurrentBag<(IMethodSymbol Caller, IMethodSymbol Callee)>();
        var emits = new ConcurrentBag<(IMethodSymbol Method, Location Location)>();
        start.RegisterOperationAction(
            context =>
            {
                var invocation = (IInvocationOperation)context.Operation;
                if (Member(context.ContainingSymbol) is not { } caller || !SymbolEqualityComparer.Default.Equals(caller.ContainingType, type))
                {
                    return;
                }

                if (types.IsEmit(invocation.TargetMethod))
                {
                    emits.Add((caller, invocation.Syntax.GetLocation()));
                }
                else if (invocation.TargetMethod.MethodKind == MethodKind.Ordinary
                    && SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType, type))
                {
                    calls.Add((caller, invocation.TargetMethod.OriginalDefinition));
                }
            },
            OperationKind.Invocation);
        start.RegisterSymbolEndAction(context => Report(context, calls, emits));
    }

    private static void Report(SymbolAnalysisContext context, IEnumerable<(IMethodSymbol Caller, IMethodSymbol Callee)> calls, IEnumerable<(IMethodSymbol Method, Location Location)> emits)
    {
        var emitting = emits.Where(e => !IsApply(e.Method)).ToLookup(e => e.Method, SymbolEqualityComparer.Default);
        if (emitting.Count == 0)
        {
            return; // an Emit inside Apply itself is reported where it is analyzed
        }

        var callees = calls.ToLookup(c => c.Caller, c => c.Callee, SymbolEqualityComparer.Default);
        var reported = new HashSet<Location>();
        foreach (var apply in callees.Select(g => (IMethodSymbol)g.Key!).Where(IsApply).OrderBy(m => m.Locations.FirstOrDefault()?.SourceSpan.Start ?? 0))
        {
            // Breadth first, so each helper is reached by its shortest path from this Apply.
            var paths = new Dictionary<IMethodSymbol, string>(SymbolEqualityComparer.Default) { [apply] = apply.Name };
            var queue = new Queue<(IMethodSymbol Method, int Depth)>();
            queue.Enqueue((apply, 0));
            while (queue.Count > 0)
            {
                var (method, depth) = queue.Dequeue();
                foreach (var callee in callees[method])
                {
                    if (depth >= MaxDepth || IsApply(callee) || paths.ContainsKey(callee))
                    {
                        continue;
                    }

                    var path = paths[callee] = $"{paths[method]} → {callee.Name}";
                    foreach (var (_, location) in emitting[callee])
                    {
                        if (reported.Add(location))
                        {
                            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.EmitInsideApply, location, path));
                        }
                    }

                    queue.Enqueue((callee, depth + 1));
                }
            }
        }
    }

    /// <summary>The method a lambda or local function is written in (the member the call belongs to).</summary>
    private static IMethodSymbol? Member(ISymbol? symbol)
    {
        while (symbol is IMethodSymbol { MethodKind: MethodKind.LocalFunction or MethodKind.AnonymousFunction } nested)
        {
            symbol = nested.ContainingSymbol;
        }

        return symbol as IMethodSymbol;
    }

    private static bool IsApply(IMethodSymbol method) => method.Name == "Apply" && method.MethodKind == MethodKind.Ordinary;
}
