using EventSourcery.Relational.Schema;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace EventSourcery;

/// <summary>Adds EventSourcery's tables to an EF Core model.</summary>
public static class EventSourceryModelBuilderExtensions
{
    /// <summary>
    /// Maps the event store's tables (<c>es_streams</c>, <c>es_events</c>, <c>es_outbox</c>, <c>es_snapshots</c>,
    /// <c>es_checkpoints</c>, <c>es_projection_leases</c>) into the model, so that a store built over this context (<c>SqliteDbContextEventStore</c>, <c>PostgreSqlDbContextEventStore</c>)
    /// can share its connection and transactions, and the tables are part of the context's migrations or
    /// <c>EnsureCreated</c>. Call it from <c>OnModelCreating</c>.
    /// </summary>
    public static ModelBuilder AddEventSourcery(this ModelBuilder modelBuilder) => AddEventSourcery(modelBuilder, schema: null);

    /// <summary>
    /// Maps the event store's tables into the model, in <paramref name="schema"/> (PostgreSQL; null for the model's
    /// default schema), as <see cref="AddEventSourcery(ModelBuilder)"/> does. A store over this context must be given
    /// the same schema in its options.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="schema"/> is empty or whitespace.</exception>
    public static ModelBuilder AddEventSourcery(this ModelBuilder modelBuilder, string? schema)
    {
        if (schema is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(schema);
        }

        ArgumentNullException.ThrowIfNull(modelBuilder);

        // SQLite has no guid or time types: ids and times are round-trip text there (StoredValues). PostgreSQL stores
        // them natively: uuid, and timestamptz for instants; an event's creation time, which must read back to the tick
        // with the offset it was given (timestamptz keeps microseconds in UTC), adds the ticks below the microsecond
        // and the offset in two small columns (ColumnLayout.CreatedAtTicks, ColumnLayout.CreatedAtOffset).
        var native = ColumnLayout.IsNative(modelBuilder);
        ValueConverter? time = native ? null : new ValueConverter<DateTimeOffset, string>(v => StoredValues.FormatTime(v), s => StoredValues.ParseTime(s));
        ValueConverter? guid = native ? null : new ValueConverter<Guid, string>(v => StoredValues.FormatGuid(v), s => StoredValues.ParseGuid(s));
        var utcTicks = new ValueConverter<DateTimeOffset, long>(v => StoredValues.ToUtcTicks(v), t => StoredValues.FromUtcTicks(t));

        modelBuilder.Entity<StreamRow>(b =>
        {
            b.ToTable(Tables.Streams, schema);
            b.HasKey(x => x.StreamKey);
            b.Property(x => x.StreamKey).HasColumnName("stream_key").ValueGeneratedOnAdd();
            b.Property(x => x.TenantId).HasColumnName("tenant_id").IsRequired().HasDefaultValue("");
            b.Property(x => x.Category).HasColumnName("category").IsRequired().HasDefaultValue("");
            b.Property(x => x.StreamId).HasColumnName("stream_id").IsRequired().HasConversion(guid);
            b.Property(x => x.Name).HasColumnName("name");
            b.Property(x => x.Version).HasColumnName("version");
            b.HasIndex(x => new { x.TenantId, x.Category, x.StreamId }).IsUnique().HasDatabaseName("ux_es_streams_identity");
        });

        modelBuilder.Entity<EventRow>(b =>
        {
            b.ToTable(Tables.Events, schema);
            b.HasKey(x => x.Position);
            b.Property(x => x.Position).HasColumnName("position").ValueGeneratedOnAdd();
            b.Property(x => x.StreamKey).HasColumnName("stream_key");

            // The stream's tenant again (the default view's is ''), for ix_es_events_tenant_position.
            b.Property(x => x.TenantId).HasColumnName("tenant_id").IsRequired().HasDefaultValue("");
            b.Property(x => x.Version).HasColumnName("version");
            b.Property(x => x.EventId).HasColumnName("event_id").HasConversion(guid);
            b.Property(x => x.EventName).HasColumnName("event_name").IsRequired();
            b.Property(x => x.SchemaVersion).HasColumnName("schema_version");
            b.Property(x => x.Payload).HasColumnName("payload").IsRequired();
            b.Property(x => x.Metadata).HasColumnName("metadata");
            b.Property(x => x.CreatedAt).HasColumnName("created_at").HasConversion(time);
            ColumnLayout.AddExactTimeColumns(b, native);
            b.Property(x => x.RecordedAt).HasColumnName("recorded_at").HasConversion(time);
            b.HasIndex(x => new { x.StreamKey, x.Version }).IsUnique().HasDatabaseName("ux_es_events_stream_version");
            b.HasIndex(x => x.EventId, Tables.EventIdIndex).IsUnique(); // ids are unique per database, across tenants
            b.HasIndex(x => new { x.TenantId, x.Position }, Tables.EventsByTenantIndex);
            b.HasOne<StreamRow>().WithMany().HasForeignKey(x => x.StreamKey).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<OutboxRow>(b =>
        {
            b.ToTable(Tables.Outbox, schema);
            b.HasKey(x => x.Id);
            b.Property(x => x.Id).HasColumnName("id").ValueGeneratedOnAdd();
            b.Property(x => x.Position).HasColumnName("position");
            b.Property(x => x.TenantId).HasColumnName("tenant_id").IsRequired().HasDefaultValue("");
            b.Property(x => x.Category).HasColumnName("category").IsRequired().HasDefaultValue("");
            b.Property(x => x.StreamId).HasColumnName("stream_id").HasConversion(guid);
            b.Property(x => x.StreamName).HasColumnName("stream_name");
            b.Property(x => x.Version).HasColumnName("version");
            b.Property(x => x.EventId).HasColumnName("event_id").HasConversion(guid);
            b.Property(x => x.EventName).HasColumnName("event_name").IsRequired();
            b.Property(x => x.SchemaVersion).HasColumnName("schema_version");
            b.Property(x => x.Payload).HasColumnName("payload").IsRequired();
            b.Property(x => x.Metadata).HasColumnName("metadata");
            b.Property(x => x.CreatedAt).HasColumnName("created_at").HasConversion(time);
            ColumnLayout.AddExactTimeColumns(b, native);
            b.Property(x => x.RecordedAt).HasColumnName("recorded_at").HasConversion(time);
            b.Property(x => x.Attempts).HasColumnName("attempts").HasDefaultValue(0);
            b.Property(x => x.LastError).HasColumnName("last_error");

            // Instants the claim compares in SQL are UTC ticks (INTEGER): they compare exactly whatever offset they
            // were given, which round-trip text only does for values written with one offset.
            b.Property(x => x.RetryAt).HasColumnName("retry_at").HasConversion(utcTicks);
            b.Property(x => x.DeadLetteredAt).HasColumnName("dead_lettered_at").HasConversion(time);
            b.Property(x => x.ClaimedBy).HasColumnName("claimed_by");
            b.Property(x => x.LeaseUntil).HasColumnName("lease_until").HasConversion(utcTicks);

            // A view's entries in publish order, with their stream: the claim walks its candidates here without
            // reading a row (only the ones it claims), and the count uses it too.
            b.HasIndex(x => new { x.TenantId, x.Id, x.Category, x.StreamId }, "ix_es_outbox_tenant");

            // Only the entries that may block their stream (failed, dead-lettered or claimed): the claim looks each
            // candidate's stream up here, so a long backlog of untouched entries costs it nothing.
            b.HasIndex(x => new { x.TenantId, x.Category, x.StreamId }, "ix_es_outbox_held").HasFilter(Tables.OutboxHeldFilter);

            // Only the dead letters, for the person who looks at them.
            b.HasIndex(x => new { x.TenantId, x.Id }, "ix_es_outbox_dead_letters").HasFilter("dead_lettered_at IS NOT NULL");
        });

        modelBuilder.Entity<SnapshotRow>(b =>
        {
            b.ToTable(Tables.Snapshots, schema);
            b.HasKey(x => x.StreamKey);
            b.Property(x => x.StreamKey).HasColumnName("stream_key").ValueGeneratedNever();
            b.Property(x => x.Version).HasColumnName("version");
            b.Property(x => x.EventId).HasColumnName("event_id").HasConversion(guid);
            b.Property(x => x.Type).HasColumnName("type").IsRequired();
            b.Property(x => x.Fingerprint).HasColumnName("fingerprint").IsRequired();
            b.Property(x => x.Payload).HasColumnName("payload").IsRequired();
            b.Property(x => x.TakenAt).HasColumnName("taken_at").HasConversion(time);

            // The store deletes the snapshot before the stream itself; the cascade covers a stream row deleted otherwise.
            b.HasOne<StreamRow>().WithOne().HasForeignKey<SnapshotRow>(x => x.StreamKey).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<CheckpointRow>(b =>
        {
            b.ToTable(Tables.Checkpoints, schema);

            // One checkpoint per projection name in each tenant view ('' for the default view).
            b.HasKey(x => new { x.TenantId, x.Name });
            b.Property(x => x.TenantId).HasColumnName("tenant_id").IsRequired();
            b.Property(x => x.Name).HasColumnName("name").IsRequired();
            b.Property(x => x.Position).HasColumnName("position");
            b.Property(x => x.UpdatedAt).HasColumnName("updated_at").HasConversion(time);
        });

        modelBuilder.Entity<ProjectionLeaseRow>(b =>
        {
            b.ToTable(Tables.ProjectionLeases, schema);

            // One owner per projection name in each tenant view; the lease's end in UTC ticks, compared as a number.
            b.HasKey(x => new { x.TenantId, x.Name });
            b.Property(x => x.TenantId).HasColumnName("tenant_id").IsRequired();
            b.Property(x => x.Name).HasColumnName("name").IsRequired();
            b.Property(x => x.Owner).HasColumnName("owner").IsRequired();
            b.Property(x => x.LeaseUntil).HasColumnName("lease_until");
        });

        modelBuilder.Entity<SubjectKeyRow>(b =>
        {
            b.ToTable(Tables.SubjectKeys, schema);

            // One key per data subject in each tenant view ('' for the default view); no key once shredded.
            b.HasKey(x => new { x.TenantId, x.Subject });
            b.Property(x => x.TenantId).HasColumnName("tenant_id").IsRequired();
            b.Property(x => x.Subject).HasColumnName("subject").IsRequired();
            b.Property(x => x.Generation).HasColumnName("generation");
            b.Property(x => x.Key).HasColumnName("key");
        });

        return modelBuilder;
    }
}
