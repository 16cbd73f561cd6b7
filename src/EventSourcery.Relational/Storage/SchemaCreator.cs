using EventSourcery.Relational.Schema;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;

namespace EventSourcery.Relational.Storage;

/// <summary>
/// Creates the store's tables that are missing, from the EF Core model, and brings an existing <c>es_events</c> made by
/// an earlier version up to date (see <see cref="RelationalStorage.UpgradeEventsTableAsync"/>). <c>EnsureCreated</c> does nothing when the
/// database already has other tables, and <c>CreateTables</c> creates every table of the model, so this asks EF for
/// the operations that build the model from nothing and keeps those for our tables that do not exist yet.
/// </summary>
internal static class SchemaCreator
{
    /// <summary>
    /// Creates the missing tables in the session's transaction, which the caller begins with a write lock
    /// (two processes opening a new file at once: the second waits, then finds the tables).
    /// </summary>
    public static Task EnsureCreatedAsync(DbContext context, RelationalStorage storage, RelationalSession session, CancellationToken cancellationToken)
        => EnsureCreatedAsync(missing => CreateStatements(context, missing), storage, session, cancellationToken);

    /// <summary>
    /// Creates the missing tables as <see cref="EnsureCreatedAsync(DbContext, RelationalStorage, RelationalSession, CancellationToken)"/>
    /// does, with the statements <paramref name="createStatements"/> gives for them: for a provider that keeps the
    /// statements EF Core generates from the model (see <see cref="CreateStatements"/>) without EF Core at run time.
    /// </summary>
    public static async Task EnsureCreatedAsync(Func<IReadOnlySet<string>, IReadOnlyList<string>> createStatements, RelationalStorage storage, RelationalSession session, CancellationToken cancellationToken)
    {
        var existing = await storage.ExistingTablesAsync(session, cancellationToken).ConfigureAwait(false);
        if (existing.Contains(Tables.Events))
        {
            await storage.UpgradeEventsTableAsync(session, cancellationToken).ConfigureAwait(false);
        }

        if (existing.Count == Tables.All.Length)
        {
            return;
        }

        var missing = new HashSet<string>(Tables.All.Where(t => !existing.Contains(t)), StringComparer.OrdinalIgnoreCase);
        foreach (var command in createStatements(missing))
        {
            await storage.ExecuteDdlAsync(session, command, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The statements EF Core generates for <paramref name="context"/>'s model that create <paramref name="tables"/>
    /// (with their indexes, and the store's schema where the provider has schemas), in creation order.
    /// </summary>
    public static IReadOnlyList<string> CreateStatements(DbContext context, IReadOnlySet<string> tables)
    {
        var model = context.GetService<IDesignTimeModel>().Model;
        var schema = model.FindEntityType(typeof(EventRow))?.GetSchema();
        var operations = context.GetService<IMigrationsModelDiffer>()
            .GetDifferences(null, model.GetRelationalModel())
            .Where(operation => operation switch
            {
                EnsureSchemaOperation ensure => ensure.Name == schema, // CREATE SCHEMA IF NOT EXISTS for the store's own schema
                CreateTableOperation table => tables.Contains(table.Name),
                CreateIndexOperation index => tables.Contains(index.Table),
                _ => false,
            })
            .ToList();

        return context.GetService<IMigrationsSqlGenerator>().Generate(operations, model).Select(c => c.CommandText).ToList();
    }
}
