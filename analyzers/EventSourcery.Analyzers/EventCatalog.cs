using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace EventSourcery.Analyzers;

/// <summary>
/// The concrete event types of a compilation, from source and from referenced assemblies that reference EventSourcery.
/// Computed once per compilation, and only when an aggregate of an event family (<c>Aggregate&lt;TEvent&gt;</c>) asks.
/// </summary>
internal sealed class EventCatalog
{
    private readonly EventSourceryTypes _types;
    private ImmutableArray<INamedTypeSymbol> _events;

    public EventCatalog(EventSourceryTypes types) => _types = types;

    /// <summary>Every non-abstract, non-generic class or record deriving from <c>Event</c>.</summary>
    public ImmutableArray<INamedTypeSymbol> GetConcreteEvents(CancellationToken cancellationToken)
    {
        var events = _events;
        if (events.IsDefault)
        {
            // Two threads may both compute it; the results are equal, and a cancelled computation caches nothing.
            events = Collect(cancellationToken);
            ImmutableInterlocked.InterlockedInitialize(ref _events, events);
        }

        return _events;
    }

    private ImmutableArray<INamedTypeSymbol> Collect(CancellationToken cancellationToken)
    {
        var builder = ImmutableArray.CreateBuilder<INamedTypeSymbol>();
        var compilation = _types.Compilation;
        var runtime = _types.Event.ContainingAssembly;
        AddTypes(compilation.Assembly.GlobalNamespace, builder, cancellationToken);
        foreach (var assembly in compilation.SourceModule.ReferencedAssemblySymbols)
        {
            if (SymbolEqualityComparer.Default.Equals(assembly, runtime) || References(assembly, runtime))
            {
                AddTypes(assembly.GlobalNamespace, builder, cancellationToken);
            }
        }

        return builder.ToImmutable();
    }

    private static bool References(IAssemblySymbol assembly, IAssemblySymbol runtime)
    {
        foreach (var module in assembly.Modules)
        {
            foreach (var referenced in module.ReferencedAssemblies)
            {
                if (referenced.Name == runtime.Identity.Name)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private void AddTypes(INamespaceSymbol root, ImmutableArray<INamedTypeSymbol>.Builder builder, CancellationToken cancellationToken)
    {
        var pending = new Stack<INamespaceOrTypeSymbol>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var current = pending.Pop();
            if (current is INamespaceSymbol ns)
            {
                foreach (var member in ns.GetMembers())
                {
                    pending.Push(member);
                }

                continue;
            }

            var type = (INamedTypeSymbol)current;
            if (!type.IsAbstract && !type.IsGenericType && _types.IsEvent(type))
            {
                builder.Add(type);
            }

            foreach (var nested in type.GetTypeMembers())
            {
                pending.Push(nested);
            }
        }
    }
}
