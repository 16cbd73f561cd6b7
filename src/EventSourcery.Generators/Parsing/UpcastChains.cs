using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using EventSourcery.Generators.Helpers;
using EventSourcery.Generators.Models;

namespace EventSourcery.Generators.Parsing;

/// <summary>
/// Joins the assembly's <c>[Upcaster]</c> steps into chains per current event: each typed old shape is followed through
/// its steps to the event it ends at, and JSON steps are placed by their event and version. What does not form a chain
/// (a step that ends nowhere, two steps from one shape or for one version, a version not below the current one) is left
/// out, never guessed at: the analyzers report it.
/// </summary>
internal static class UpcastChains
{
    private const int MaxSteps = 64;

    /// <summary>The chains of <paramref name="events"/>, and the event types that are old shapes rather than current events.</summary>
    public static Result Build(IReadOnlyList<EventModel> events, ImmutableArray<UpcastStepModel> steps)
    {
        var typedByFrom = steps.Where(s => !s.IsJson)
            .GroupBy(s => s.FromType, StringComparer.Ordinal)
            .Where(g => g.Count() == 1)
            .ToDictionary(g => g.Key, g => g.Single(), StringComparer.Ordinal);
        var oldShapes = new HashSet<string>(steps.Where(s => !s.IsJson).Select(s => s.FromType), StringComparer.Ordinal);
        var current = events.Where(e => !oldShapes.Contains(e.TypeName)).ToDictionary(e => e.TypeName, StringComparer.Ordinal);

        var typedByEvent = new Dictionary<string, SortedDictionary<int, (UpcastStepModel Step, List<string> Calls)>>(StringComparer.Ordinal);
        foreach (var step in typedByFrom.Values.OrderBy(s => s.FromType, StringComparer.Ordinal))
        {
            if (Follow(step, typedByFrom, current) is not { } chain)
            {
                continue;
            }

            var (target, calls) = chain;
            if (step.FromVersion >= current[target].SchemaVersion)
            {
                continue;
            }

            if (!typedByEvent.TryGetValue(target, out var versions))
            {
                typedByEvent[target] = versions = new SortedDictionary<int, (UpcastStepModel, List<string>)>();
            }

            if (versions.ContainsKey(step.FromVersion))
            {
                versions.Remove(step.FromVersion); // two shapes claim one version: neither is guessed at
                continue;
            }

            versions[step.FromVersion] = (step, calls);
        }

        var older = new Dictionary<string, EquatableArray<OlderVersionModel>>(StringComparer.Ordinal);
        var chains = new List<UpcastChainModel>();
        foreach (var model in current.Values.OrderBy(e => e.TypeName, StringComparer.Ordinal))
        {
            typedByEvent.TryGetValue(model.TypeName, out var typed);
            typed ??= new SortedDictionary<int, (UpcastStepModel, List<string>)>();
            var json = steps.Where(s => s.IsJson && s.TargetEvent == model.TypeName && s.FromVersion < model.SchemaVersion && !typed.ContainsKey(s.FromVersion))
                .GroupBy(s => s.FromVersion)
                .Where(g => g.Count() == 1)
                .Select(g => g.Single())
                .ToList();
            if (typed.Count == 0 && json.Count == 0)
            {
                continue;
            }

            var chain = new UpcastChainModel(
                model.CodecId,
                typed.Select(v => new TypedVersionReader(v.Key, v.Value.Step.FromCodecId, v.Value.Step.FromIsEvent, v.Value.Calls.ToEquatableArray())).ToEquatableArray(),
                typed.Values.SelectMany(v => v.Step.Objects).GroupBy(o => o.CodecId, StringComparer.Ordinal).Select(g => g.First()).OrderBy(o => o.CodecId, StringComparer.Ordinal).ToEquatableArray(),
                typed.Values.SelectMany(v => v.Step.Enums).GroupBy(o => o.CodecId, StringComparer.Ordinal).Select(g => g.First()).OrderBy(o => o.CodecId, StringComparer.Ordinal).ToEquatableArray());
            var versions = typed.Select(v => new OlderVersionModel(v.Value.Step.FromName!, v.Key, IsJson: false, $"global::EventSourcery.Generated.{chain.ClassName}.Read_v{v.Key}"))
                .Concat(json.Select(s => new OlderVersionModel(s.FromName ?? NameAt(typed, s.FromVersion + 1) ?? model.StableName, s.FromVersion, IsJson: true, s.Method)))
                .OrderBy(v => v.Version)
                .ToEquatableArray();
            older[model.TypeName] = versions;
            if (typed.Count > 0)
            {
                chains.Add(chain);
            }
        }

        return new Result(oldShapes, older, chains);
    }

    /// <summary>A JSON step's stored name when its attribute names none: the name of the typed shape it leads to, if that one is renamed too.</summary>
    private static string? NameAt(SortedDictionary<int, (UpcastStepModel Step, List<string> Calls)> typed, int version)
        => typed.TryGetValue(version, out var next) ? next.Step.FromName : null;

    private static (string Target, List<string> Calls)? Follow(UpcastStepModel first, Dictionary<string, UpcastStepModel> typedByFrom, Dictionary<string, EventModel> current)
    {
        var calls = new List<string> { first.Method };
        var to = first.ToType;
        while (!current.ContainsKey(to))
        {
            if (calls.Count >= MaxSteps || !typedByFrom.TryGetValue(to, out var next))
            {
                return null; // ends at a type that is neither a current event nor another step's shape, or loops
            }

            calls.Add(next.Method);
            to = next.ToType;
        }

        return (to, calls);
    }

    /// <param name="OldShapes">Types read only as older versions: not registered as events of their own.</param>
    /// <param name="Older">Each current event's older versions, by the event's type name.</param>
    /// <param name="Chains">The typed readers to emit, one class per event with typed older versions.</param>
    public sealed record Result(HashSet<string> OldShapes, Dictionary<string, EquatableArray<OlderVersionModel>> Older, List<UpcastChainModel> Chains);
}
