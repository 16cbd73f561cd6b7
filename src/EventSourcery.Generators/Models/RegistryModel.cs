using EventSourcery.Generators.Helpers;

namespace EventSourcery.Generators.Models;

/// <summary>One event's line in the registry, with the older versions its upcasters read.</summary>
internal sealed record RegistryEntry(string TypeName, string CodecId, string StableName, int SchemaVersion, EquatableArray<OlderVersionModel> OlderVersions)
{
    /// <summary>The event's personal data, or null when it has none.</summary>
    public PersonalDataModel? PersonalData { get; init; }
}

/// <summary>An event's personal data: its subject property (null when it declares none: ES0017) and the properties encrypted.</summary>
internal sealed record PersonalDataModel(string? SubjectName, string? SubjectJsonName, EquatableArray<string> Properties);

/// <summary>The assembly's registry: its own events and the generated registries of referenced assemblies.</summary>
/// <param name="AssemblyId">The assembly name as an identifier, so generated class names never clash across assemblies.</param>
/// <param name="Entries">The assembly's events, sorted by stable name.</param>
/// <param name="ReferencedRegistries">Fully qualified registry classes of referenced assemblies, sorted.</param>
internal sealed record RegistryModel(string AssemblyId, EquatableArray<RegistryEntry> Entries, EquatableArray<string> ReferencedRegistries)
{
    public string RegistryClass => $"EventTypes_{AssemblyId}";

    public string CodecClass => CodecClassFor(AssemblyId);

    /// <summary>The internal class holding an assembly's codecs.</summary>
    public static string CodecClassFor(string assemblyId) => $"EventSourceryJson_{assemblyId}";
}
