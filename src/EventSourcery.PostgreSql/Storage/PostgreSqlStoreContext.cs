using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace EventSourcery.PostgreSql.Storage;

/// <summary>
/// The context a <see cref="PostgreSqlEventStore"/> that owns its connections uses for the model of its tables (in its
/// schema) and EF Core's DDL for them; it never tracks entities.
/// </summary>
internal sealed class PostgreSqlStoreContext(DbContextOptions<PostgreSqlStoreContext> options, string schema) : DbContext(options)
{
    /// <summary>The schema the model maps the tables to (part of the model's cache key).</summary>
    public string Schema { get; } = schema;

    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddEventSourcery(Schema);

    /// <summary>EF Core builds a model once per context type: this keys it by schema too, so stores of two schemas each get theirs.</summary>
    internal sealed class ModelCacheKeyFactory : IModelCacheKeyFactory
    {
        public object Create(DbContext context, bool designTime)
            => (context.GetType(), (context as PostgreSqlStoreContext)?.Schema, designTime);
    }
}
