namespace EventSourcery.Tests;

public sealed class ExpectedVersionTests
{
    [Fact]
    public void Default_is_any()
    {
        var omitted = default(ExpectedVersion);

        Assert.True(omitted.IsAny);
        Assert.Equal(ExpectedVersion.Any, omitted);
        Assert.Equal(-1, omitted.Value);
        Assert.False(omitted.IsNoStream);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(long.MinValue)]
    public void Exactly_rejects_versions_below_one(long version)
    {
        Assert.Equal("version", Assert.Throws<ArgumentOutOfRangeException>(() => ExpectedVersion.Exactly(version)).ParamName);
    }

    [Fact]
    public void Values_and_flags()
    {
        Assert.Equal(0, ExpectedVersion.NoStream.Value);
        Assert.True(ExpectedVersion.NoStream.IsNoStream);
        Assert.False(ExpectedVersion.NoStream.IsAny);
        Assert.Equal(7, ExpectedVersion.Exactly(7).Value);
        Assert.False(ExpectedVersion.Exactly(7).IsAny);
        Assert.False(ExpectedVersion.Exactly(7).IsNoStream);
    }

    [Theory]
    [InlineData(null, true, true, false)]
    [InlineData(1L, true, false, true)]
    [InlineData(2L, true, false, false)]
    public void IsSatisfiedBy(long? actual, bool any, bool noStream, bool exactlyOne)
    {
        Assert.Equal(any, ExpectedVersion.Any.IsSatisfiedBy(actual));
        Assert.Equal(noStream, ExpectedVersion.NoStream.IsSatisfiedBy(actual));
        Assert.Equal(exactlyOne, ExpectedVersion.Exactly(1).IsSatisfiedBy(actual));
    }

    [Fact]
    public void Equality_and_text()
    {
        Assert.Equal(ExpectedVersion.Exactly(3), ExpectedVersion.Exactly(3));
        Assert.True(ExpectedVersion.Exactly(3) == ExpectedVersion.Exactly(3));
        Assert.True(ExpectedVersion.Exactly(3) != ExpectedVersion.Exactly(4));
        Assert.NotEqual(ExpectedVersion.Any, ExpectedVersion.NoStream);
        Assert.Equal(ExpectedVersion.Exactly(3).GetHashCode(), ExpectedVersion.Exactly(3).GetHashCode());
        Assert.Equal("any", ExpectedVersion.Any.ToString());
        Assert.Equal("no stream", ExpectedVersion.NoStream.ToString());
        Assert.Equal("12", ExpectedVersion.Exactly(12).ToString());
    }
}
