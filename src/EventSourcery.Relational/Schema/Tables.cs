using System.Collections.Immutable;

namespace EventSourcery.Relational.Schema;

/// <summary>The names of the store's tables and indexes, shared by the EF model and every provider's SQL.</summary>
internal static class Tables
{
    public const string Streams = "es_streams";
    public const string Events = "es_events";
    public const string Outbox = "es_outbox";
    public const string Snapshots = "es_snapshots";
    public const string Checkpoints = "es_checkpoints";
    public const string ProjectionLeases = "es_projection_leases";
    public const string SubjectKeys = "es_subject_keys";

    /// <summary>The unique index of event ids: an id is stored once per database, across tenants.</summary>
    public const string EventIdIndex = "ux_es_events_event_id";

    /// <summary>The index of a view's events in position order: what reads of all events and the head position walk.</summary>
    public const string EventsByTenantIndex = "ix_es_events_tenant_position";

    /// <summary>
    /// Which outbox rows can block their stream: failed (a retry time), dead-lettered or claimed. The filter of the
    /// partial index <c>ix_es_outbox_held</c>; a provider's claim repeats it word for word so that the planner sees the
    /// index applies.
    /// </summary>
    public const string OutboxHeldFilter = "dead_lettered_at IS NOT NULL OR retry_at IS NOT NULL OR claimed_by IS NOT NULL";

    /// <summary>Every table the store needs, in creation order (a table after the tables it references).</summary>
    public static readonly ImmutableArray<string> All = [Streams, Events, Outbox, Snapshots, Checkpoints, ProjectionLeases, SubjectKeys];
}
