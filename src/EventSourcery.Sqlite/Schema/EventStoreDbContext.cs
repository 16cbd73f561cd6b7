using Microsoft.EntityFrameworkCore;

namespace EventSourcery.Sqlite.Schema;

/// <summary>The context a store opened with <see cref="SqliteEventStore.OpenAsync"/> owns: only the store's tables.</summary>
internal sealed class EventStoreDbContext(DbContextOptions<EventStoreDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddEventSourcery();
}
