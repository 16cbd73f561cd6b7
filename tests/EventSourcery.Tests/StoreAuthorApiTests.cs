using System.Reflection;
using System.Runtime.CompilerServices;
using EventSourcery.Storage;

namespace EventSourcery.Tests;

/// <summary>What a store outside this assembly builds on: public, and the same checks the built-in stores make.</summary>
public sealed class StoreAuthorApiTests
{
    [Fact]
    public void No_store_package_needs_the_cores_internals()
    {
        var friends = typeof(Event).Assembly.GetCustomAttributes<InternalsVisibleToAttribute>().Select(a => a.AssemblyName);

        Assert.DoesNotContain(friends, name => name.StartsWith("EventSourcery.Sqlite", StringComparison.Ordinal) && !name.EndsWith(".Tests", StringComparison.Ordinal));
    }

    [Fact]
    public void The_shipped_xml_docs_do_not_describe_the_repositorys_private_snapshot_loader()
    {
        // Issue 19: the docs named a method users cannot call.
        var xml = File.ReadAllText(Path.ChangeExtension(typeof(Event).Assembly.Location, ".xml"));

        Assert.Contains("M:EventSourcery.Repository`1.LoadAsync", xml, StringComparison.Ordinal);
        Assert.DoesNotContain("LoadFromSnapshotAsync", xml, StringComparison.Ordinal);
    }

    [Fact]
    public void The_append_guard_refuses_a_default_id_an_empty_batch_and_a_repeated_id()
    {
        var on = new TurnedOnForGuard();

        Assert.Equal("streamId", Assert.Throws<ArgumentException>(() => AppendGuard.ThrowIfInvalid(default, [on])).ParamName);
        Assert.Equal("events", Assert.Throws<ArgumentException>(() => AppendGuard.ThrowIfInvalid(StreamId.New(), [])).ParamName);
        Assert.Equal(on.Id, Assert.Throws<DuplicateEventIdException>(() => AppendGuard.ThrowIfInvalid(StreamId.New(), [on, on])).EventId);
        AppendGuard.ThrowIfInvalid(StreamId.New(), [on, new TurnedOnForGuard()]);

        // Small and large batches take different paths (a sorted copy on the stack, a set).
        foreach (var size in new[] { 3, 256, 257, 1_000 })
        {
            var batch = Enumerable.Range(0, size).Select(_ => (Event)new TurnedOnForGuard()).ToArray();
            AppendGuard.ThrowIfInvalid(StreamId.New(), batch);
            batch[size / 2] = batch[^1];
            Assert.Equal(batch[^1].Id, Assert.Throws<DuplicateEventIdException>(() => AppendGuard.ThrowIfInvalid(StreamId.New(), batch)).EventId);
        }
    }

    [Fact]
    public void A_retry_is_recognised_only_at_its_place_in_its_stream()
    {
        var id = StreamId.New("light");
        Event[] batch = [new TurnedOnForGuard(), new TurnedOnForGuard()];
        StoredEventId?[] atVersions2And3 = [new StoredEventId(id, true, 2, 10), new StoredEventId(id, true, 3, 11)];

        Assert.Null(AppendRetry.Resolve(id, ExpectedVersion.Any, batch, [null, null]));
        Assert.Equal(new AppendResult(3, 11), AppendRetry.Resolve(id, ExpectedVersion.Exactly(1), batch, atVersions2And3));
        Assert.Equal(new AppendResult(3, 11), AppendRetry.Resolve(id, ExpectedVersion.Any, batch, atVersions2And3));
        Assert.Throws<DuplicateEventIdException>(() => AppendRetry.Resolve(id, ExpectedVersion.NoStream, batch, atVersions2And3));
        Assert.Throws<DuplicateEventIdException>(() => AppendRetry.Resolve(id, ExpectedVersion.Any, batch, [atVersions2And3[0], null]));
        var elsewhere = Assert.Throws<DuplicateEventIdException>(() => AppendRetry.Resolve(id, ExpectedVersion.Any, batch, [atVersions2And3[0], new StoredEventId(StreamId.New("other"), false, 1, 5)]));
        Assert.Equal(batch[1].Id, elsewhere.EventId); // the id stored in another stream is the one named
    }

    [Fact]
    public async Task The_append_notifier_wakes_waiters_and_remembers_the_last_position_per_tenant()
    {
        var notifier = new AppendNotifier();
        var (next, last) = notifier.Observe("acme");
        Assert.Equal(0, last);
        Assert.False(next.IsCompleted);

        notifier.Appended("acme", 7);
        await next.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(7, notifier.Observe("acme").LastAppended);
        Assert.Equal(0, notifier.Observe("").LastAppended);

        notifier.Lower("acme", observed: 7, head: 3); // its events were deleted
        Assert.Equal(3, notifier.Observe("acme").LastAppended);
        notifier.Appended("acme", 9);
        notifier.Lower("acme", observed: 3, head: 0); // a newer commit came since: kept
        Assert.Equal(9, notifier.Observe("acme").LastAppended);
    }
}

/// <summary>An event for the guard's tests.</summary>
public sealed record TurnedOnForGuard : Event;
