namespace EventSourcery.Reliability;

// Compiled into the Writer and (linked) into the tests, so each assembly's generated registry knows these names and
// the tests can read what a child process wrote.

/// <summary>One event of a torture append: which writer appended it, its append number and its place in the batch.</summary>
public sealed record TortureAppended(int Writer, int Sequence, int Index, int Count) : Event;

/// <summary>
/// One event of a crash-test batch: <see cref="Count"/> events share a <see cref="BatchId"/>; each knows its index, so
/// a reader can tell a whole batch from a torn one without any side information.
/// </summary>
public sealed record CrashBatchWritten(Guid BatchId, int Index, int Count, int Run, bool Published, string Filler) : Event;

/// <summary>An event the outbox tests publish: its stream's index and its number in that stream (1, 2, …).</summary>
public sealed record OutboxItemPublished(int Stream, long Sequence) : Event;
