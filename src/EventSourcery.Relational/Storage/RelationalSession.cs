using System.Data.Common;

namespace EventSourcery.Relational.Storage;

/// <summary>
/// Where one operation of a relational store runs its statements: a connection (the store's, or one rented from a
/// pool) and the transaction it is in, if any. Each provider's <see cref="RelationalStorage"/> casts it to its own kind.
/// </summary>
internal abstract class RelationalSession
{
    /// <summary>The transaction the statements run in: the store's own, the user's, or none for a plain read.</summary>
    public abstract DbTransaction? Transaction { get; }
}
