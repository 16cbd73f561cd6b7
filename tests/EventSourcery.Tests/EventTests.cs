using EventSourcery.StoreContract;

namespace EventSourcery.Tests;

public sealed class EventTests
{
    [Fact]
    public void A_new_event_has_a_fresh_uuid_v7_id()
    {
        var a = new TurnedOn();
        var b = new TurnedOn();

        Assert.Equal(7, a.Id.Version);
        Assert.NotEqual(a.Id, b.Id);
    }

    [Fact]
    public void A_new_event_is_created_now_in_utc()
    {
        var before = DateTimeOffset.UtcNow;
        var e = new TurnedOn();
        var after = DateTimeOffset.UtcNow;

        Assert.Equal(TimeSpan.Zero, e.CreatedAt.Offset);
        Assert.InRange(e.CreatedAt, before, after);
    }

    [Fact]
    public void A_new_event_has_empty_metadata()
    {
        var e = new TurnedOn();

        Assert.Same(EventMetadata.Empty, e.Metadata);
        Assert.Null(e.Metadata.CorrelationId);
        Assert.Null(e.Metadata.CausationId);
        Assert.Empty(e.Metadata.Extra);
    }

    [Fact]
    public void With_keeps_the_id_and_replaces_metadata()
    {
        var e = new NoteAdded("x", 1, DateTimeOffset.UtcNow);
        var metadata = new EventMetadata { CorrelationId = Guid.NewGuid() };

        var traced = e with { Metadata = metadata };

        Assert.Equal(e.Id, traced.Id);
        Assert.Equal(e.CreatedAt, traced.CreatedAt);
        Assert.Same(metadata, traced.Metadata);
        Assert.NotEqual(e, traced);
    }

    [Fact]
    public void Null_metadata_is_rejected()
    {
        Assert.Throws<ArgumentNullException>(() => new TurnedOn { Metadata = null! });
    }

    [Fact]
    public void Events_with_different_ids_are_different()
    {
        var at = DateTimeOffset.UtcNow;
        var a = new NoteAdded("x", 1, at);
        var b = new NoteAdded("x", 1, at) { CreatedAt = a.CreatedAt };

        Assert.NotEqual(a, b);
        Assert.Equal(a, b with { Id = a.Id });
    }
}
