using System;
using EventSourcery.Generators.Helpers;
using EventSourcery.Generators.Models;

namespace EventSourcery.Generators.Emitting;

internal static class SourceHelpers
{
    /// <summary>Opens the namespace and containing types of <paramref name="hierarchy"/>; dispose the result to close them.</summary>
    public static IDisposable OpenHierarchy(IndentedTextWriter writer, HierarchyInfo hierarchy, string typeSuffix = "")
    {
        var scopes = new System.Collections.Generic.List<IDisposable>();
        if (hierarchy.Namespace.Length > 0)
        {
            scopes.Add(writer.Block($"namespace {hierarchy.Namespace}"));
        }

        foreach (var containing in hierarchy.ContainingTypes)
        {
            scopes.Add(writer.Block($"partial {containing.Keyword} {containing.NameWithTypeParameters}"));
        }

        scopes.Add(writer.Block($"partial {hierarchy.Type.Keyword} {hierarchy.Type.NameWithTypeParameters}{typeSuffix}"));
        return new CompositeScope(scopes);
    }

    private sealed class CompositeScope(System.Collections.Generic.List<IDisposable> scopes) : IDisposable
    {
        public void Dispose()
        {
            for (var i = scopes.Count - 1; i >= 0; i--)
            {
                scopes[i].Dispose();
            }
        }
    }
}
