using System.Runtime.CompilerServices;

// These exceptions moved to EventSourcery (every store throws them); code compiled against an earlier
// EventSourcery.Sqlite still finds them.
[assembly: TypeForwardedTo(typeof(EventSourcery.EventStoreBusyException))]
[assembly: TypeForwardedTo(typeof(EventSourcery.EventStoreReadOnlyException))]
