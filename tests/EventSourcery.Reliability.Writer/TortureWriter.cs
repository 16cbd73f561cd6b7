using System.Globalization;
using System.Text;

namespace EventSourcery.Reliability;

/// <summary>What became of one append of a torture writer.</summary>
/// <param name="Kind">Acknowledged, rejected with <see cref="ConcurrencyException"/>, or failed with anything else.</param>
/// <param name="Writer">The writer's number.</param>
/// <param name="Sequence">The append's number within its writer (0, 1, …).</param>
/// <param name="Stream">The index of the stream it went to.</param>
/// <param name="Expected">The expectation's <see cref="ExpectedVersion.Value"/> (-1 any, 0 no stream, n exactly n).</param>
/// <param name="EventIds">The ids of the events of the append, in order.</param>
/// <param name="StreamVersion">For an acknowledged append, <see cref="AppendResult.StreamVersion"/>.</param>
/// <param name="LastPosition">For an acknowledged append, <see cref="AppendResult.LastPosition"/>.</param>
/// <param name="Actual">For a rejected append, <see cref="ConcurrencyException.Actual"/>.</param>
/// <param name="Error">For a failed append, the exception's type and message.</param>
/// <param name="Published">True for <see cref="IEventStore.PublishAsync"/>, false for <see cref="IEventStore.AppendAsync"/>.</param>
public sealed record AppendOutcome(
    OutcomeKind Kind,
    int Writer,
    int Sequence,
    int Stream,
    long Expected,
    Guid[] EventIds,
    long StreamVersion = 0,
    long LastPosition = 0,
    long? Actual = null,
    string? Error = null,
    bool Published = false)
{
    /// <summary>One line of a side log: <c>kind,writer,sequence,stream,expected,version,position,actual,ids;…,base64(error),published</c>.</summary>
    public string ToLine()
        => string.Join(
            ',',
            Kind.ToString(),
            Writer.ToString(CultureInfo.InvariantCulture),
            Sequence.ToString(CultureInfo.InvariantCulture),
            Stream.ToString(CultureInfo.InvariantCulture),
            Expected.ToString(CultureInfo.InvariantCulture),
            StreamVersion.ToString(CultureInfo.InvariantCulture),
            LastPosition.ToString(CultureInfo.InvariantCulture),
            Actual is { } actual ? actual.ToString(CultureInfo.InvariantCulture) : "-",
            string.Join(';', EventIds.Select(id => id.ToString("N"))),
            Convert.ToBase64String(Encoding.UTF8.GetBytes(Error ?? "")),
            Published ? "P" : "A");

    /// <summary>Reads a line written by <see cref="ToLine"/>.</summary>
    public static AppendOutcome Parse(string line)
    {
        var f = line.Split(',');
        if (f.Length != 11)
        {
            throw new FormatException($"Not an outcome line: '{line}'.");
        }

        var error = Encoding.UTF8.GetString(Convert.FromBase64String(f[9]));
        return new AppendOutcome(
            Enum.Parse<OutcomeKind>(f[0]),
            int.Parse(f[1], CultureInfo.InvariantCulture),
            int.Parse(f[2], CultureInfo.InvariantCulture),
            int.Parse(f[3], CultureInfo.InvariantCulture),
            long.Parse(f[4], CultureInfo.InvariantCulture),
            f[8].Split(';', StringSplitOptions.RemoveEmptyEntries).Select(Guid.Parse).ToArray(),
            long.Parse(f[5], CultureInfo.InvariantCulture),
            long.Parse(f[6], CultureInfo.InvariantCulture),
            f[7] == "-" ? null : long.Parse(f[7], CultureInfo.InvariantCulture),
            error.Length == 0 ? null : error,
            f[10] == "P");
    }
}

/// <summary>How an append ended.</summary>
public enum OutcomeKind
{
    /// <summary>The store acknowledged it with an <see cref="AppendResult"/>.</summary>
    Ack,

    /// <summary>The store rejected it with <see cref="ConcurrencyException"/>.</summary>
    Rejected,

    /// <summary>Any other exception: never acceptable in the torture tests.</summary>
    Failed,
}

/// <summary>
/// One torture writer: appends (or publishes) batches of 1–3 events to random streams with a random mix of
/// expectations — any, no stream, or exactly the version it last saw (often stale because others wrote since) — and
/// reports every outcome. It sometimes re-reads a stream, as an application loading an aggregate would.
/// </summary>
public static class TortureWriter
{
    public static async Task RunAsync(IEventStore store, int writer, IReadOnlyList<StreamId> streams, int appends, int seed, Action<AppendOutcome> report)
    {
        var random = new Random(HashCode.Combine(seed, writer));
        var seen = new long?[streams.Count];
        for (var sequence = 0; sequence < appends; sequence++)
        {
            var s = random.Next(streams.Count);
            if (random.Next(10) == 0)
            {
                long? last = null;
                await foreach (var e in store.ReadStreamAsync(streams[s]))
                {
                    last = e.Version;
                }

                seen[s] = last;
            }

            var roll = random.Next(100);
            var expected = roll < 30 ? ExpectedVersion.Any
                : roll < 40 || seen[s] is not > 0 ? ExpectedVersion.NoStream
                : ExpectedVersion.Exactly(seen[s]!.Value);
            var count = random.Next(1, 4);
            var events = new Event[count];
            for (var i = 0; i < count; i++)
            {
                events[i] = new TortureAppended(writer, sequence, i, count);
            }

            var ids = events.Select(e => e.Id).ToArray();
            var publish = random.Next(5) == 0;
            try
            {
                var result = publish
                    ? await store.PublishAsync(streams[s], events, expected)
                    : await store.AppendAsync(streams[s], events, expected);
                seen[s] = result.StreamVersion;
                report(new AppendOutcome(OutcomeKind.Ack, writer, sequence, s, expected.Value, ids, result.StreamVersion, result.LastPosition, Published: publish));
            }
            catch (ConcurrencyException ex)
            {
                seen[s] = ex.Actual;
                report(new AppendOutcome(OutcomeKind.Rejected, writer, sequence, s, expected.Value, ids, Actual: ex.Actual, Published: publish));
            }
#pragma warning disable CA1031 // Every other exception is the finding: reported, and the writer goes on.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                report(new AppendOutcome(OutcomeKind.Failed, writer, sequence, s, expected.Value, ids, Error: $"{ex.GetType().FullName}: {ex.Message} | inner: {ex.InnerException?.GetType().FullName}: {ex.InnerException?.Message}", Published: publish));
            }
        }
    }
}
