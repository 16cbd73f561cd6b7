using System.Collections.Concurrent;
using EventSourcery.Sqlite.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace EventSourcery.Sqlite.Schema;

/// <summary>
/// The database files whose schema a store of this EF model has already found current, so that a store per
/// <see cref="DbContext"/> (one per request) checks the schema once per database rather than once per context. Kept as
/// a runtime annotation of the model, which EF Core builds once per context type and shares between its instances: no
/// static state of ours, and a model built for another context type keeps its own set.
/// </summary>
/// <remarks>
/// A file replaced or emptied while the process runs is noticed at the first statement that misses a table: the store
/// forgets the file here and checks again (see <see cref="SqliteStorage.IsMissingSchema"/>). In-memory databases have
/// no file name and are never remembered.
/// </remarks>
internal static class KnownSchemas
{
    private const string Annotation = "EventSourcery:KnownSchemas";

    /// <summary>Whether a store of <paramref name="context"/>'s model has found the schema of the connection's file current.</summary>
    public static bool IsKnownCurrent(DbContext context, SqliteConnection connection)
        => Key(connection) is { } file && Files(context).ContainsKey(file);

    /// <summary>Remembers that the schema of the connection's file is current.</summary>
    public static void Remember(DbContext context, SqliteConnection connection)
    {
        if (Key(connection) is { } file)
        {
            Files(context).TryAdd(file, 0);
        }
    }

    /// <summary>Forgets the connection's file: the next store checks its schema again.</summary>
    public static void Forget(DbContext context, SqliteConnection connection)
    {
        if (Key(connection) is { } file)
        {
            Files(context).TryRemove(file, out _);
        }
    }

    private static ConcurrentDictionary<string, byte> Files(DbContext context)
        => context.Model.GetOrAddRuntimeAnnotationValue(
            Annotation,
            static _ => new ConcurrentDictionary<string, byte>(StringComparer.Ordinal),
            (object?)null);

    /// <summary>The full path of the open connection's main database; null for an in-memory or temporary one.</summary>
    private static string? Key(SqliteConnection connection)
    {
        if (connection.State != System.Data.ConnectionState.Open
            || new SqliteConnectionStringBuilder(connection.ConnectionString).Mode == SqliteOpenMode.Memory)
        {
            return null;
        }

        var file = connection.DataSource;
        return string.IsNullOrEmpty(file) || file.Contains(":memory:", StringComparison.Ordinal) ? null : file;
    }
}
