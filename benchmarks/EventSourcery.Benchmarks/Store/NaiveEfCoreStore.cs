using System.Diagnostics.CodeAnalysis;
using EventSourcery.Serialization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace EventSourcery.Benchmarks.Store;

/// <summary>One event as the naive EF Core peer stores it: an entity with the natural CLR types, in its own table.</summary>
[SuppressMessage("Performance", "CA1812", Justification = "Instantiated by EF Core.")]
internal sealed class NaiveEventEntity
{
    public long Id { get; set; }

    public Guid StreamId { get; set; }

    public long Version { get; set; }

    public Guid EventId { get; set; }

    public string EventName { get; set; } = "";

    public int SchemaVersion { get; set; }

    public string Payload { get; set; } = "";

    public string? Metadata { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset RecordedAt { get; set; }
}

internal sealed class NaiveEventsContext(DbContextOptions<NaiveEventsContext> options) : DbContext(options)
{
    public DbSet<NaiveEventEntity> Events => Set<NaiveEventEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
        => modelBuilder.Entity<NaiveEventEntity>(b =>
        {
            b.ToTable("naive_events");
            b.HasIndex(x => new { x.StreamId, x.Version }).IsUnique(); // the optimistic-concurrency check
        });
}

/// <summary>
/// The naive peer: what an application writes with EF Core and no event store. Per append, a new short-lived context
/// reads the stream's current version, adds one entity per event (the JSON from the same <see cref="EventSerializer"/>),
/// and calls <c>SaveChangesAsync</c>. It works on one open connection with the store's pragmas (WAL,
/// <c>synchronous=FULL</c>), so its commits are exactly as durable.
/// </summary>
public sealed class NaiveEfCoreStore : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly DbContextOptions<NaiveEventsContext> _options;
    private readonly EventSerializer _serializer = new(EventRegistry.Default);

    public NaiveEfCoreStore(string path)
    {
        _connection = SqliteFiles.Open(path);
        _options = new DbContextOptionsBuilder<NaiveEventsContext>().UseSqlite(_connection).Options;
        using var context = new NaiveEventsContext(_options);
        context.Database.EnsureCreated();
    }

    /// <summary>Appends <paramref name="events"/>; returns the stream's new version.</summary>
    public async Task<long> AppendAsync(StreamId id, IReadOnlyList<Event> events, ExpectedVersion expected)
    {
        await using var context = new NaiveEventsContext(_options);
        var current = await context.Events.Where(e => e.StreamId == id.Value).MaxAsync(e => (long?)e.Version);
        if (!expected.IsSatisfiedBy(current))
        {
            throw new ConcurrencyException(id, expected, current);
        }

        var version = current ?? 0;
        var recordedAt = DateTimeOffset.UtcNow;
        foreach (var e in events)
        {
            var serialized = _serializer.Serialize(e);
            context.Events.Add(new NaiveEventEntity
            {
                StreamId = id.Value,
                Version = ++version,
                EventId = e.Id,
                EventName = serialized.Type.Name,
                SchemaVersion = serialized.Type.SchemaVersion,
                Payload = serialized.Payload,
                Metadata = serialized.Metadata,
                CreatedAt = e.CreatedAt,
                RecordedAt = recordedAt,
            });
        }

        await context.SaveChangesAsync();
        return version;
    }

    /// <summary>The stream's rows as text (for the setup's same-work check).</summary>
    public List<string> DescribeStream(StreamId id)
    {
        using var context = new NaiveEventsContext(_options);
        return context.Events.Where(e => e.StreamId == id.Value).OrderBy(e => e.Version).AsEnumerable()
            .Select(e => $"{e.Version} | {e.EventId} | {e.EventName} | {e.SchemaVersion} | {e.Payload} | {e.Metadata ?? "NULL"} | {e.CreatedAt:O}")
            .ToList();
    }

    public void Dispose() => _connection.Dispose();
}
