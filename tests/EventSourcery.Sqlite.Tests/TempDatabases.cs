using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace EventSourcery.Sqlite.Tests;

/// <summary>
/// The temporary databases of one test class: each store (and each of its tenant views, which share its connection)
/// remembers its database file, and every file is deleted when the class's tests are done.
/// </summary>
internal sealed class TempDatabases
{
    private readonly List<TempDatabase> _all = [];
    private readonly ConditionalWeakTable<SqliteConnection, TempDatabase> _byConnection = [];

    /// <summary>A store over a new, empty database file.</summary>
    public async Task<IEventStore> OpenStoreAsync()
    {
        var database = new TempDatabase();
        _all.Add(database);
        var store = await database.OpenStoreAsync();
        _byConnection.Add(store.Connection, database);
        return store;
    }

    /// <summary>Another store instance (another connection) over the same file as <paramref name="store"/>.</summary>
    public async Task<IEventStore> OpenAnotherAsync(IEventStore store)
    {
        var database = DatabaseOf(store);
        var another = await database.OpenStoreAsync();
        _byConnection.Add(another.Connection, database);
        return another;
    }

    /// <summary>The database file <paramref name="store"/> (or a view of it) works on.</summary>
    public TempDatabase DatabaseOf(IEventStore store)
        => _byConnection.TryGetValue(((SqliteEventStore)store).Connection, out var database)
            ? database
            : throw new InvalidOperationException("The store was not opened through these temporary databases.");

    public async Task DisposeAsync()
    {
        foreach (var database in _all)
        {
            await database.DisposeAsync();
        }
    }
}
