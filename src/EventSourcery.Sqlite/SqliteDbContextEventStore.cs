using EventSourcery.Relational.Storage;
using Microsoft.EntityFrameworkCore;

namespace EventSourcery;

/// <summary>
/// A <see cref="SqliteEventStore"/> that works in your own <see cref="DbContext"/>: events use its SQLite connection
/// and, when one has been begun with <c>context.Database.BeginTransaction</c>, its transaction, so they commit or roll
/// back with your own changes. It also commits a projection's read-model changes and its checkpoint together
/// (<see cref="IProjectionTransactions"/>): a projection that writes its read model through this same context has each
/// event take effect exactly once.
/// </summary>
/// <remarks>
/// <para>
/// The context's model must include the store's tables: call <see cref="EventSourceryModelBuilderExtensions.AddEventSourcery(ModelBuilder)"/>
/// in <c>OnModelCreating</c>. Missing tables are created on first use. The store does not dispose the context; the
/// connection's pragmas stay yours. Like any <see cref="DbContext"/>, the context and the store over it are for one
/// thing at a time: do not use them from two threads at once.
/// </para>
/// <para>
/// A projection transaction holds SQLite's write lock while the batch is handled, so a projection run by
/// <see cref="ProjectionRunner"/> over this store must write its read model through this context (or into another
/// database): a second connection to the same file would wait for the lock that the batch it is part of holds.
/// </para>
/// </remarks>
public sealed class SqliteDbContextEventStore : SqliteEventStore, IProjectionTransactions
{
    /// <summary>Builds a store over <paramref name="context"/> (see the class summary).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="ArgumentException">The context does not use SQLite, or its model lacks the store's tables.</exception>
    public SqliteDbContextEventStore(DbContext context, SqliteEventStoreOptions? options = null)
        : base(context, options)
    {
    }

    private SqliteDbContextEventStore(SqliteDbContextEventStore store, string tenant)
        : base(store, tenant)
    {
    }

    /// <summary>
    /// Begins the transaction one batch of a projection runs in: the projection's writes through the context and the
    /// checkpoint the runner then saves through this store (or any of its views) join it, and commit together. When a
    /// transaction is already open on the context, the batch runs in a savepoint inside it, and the outer transaction
    /// decides in the end. Disposing it without committing rolls everything of the batch back and clears the context's
    /// change tracker, whose entities no longer match the database.
    /// </summary>
    /// <exception cref="EventStoreBusyException">Another connection held the write lock for too long.</exception>
    public ValueTask<IProjectionTransaction> BeginProjectionTransactionAsync(CancellationToken cancellationToken = default)
        => ProjectionTransactions.BeginAsync(this, cancellationToken);

    /// <inheritdoc />
    private protected override SqliteEventStore CreateSqliteView(string tenant) => new SqliteDbContextEventStore(this, tenant);
}
