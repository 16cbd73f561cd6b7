using EventSourcery.StoreContract;

namespace EventSourcery.Tests;

public sealed class EventMetadataTests
{
    [Fact]
    public void Equality_compares_ids_and_extra_by_content()
    {
        var correlation = Guid.NewGuid();
        var a = new EventMetadata { CorrelationId = correlation, Extra = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" } };
        var b = new EventMetadata { CorrelationId = correlation, Extra = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" } };

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(EventMetadata.Empty, new EventMetadata());
    }

    [Fact]
    public void Metadata_differing_in_anything_is_not_equal()
    {
        var correlation = Guid.NewGuid();
        var baseline = new EventMetadata { CorrelationId = correlation, Extra = new Dictionary<string, string> { ["a"] = "1" } };

        Assert.NotEqual(baseline, baseline with { CorrelationId = Guid.NewGuid() });
        Assert.NotEqual(baseline, baseline with { CausationId = Guid.NewGuid() });
        Assert.NotEqual(baseline, baseline with { Extra = new Dictionary<string, string> { ["a"] = "2" } });
        Assert.NotEqual(baseline, baseline with { Extra = new Dictionary<string, string> { ["A"] = "1" } });
        Assert.NotEqual(baseline, baseline with { Extra = new Dictionary<string, string> { ["a"] = "1", ["b"] = "1" } });
        Assert.NotEqual(baseline, baseline with { Extra = new Dictionary<string, string>() });
        Assert.False(baseline.Equals(null));
    }

    [Fact]
    public void CausedBy_a_flow_starting_event_correlates_to_that_event()
    {
        var cause = new TurnedOn();

        var metadata = EventMetadata.CausedBy(cause);

        Assert.Equal(cause.Id, metadata.CorrelationId);
        Assert.Equal(cause.Id, metadata.CausationId);
        Assert.Empty(metadata.Extra);
    }

    [Fact]
    public void CausedBy_an_event_in_a_flow_keeps_the_flow_correlation()
    {
        var flow = Guid.NewGuid();
        var cause = new TurnedOn { Metadata = new EventMetadata { CorrelationId = flow, CausationId = Guid.NewGuid() } };

        var metadata = EventMetadata.CausedBy(cause);

        Assert.Equal(flow, metadata.CorrelationId);
        Assert.Equal(cause.Id, metadata.CausationId);
    }

    [Fact]
    public void CausedBy_rejects_null_and_extra_is_never_null()
    {
        Assert.Throws<ArgumentNullException>(() => EventMetadata.CausedBy(null!));
        Assert.Throws<ArgumentNullException>(() => new EventMetadata { Extra = null! });
        Assert.NotNull(new EventMetadata().Extra);
    }
}
