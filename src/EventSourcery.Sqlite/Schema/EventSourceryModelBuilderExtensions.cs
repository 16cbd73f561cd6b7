using EventSourcery.Sqlite.Schema;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace EventSourcery;

/// <summary>Adds EventSourcery's tables to an EF Core model.</summary>
public static class EventSourceryModelBuilderExtensions
{
    /// <summary>
    /// Maps the event store's tables (<c>es_streams</c>, <c>es_events</c>, <c>es_outbox</c>, <c>es_snapshots</c>) into the model, so that
    /// a <see cref="SqliteEventStore"/> built over this context can share its connection and transactions, and the
    /// tables are part of the context's migrations or <c>EnsureCreated</c>. Call it from <c>OnModelCreating</c>.
    /// </summary>
    public static ModelBuilder AddEventSourcery(this ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        var time = new ValueConverter<DateTimeOffset, string>(v => StoredValues.FormatTime(v), s => StoredValues.ParseTime(s));
        var guid = new ValueConverter<Guid, string>(v => StoredValues.FormatGuid(v), s => StoredValues.ParseGuid(s));

        modelBuilder.Entity<StreamRow>(b =>
        {
            b.ToTable(Tables.Streams);
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
            b.ToTable(Tables.Events);
            b.HasKey(x => x.Position);
            b.Property(x => x.Position).HasColumnName("position").ValueGeneratedOnAdd();
            b.Property(x => x.StreamKey).HasColumnName("stream_key");
            b.Property(x => x.Version).HasColumnName("version");
            b.Property(x => x.EventId).HasColumnName("event_id").HasConversion(guid);
            b.Property(x => x.EventName).HasColumnName("event_name").IsRequired();
            b.Property(x => x.SchemaVersion).HasColumnName("schema_version");
            b.Property(x => x.Payload).HasColumnName("payload").IsRequired();
            b.Property(x => x.Metadata).HasColumnName("metadata");
            b.Property(x => x.CreatedAt).HasColumnName("created_at").HasConversion(time);
            b.Property(x => x.RecordedAt).HasColumnName("recorded_at").HasConversion(time);
            b.HasIndex(x => new { x.StreamKey, x.Version }).IsUnique().HasDatabaseName("ux_es_events_stream_version");
            b.HasOne<StreamRow>().WithMany().HasForeignKey(x => x.StreamKey).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<OutboxRow>(b =>
        {
            b.ToTable(Tables.Outbox);
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
            b.Property(x => x.RecordedAt).HasColumnName("recorded_at").HasConversion(time);
            b.Property(x => x.Attempts).HasColumnName("attempts").HasDefaultValue(0);
            b.Property(x => x.LastError).HasColumnName("last_error");
            b.Property(x => x.NextAttemptAt).HasColumnName("next_attempt_at").HasConversion(time);
            b.Property(x => x.DeadLettered).HasColumnName("dead_lettered").HasDefaultValue(false);
        });

        modelBuilder.Entity<SnapshotRow>(b =>
        {
            b.ToTable(Tables.Snapshots);
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

        return modelBuilder;
    }
}
