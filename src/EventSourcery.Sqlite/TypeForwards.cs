using System.Runtime.CompilerServices;

// These exceptions moved to EventSourcery (every store throws them); code compiled against an earlier
// EventSourcery.Sqlite still finds them.
[assembly: TypeForwardedTo(typeof(EventSourcery.EventStoreBusyException))]
[assembly: TypeForwardedTo(typeof(EventSourcery.EventStoreReadOnlyException))]

// The EF Core model of the store's tables is the same for every relational provider: it moved to
// EventSourcery.Relational, which this package depends on.
[assembly: TypeForwardedTo(typeof(EventSourcery.EventSourceryModelBuilderExtensions))]
