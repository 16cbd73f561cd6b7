using System.Diagnostics.CodeAnalysis;

namespace EventSourcery.Relational.Schema;

// The entity classes exist to describe the schema to EF Core (which creates the tables and keeps them in the user's
// model and migrations); the store's hot paths read and write these tables with parameterized SQL, not through them.

/// <summary>One row per stream: its identity and current version.</summary>
[SuppressMessage("Performance", "CA1812", Justification = "Instantiated by EF Core when a user queries the table.")]
internal sealed class StreamRow
{
    public long StreamKey { get; set; }

    public string TenantId { get; set; } = "";

    public string Category { get; set; } = "";

    public Guid StreamId { get; set; }

    public string? Name { get; set; }

    public long Version { get; set; }
}

/// <summary>One row per stored event; <see cref="Position"/> is the global position (AUTOINCREMENT: never reused).</summary>
[SuppressMessage("Performance", "CA1812", Justification = "Instantiated by EF Core when a user queries the table.")]
internal sealed class EventRow
{
    public long Position { get; set; }

    public long StreamKey { get; set; }

    /// <summary>The stream's tenant, repeated on each event so that a view reads its events by an index of its own.</summary>
    public string TenantId { get; set; } = "";

    public long Version { get; set; }

    public Guid EventId { get; set; }

    public string EventName { get; set; } = "";

    public int SchemaVersion { get; set; }

    public string Payload { get; set; } = "";

    public string? Metadata { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset RecordedAt { get; set; }
}

/// <summary>
/// One row per published event: a full copy of what a publisher needs (so deleting the stream does not lose it) and
/// the delivery state the outbox worker keeps.
/// </summary>
[SuppressMessage("Performance", "CA1812", Justification = "Instantiated by EF Core when a user queries the table.")]
internal sealed class OutboxRow
{
    public long Id { get; set; }

    public long Position { get; set; }

    public string TenantId { get; set; } = "";

    public string Category { get; set; } = "";

    public Guid StreamId { get; set; }

    public string? StreamName { get; set; }

    public long Version { get; set; }

    public Guid EventId { get; set; }

    public string EventName { get; set; } = "";

    public int SchemaVersion { get; set; }

    public string Payload { get; set; } = "";

    public string? Metadata { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset RecordedAt { get; set; }

    /// <summary>Failed delivery attempts so far.</summary>
    public int Attempts { get; set; }

    /// <summary>The last failure's message.</summary>
    public string? LastError { get; set; }

    /// <summary>After a failure: no entry of the stream is handed over before this instant (stored as UTC ticks).</summary>
    public DateTimeOffset? RetryAt { get; set; }

    /// <summary>When the entry was dead-lettered; it then blocks its stream until it is retried.</summary>
    public DateTimeOffset? DeadLetteredAt { get; set; }

    /// <summary>The runner that holds the entry, until <see cref="LeaseUntil"/>.</summary>
    public string? ClaimedBy { get; set; }

    /// <summary>When the claim of <see cref="ClaimedBy"/> lapses if it neither completes nor fails (stored as UTC ticks).</summary>
    public DateTimeOffset? LeaseUntil { get; set; }
}

/// <summary>
/// One row per stream that has a snapshot: the latest one only (a newer snapshot replaces the row). Keyed by the
/// stream's row, so a snapshot belongs to one tenant's stream and goes when the stream does.
/// </summary>
[SuppressMessage("Performance", "CA1812", Justification = "Instantiated by EF Core when a user queries the table.")]
internal sealed class SnapshotRow
{
    public long StreamKey { get; set; }

    public long Version { get; set; }

    public Guid EventId { get; set; }

    public string Type { get; set; } = "";

    public string Fingerprint { get; set; } = "";

    public byte[] Payload { get; set; } = [];

    public DateTimeOffset TakenAt { get; set; }
}

/// <summary>
/// One row per projection and tenant view: the position of the last event the projection handled. Written by
/// <see cref="ProjectionRunner"/> through the store, in the same transaction as the read model when the store is a
/// store over a user's <c>DbContext</c> and the projection writes through its context.
/// </summary>
[SuppressMessage("Performance", "CA1812", Justification = "Instantiated by EF Core when a user queries the table.")]
internal sealed class CheckpointRow
{
    public string TenantId { get; set; } = "";

    public string Name { get; set; } = "";

    public long Position { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// A row of <c>es_projection_leases</c>: which runner owns a projection in a tenant view, and until when (UTC ticks),
/// so that one runner at a time handles its events (<see cref="IProjectionLeases"/>).
/// </summary>
internal sealed class ProjectionLeaseRow
{
    public string TenantId { get; set; } = "";

    public string Name { get; set; } = "";

    public string Owner { get; set; } = "";

    public long LeaseUntil { get; set; }
}

/// <summary>
/// A row of <c>es_subject_keys</c>: a data subject's key in a tenant view, and its generation. A shredded subject keeps
/// its row with no key, so that it stays shredded (see <see cref="PersonalData.IPersonalDataKeyStore"/>).
/// </summary>
internal sealed class SubjectKeyRow
{
    public string TenantId { get; set; } = "";

    public string Subject { get; set; } = "";

    public int Generation { get; set; }

    public byte[]? Key { get; set; }
}
