using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace EventSourcery.Relational.Storage;

/// <summary>
/// The transaction of one projection batch on a store over a user's <see cref="DbContext"/>, the same for every
/// provider: begun through EF (so the projection's own <c>SaveChanges</c> on the context joins it), or a savepoint when
/// the user already has a transaction open. Ending it takes the store's turn on the connection.
/// </summary>
internal static class ProjectionTransactions
{
    private const string Savepoint = "eventsourcery_projection";

    /// <summary>Begins a batch's transaction on <paramref name="store"/>'s context (see <see cref="IProjectionTransactions"/>).</summary>
    public static async ValueTask<IProjectionTransaction> BeginAsync(RelationalEventStore store, CancellationToken cancellationToken)
    {
        var context = store.Context;
        return await store.RunAsync<IProjectionTransaction>(
            async (session, ct) =>
            {
                if (session.Transaction is { } userTransaction)
                {
                    await userTransaction.SaveAsync(Savepoint, ct).ConfigureAwait(false);
                    return new Nested(store, userTransaction);
                }

                // A provider's own default for a transaction begun through EF: on SQLite, IMMEDIATE (the write lock
                // from the start, so the batch never fails halfway because another connection wrote meanwhile).
                return new Own(store, await context.Database.BeginTransactionAsync(ct).ConfigureAwait(false));
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A transaction the store began on the context.</summary>
    private sealed class Own(RelationalEventStore store, IDbContextTransaction transaction) : IProjectionTransaction
    {
        private bool _committed;
        private bool _ended;

        public async ValueTask CommitAsync(CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(_ended, this);
            await store.ExclusiveAsync(() => transaction.CommitAsync(cancellationToken)).ConfigureAwait(false);
            _committed = true;
        }

        public async ValueTask DisposeAsync()
        {
            if (_ended)
            {
                return;
            }

            _ended = true;
            await store.ExclusiveAsync(async () =>
            {
                try
                {
                    if (!_committed)
                    {
                        await transaction.RollbackAsync().ConfigureAwait(false);
                    }
                }
                catch (DbException)
                {
                    // The database rolled back by itself (an I/O error, a broken connection); the original exception says why.
                }
                finally
                {
                    await transaction.DisposeAsync().ConfigureAwait(false);
                    if (!_committed)
                    {
                        // After a rollback, what the context tracks no longer matches the database: forget it.
                        store.Context.ChangeTracker.Clear();
                    }
                }
            }).ConfigureAwait(false);
        }
    }

    /// <summary>A savepoint inside a transaction the user had already begun on the context.</summary>
    private sealed class Nested(RelationalEventStore store, DbTransaction transaction) : IProjectionTransaction
    {
        private bool _ended;

        public async ValueTask CommitAsync(CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(_ended, this);
            await store.ExclusiveAsync(() => transaction.ReleaseAsync(Savepoint, cancellationToken)).ConfigureAwait(false);
            _ended = true;
        }

        public async ValueTask DisposeAsync()
        {
            if (_ended)
            {
                return;
            }

            _ended = true;
            await store.ExclusiveAsync(async () =>
            {
                try
                {
                    await transaction.RollbackAsync(Savepoint).ConfigureAwait(false);
                    await transaction.ReleaseAsync(Savepoint).ConfigureAwait(false);
                }
                catch (DbException)
                {
                    // The user's transaction is already gone (rolled back by the database); the original exception says why.
                }

                store.Context.ChangeTracker.Clear();
            }).ConfigureAwait(false);
        }
    }
}
