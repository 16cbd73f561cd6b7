using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace EventSourcery.Relational.Schema;

/// <summary>The check every store over a user's <see cref="DbContext"/> makes of its model, before any I/O.</summary>
internal static class ModelCheck
{
    /// <summary>
    /// The model's entity type of the events table, when the model maps every table of the store (all of them, so that
    /// a compiled model made before a table existed is caught here rather than at the first operation that needs it).
    /// </summary>
    /// <exception cref="ArgumentException">A table is missing: the message says to call <c>AddEventSourcery()</c>.</exception>
    public static IEntityType RequireStoreTables(DbContext context, string parameterName)
    {
        var model = context.Model;
        if (model.FindEntityType(typeof(EventRow)) is not { } events || model.FindEntityType(typeof(StreamRow)) is null
            || model.FindEntityType(typeof(OutboxRow)) is null || model.FindEntityType(typeof(SnapshotRow)) is null
            || model.FindEntityType(typeof(CheckpointRow)) is null || model.FindEntityType(typeof(ProjectionLeaseRow)) is null)
        {
            throw new ArgumentException("The DbContext's model does not include the event store's tables. Call modelBuilder.AddEventSourcery() in its OnModelCreating (and rebuild a compiled model).", parameterName);
        }

        return events;
    }
}
