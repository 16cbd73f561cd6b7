namespace EventSourcery.Generators;

/// <summary>Names of the tracked pipeline steps, asserted by the incremental-caching tests.</summary>
internal static class TrackingNames
{
    public const string Aggregates = nameof(Aggregates);
    public const string Events = nameof(Events);
    public const string ReferencedRegistries = nameof(ReferencedRegistries);
    public const string AssemblyName = nameof(AssemblyName);
    public const string Registry = nameof(Registry);
    public const string Upcasters = nameof(Upcasters);
    public const string OldShapes = nameof(OldShapes);
}
