using System.Collections.Immutable;

namespace EventSourcery.Sqlite.Schema;

/// <summary>The names of the store's tables, shared by the EF model and the store's SQL.</summary>
internal static class Tables
{
    public const string Streams = "es_streams";
    public const string Events = "es_events";
    public const string Outbox = "es_outbox";
    public const string Snapshots = "es_snapshots";
    public const string Checkpoints = "es_checkpoints";
    public const string ProjectionLeases = "es_projection_leases";

    /// <summary>Every table the store needs, in creation order (a table after the tables it references).</summary>
    public static readonly ImmutableArray<string> All = [Streams, Events, Outbox, Snapshots, Checkpoints, ProjectionLeases];
}
