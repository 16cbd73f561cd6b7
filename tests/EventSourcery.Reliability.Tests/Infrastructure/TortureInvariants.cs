using System.Globalization;
using System.Text;

namespace EventSourcery.Reliability.Tests;

/// <summary>What must hold after any torture run, whatever the interleaving.</summary>
internal static class TortureInvariants
{
    /// <param name="store">The store the writers wrote to (or a fresh instance over the same file).</param>
    /// <param name="streams">The torture streams, by index.</param>
    /// <param name="outcomes">Every outcome of every writer.</param>
    /// <param name="seed">The run's seed, for the failure messages.</param>
    /// <param name="outboxEventIds">For SQLite, the event ids of the outbox rows (read with raw SQL).</param>
    public static async Task AssertAsync(IEventStore store, IReadOnlyList<StreamId> streams, IReadOnlyCollection<AppendOutcome> outcomes, int seed, Func<Task<List<Guid>>>? outboxEventIds = null)
    {
        var context = $"(seed {seed}; {outcomes.Count(o => o.Kind == OutcomeKind.Ack)} acknowledged, {outcomes.Count(o => o.Kind == OutcomeKind.Rejected)} rejected)";

        // 1. The only exception any writer ever saw is ConcurrencyException.
        var failed = outcomes.Where(o => o.Kind == OutcomeKind.Failed).ToList();
        if (failed.Count > 0)
        {
            var text = new StringBuilder($"{failed.Count} append(s) failed with something other than ConcurrencyException {context}:\n");
            foreach (var group in failed.GroupBy(f => f.Error![..Math.Min(f.Error!.Length, 160)]).Take(5))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {group.Count()} x writer {group.First().Writer} seq {group.First().Sequence}: {group.First().Error}");
            }

            Assert.Fail(text.ToString());
        }

        // 2. Global positions are unique and strictly increasing in ReadAll.
        var all = await Read.AllAsync(store);
        for (var i = 1; i < all.Count; i++)
        {
            Assert.True(all[i].Position > all[i - 1].Position, $"ReadAll position {all[i].Position} follows {all[i - 1].Position} {context}");
        }

        Assert.True(all.Count == 0 || all[0].Position > 0, $"positions start above 0 {context}");

        // 3. Per stream, versions are contiguous 1..N, and ReadStream agrees with ReadAll.
        var byStream = new Dictionary<StreamId, List<RecordedEvent>>();
        foreach (var id in streams)
        {
            var events = await Read.StreamAsync(store, id);
            Assert.Equal(Enumerable.Range(1, events.Count).Select(v => (long)v), events.Select(e => e.Version));
            Assert.Equal(all.Where(e => e.StreamId == id).Select(e => (e.Position, e.Event.Id)), events.Select(e => (e.Position, e.Event.Id)));
            byStream[id] = events;
        }

        Assert.Equal(all.Count, byStream.Values.Sum(s => s.Count)); // nothing outside the torture streams

        // 4. Every acknowledged event is there exactly once, where its AppendResult said.
        var byId = new Dictionary<Guid, RecordedEvent>();
        foreach (var e in all)
        {
            Assert.True(byId.TryAdd(e.Event.Id, e), $"event {e.Event.Id} is stored twice {context}");
        }

        long acknowledgedEvents = 0;
        foreach (var ack in outcomes.Where(o => o.Kind == OutcomeKind.Ack))
        {
            var k = ack.EventIds.Length;
            acknowledgedEvents += k;
            for (var i = 0; i < k; i++)
            {
                Assert.True(byId.TryGetValue(ack.EventIds[i], out var stored), $"acknowledged event {ack.EventIds[i]} (writer {ack.Writer}, seq {ack.Sequence}) is missing {context}");
                Assert.Equal(streams[ack.Stream], stored!.StreamId);
                Assert.Equal(ack.StreamVersion - k + 1 + i, stored.Version);
                var payload = Assert.IsType<TortureAppended>(stored.Event);
                Assert.Equal((ack.Writer, ack.Sequence, i, k), (payload.Writer, payload.Sequence, payload.Index, payload.Count));
                if (i == k - 1)
                {
                    Assert.Equal(ack.LastPosition, stored.Position);
                }
            }

            // The expectation held at commit time.
            var firstVersion = ack.StreamVersion - k + 1;
            if (ack.Expected == 0)
            {
                Assert.Equal(1, firstVersion);
            }
            else if (ack.Expected > 0)
            {
                Assert.Equal(ack.Expected + 1, firstVersion);
            }
        }

        Assert.Equal(acknowledgedEvents, all.Count); // nothing unacknowledged slipped in

        // 5. Every rejected event is absent, and the rejection was right.
        foreach (var rejected in outcomes.Where(o => o.Kind == OutcomeKind.Rejected))
        {
            Assert.All(rejected.EventIds, id => Assert.False(byId.ContainsKey(id), $"rejected event {id} (writer {rejected.Writer}, seq {rejected.Sequence}) is stored {context}"));
            var expected = rejected.Expected switch
            {
                -1 => ExpectedVersion.Any,
                0 => ExpectedVersion.NoStream,
                var n => ExpectedVersion.Exactly(n),
            };
            Assert.False(expected.IsSatisfiedBy(rejected.Actual), $"rejected with actual {rejected.Actual?.ToString(CultureInfo.InvariantCulture) ?? "none"} although {expected} allows it {context}");
        }

        // 6. Exactly the published acknowledged events are in the outbox (published in the same transaction).
        var published = outcomes.Where(o => o.Kind == OutcomeKind.Ack && o.Published).Sum(o => o.EventIds.Length);
        Assert.Equal(published, await ((IOutboxStore)store).CountOutboxAsync());
        if (outboxEventIds is not null)
        {
            var expectedIds = outcomes.Where(o => o.Kind == OutcomeKind.Ack && o.Published).SelectMany(o => o.EventIds).Order().ToList();
            Assert.Equal(expectedIds, (await outboxEventIds()).Order().ToList());
        }

        // 7. Commit order: one writer's appends are sequential, so their positions increase with its sequence.
        foreach (var writer in outcomes.Where(o => o.Kind == OutcomeKind.Ack).GroupBy(o => o.Writer))
        {
            var positions = writer.OrderBy(o => o.Sequence).Select(o => o.LastPosition).ToList();
            Assert.Equal(positions.Order(), positions);
        }
    }
}
