using EventSourcery.Relational.Storage;
using Microsoft.Data.Sqlite;

namespace EventSourcery.Sqlite.Storage;

// The store's turn on its connection, and a write in it.
internal sealed partial class SqliteExecutor
{
    /// <summary>The store's turn on the connection: closes what it opened and gives the gate back.</summary>
    private readonly struct Turn(SqliteExecutor executor, bool openedHere, bool countOpen, SqliteTransaction? userTransaction) : IAsyncDisposable
    {
        public SqliteTransaction? UserTransaction { get; } = userTransaction;

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (openedHere && !executor.OwnsConnection)
                {
                    // EF closes it again now: its compiled statements must not outlive this open (see CommandCache).
                    executor.Commands.Dispose();
                }

                // A connection the store owns stays open once set up; a user's context's is closed as often as opened.
                if (countOpen && !(executor.OwnsConnection && executor.ConnectionReady))
                {
                    await executor.Host.CloseAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                executor.Gate.Release();
            }
        }
    }

    /// <summary>A write in the store's <c>BEGIN IMMEDIATE</c> transaction or a savepoint in the user's, holding the store's turn.</summary>
    private sealed class Write(SqliteExecutor executor, Turn turn, SqliteTransaction transaction, bool own) : RelationalWrite
    {
        private bool _committed;

        public override RelationalSession Session { get; } = new SqliteSession(executor.Commands, transaction);

        public override bool CommitIsFinal => own;

        public override async Task CommitAsync(CancellationToken cancellationToken)
        {
            if (own)
            {
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await transaction.ReleaseAsync(Savepoint, cancellationToken).ConfigureAwait(false);
            }

            _committed = true;
        }

        public override async ValueTask DisposeAsync()
        {
            try
            {
                if (own)
                {
                    await RollBackAsync(transaction).ConfigureAwait(false); // nothing left to roll back once committed
                }
                else if (!_committed)
                {
                    await UndoToSavepointAsync(transaction).ConfigureAwait(false);
                }
            }
            finally
            {
                await turn.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
