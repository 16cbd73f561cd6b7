using EventSourcery.Generators.Helpers;

namespace EventSourcery.Generators.Models;

/// <summary>Everything the dispatch emitter needs for one partial aggregate.</summary>
/// <param name="Hierarchy">The aggregate's declaration.</param>
/// <param name="ApplyCases">The fully qualified event type of each Apply overload, derived types before their bases.</param>
/// <param name="EmitFactory">Whether to implement IAggregateFactory (non-abstract with a parameterless constructor).</param>
/// <param name="FallsBackToBase">Whether unmatched events go to a base aggregate's dispatch rather than failing.</param>
/// <param name="Snapshot">For an aggregate declaring ISnapshotable&lt;T&gt;: T's codecs and shape fingerprint.</param>
internal sealed record AggregateModel(HierarchyInfo Hierarchy, EquatableArray<string> ApplyCases, bool EmitFactory, bool FallsBackToBase, SnapshotModel? Snapshot);

/// <summary>The snapshot type of a snapshotable aggregate, with every codec its JSON needs.</summary>
internal sealed record SnapshotModel(
    string TypeName,
    string CodecId,
    string Fingerprint,
    EquatableArray<ObjectCodecModel> Objects,
    EquatableArray<EnumCodecModel> Enums);
