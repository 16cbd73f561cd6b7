using EventSourcery;
using Microsoft.EntityFrameworkCore;

namespace OrderSummariesSample;

/// <summary>The application's own EF Core context: its read model, and the event store's tables beside it.</summary>
public sealed class ShopDb(DbContextOptions<ShopDb> options) : DbContext(options)
{
    public DbSet<OrderSummary> OrderSummaries => Set<OrderSummary>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<OrderSummary>(b =>
        {
            b.ToTable("order_summaries");
            b.HasKey(x => x.OrderId);
            b.Property(x => x.Customer).IsRequired();
        });
        modelBuilder.AddEventSourcery(); // es_streams, es_events, es_outbox, es_snapshots, es_checkpoints
    }
}

/// <summary>One row per order: what a screen listing orders needs, without replaying events.</summary>
public sealed class OrderSummary
{
    public Guid OrderId { get; set; }

    public string Customer { get; set; } = "";

    public int Items { get; set; }

    public decimal Paid { get; set; }

    public string Status { get; set; } = "";

    public string? Parcel { get; set; }

    /// <summary>How many events went into the row: applying one twice would show here.</summary>
    public int Events { get; set; }
}
