using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using EventSourcery.Generators.Emitting;
using EventSourcery.Generators.Helpers;
using EventSourcery.Generators.Models;
using EventSourcery.Generators.Parsing;
using Microsoft.CodeAnalysis;

namespace EventSourcery.Generators;

/// <summary>
/// Registers every concrete event record of the compilation under its stable name and writes its JSON codec (and the
/// codecs of the types its properties use), so stores serialize without reflection.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class EventRegistryGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // Where alone, no Select to drop the nullability: every step over the 1,000 events of a large domain is a table
        // of 1,000 entries that Roslyn rebuilds on every edit (issue 17), so consumers write model! instead.
        var events = context.SyntaxProvider
            .CreateSyntaxProvider(EventParser.IsCandidate, EventParser.Parse)
            .Where(static model => model is not null)
            .WithTrackingName(TrackingNames.Events);

        var assemblyId = context.CompilationProvider
            .Select(static (compilation, _) => ToIdentifier(compilation.AssemblyName ?? "Assembly"))
            .WithTrackingName(TrackingNames.AssemblyName);

        // Read per reference, so an edit (which changes no reference) reads nothing again.
        var referenced = context.MetadataReferencesProvider
            .Select(static (reference, cancellationToken) => ReferencedRegistry.Read(reference, cancellationToken))
            .Where(static registry => registry is not null)
            .Collect()
            .Select(static (registries, _) => registries.Select(r => r!).Distinct().OrderBy(r => r, StringComparer.Ordinal).ToEquatableArray())
            .WithTrackingName(TrackingNames.ReferencedRegistries);

        var upcasters = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.UpcasterAttribute,
                static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax,
                UpcasterParser.Parse)
            .Where(static model => model is not null)
            .Select(static (model, _) => model!)
            .WithTrackingName(TrackingNames.Upcasters);

        var registry = events.Collect()
            .Combine(upcasters.Collect())
            .Combine(assemblyId)
            .Combine(referenced)
            .Select(static (input, _) => BuildRegistry(input.Left.Left.Left, input.Left.Left.Right, input.Left.Right, input.Right))
            .WithTrackingName(TrackingNames.Registry);

        // Each event's own codec comes from its own pipeline item, so editing one event regenerates only its file. Old
        // shapes that derive from Event are read by their upcasters' own codecs, so they get none here.
        var oldShapes = upcasters
            .Where(static step => !step.IsJson)
            .Select(static (step, _) => step.FromType)
            .Collect()
            .Select(static (types, _) => types.Distinct().OrderBy(t => t, StringComparer.Ordinal).ToEquatableArray())
            .WithTrackingName(TrackingNames.OldShapes);
        // The two single values combined first, so only one step pairs them with each event.
        context.RegisterSourceOutput(events.Combine(assemblyId.Combine(oldShapes)), static (spc, input) =>
        {
            var (model, (id, old)) = input;
            if (old.Contains(model!.TypeName))
            {
                return;
            }

            var own = model.Objects[0]; // CodecBuilder adds the event itself first
            spc.AddSource($"EventSourcery.Json.{own.CodecId}.g.cs", JsonCodecEmitter.Emit(own, RegistryModel.CodecClassFor(id)));
        });

        // The registry and the codecs of the types events' properties use (shared between events, so deduplicated).
        context.RegisterSourceOutput(registry, static (spc, model) =>
        {
            if (model.Registry.Entries.Count == 0 && model.Registry.ReferencedRegistries.Count == 0)
            {
                return;
            }

            spc.AddSource("EventSourcery.EventTypes.g.cs", RegistryEmitter.Emit(model.Registry));
            if (model.Registry.Entries.Count > 0)
            {
                spc.AddSource("EventSourcery.JsonContext.g.cs", ContextEmitter.Emit(model.Registry, model.Objects, model.Enums));
            }

            foreach (var codec in model.Objects)
            {
                spc.AddSource($"EventSourcery.Json.{codec.CodecId}.g.cs", JsonCodecEmitter.Emit(codec, model.Registry.CodecClass));
            }

            foreach (var codec in model.Enums)
            {
                spc.AddSource($"EventSourcery.Json.{codec.CodecId}.g.cs", JsonCodecEmitter.Emit(codec, model.Registry.CodecClass));
            }

            foreach (var chain in model.Chains)
            {
                spc.AddSource($"EventSourcery.Upcasts.{chain.Chain.EventCodecId}.g.cs", UpcastEmitter.Emit(chain.Chain, chain.EventTypeName));
            }
        });
    }

    private static RegistryOutput BuildRegistry(
        System.Collections.Immutable.ImmutableArray<EventModel?> events,
        System.Collections.Immutable.ImmutableArray<UpcastStepModel> upcasters,
        string assemblyId,
        EquatableArray<string> referenced)
    {
        // Sorted so the output does not depend on file order; two events may share a stable name here (ES0004 reports it).
        var ordered = events
            .Select(e => e!)
            .OrderBy(e => e.StableName, StringComparer.Ordinal)
            .ThenBy(e => e.TypeName, StringComparer.Ordinal)
            .ToList();

        // Old shapes that derive from Event are read through their upcasters only, never registered as events.
        var upcasts = UpcastChains.Build(ordered, upcasters);
        ordered.RemoveAll(e => upcasts.OldShapes.Contains(e.TypeName));
        var entries = ordered
            .Select(e => new RegistryEntry(e.TypeName, e.CodecId, e.StableName, e.SchemaVersion, upcasts.Older.TryGetValue(e.TypeName, out var older) ? older : EquatableArray<OlderVersionModel>.Empty)
            {
                PersonalData = PersonalDataOf(e.Objects[0]),
            })
            .ToEquatableArray();
        var chains = upcasts.Chains
            .Select(c => new EmittedChain(c, ordered.First(e => e.CodecId == c.EventCodecId).TypeName))
            .ToEquatableArray();

        var objects = new SortedDictionary<string, ObjectCodecModel>(StringComparer.Ordinal);
        var enums = new SortedDictionary<string, EnumCodecModel>(StringComparer.Ordinal);
        foreach (var model in ordered)
        {
            foreach (var codec in model.Objects)
            {
                if (!codec.IsEvent)
                {
                    objects[codec.CodecId] = codec; // events' own codecs are emitted per event, above
                }
            }

            foreach (var codec in model.Enums)
            {
                enums[codec.CodecId] = codec;
            }
        }

        return new RegistryOutput(
            new RegistryModel(assemblyId, entries, referenced),
            objects.Values.ToEquatableArray(),
            enums.Values.ToEquatableArray(),
            chains);
    }

    /// <summary>The personal data of an event's own codec, or null when none of its properties is marked.</summary>
    private static PersonalDataModel? PersonalDataOf(ObjectCodecModel codec)
    {
        var personal = codec.Properties.Where(p => p.PersonalMask is not null).Select(p => p.Name).ToEquatableArray();
        if (personal.Count == 0)
        {
            return null;
        }

        var subject = codec.Properties.FirstOrDefault(p => p.IsSubject);
        return new PersonalDataModel(subject?.Name, subject?.JsonName, personal);
    }

    private static string ToIdentifier(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            builder.Append(char.IsLetterOrDigit(c) ? c : '_');
        }

        return builder.ToString();
    }

    private sealed record RegistryOutput(RegistryModel Registry, EquatableArray<ObjectCodecModel> Objects, EquatableArray<EnumCodecModel> Enums, EquatableArray<EmittedChain> Chains);

    private sealed record EmittedChain(UpcastChainModel Chain, string EventTypeName);
}
