using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;

namespace EventSourcery.Relational.Schema;

/// <summary>
/// The databases whose schema a store of this EF model has already found current, so that a store per
/// <see cref="DbContext"/> (one per request) checks the schema once per database rather than once per context. Kept as
/// a runtime annotation of the model, which EF Core builds once per context type and shares between its instances: no
/// static state of ours, and a model built for another context type keeps its own set.
/// </summary>
/// <remarks>
/// A database replaced or emptied while the process runs is noticed at the first statement that misses a table: the
/// store forgets it here and checks again. In-memory databases have no name and are never remembered.
/// </remarks>
internal static class KnownSchemas
{
    private const string Annotation = "EventSourcery:KnownSchemas";

    /// <summary>Whether a store of <paramref name="context"/>'s model has found the schema of the database named <paramref name="database"/> current.</summary>
    /// <param name="context">The context whose model keeps the set.</param>
    /// <param name="database">What names the database for the provider (a file's full path, a server's database and schema); null for one that is never remembered.</param>
    public static bool IsKnownCurrent(DbContext context, string? database)
        => database is not null && Databases(context).ContainsKey(database);

    /// <summary>Remembers that the schema of the database named <paramref name="database"/> is current.</summary>
    public static void Remember(DbContext context, string? database)
    {
        if (database is not null)
        {
            Databases(context).TryAdd(database, 0);
        }
    }

    /// <summary>Forgets the database: the next store checks its schema again.</summary>
    public static void Forget(DbContext context, string? database)
    {
        if (database is not null)
        {
            Databases(context).TryRemove(database, out _);
        }
    }

    private static ConcurrentDictionary<string, byte> Databases(DbContext context)
        => context.Model.GetOrAddRuntimeAnnotationValue(
            Annotation,
            static _ => new ConcurrentDictionary<string, byte>(StringComparer.Ordinal),
            (object?)null);
}
