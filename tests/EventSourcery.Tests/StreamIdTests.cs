namespace EventSourcery.Tests;

public sealed class StreamIdTests
{
    [Fact]
    public void FromName_is_deterministic()
    {
        var a = StreamId.FromName("kitchen", "light_switch");
        var b = StreamId.FromName("kitchen", "light_switch");

        Assert.Equal(a, b);
        Assert.Equal(a.Value, b.Value);
        Assert.Equal("kitchen", a.Name);
        Assert.Equal("light_switch", a.Category);
    }

    [Fact]
    public void FromName_has_a_fixed_value_for_a_given_name_and_category()
    {
        // Pinned: changing the namespace or the hashing input would silently move every named stream.
        Assert.Equal(StreamId.FromName("x", "cat").Value, new Guid("9622dd4c-2d49-5dee-8b5b-1b45feaa540f"));
    }

    [Fact]
    public void FromName_differs_by_name_and_by_category()
    {
        var kitchen = StreamId.FromName("kitchen", "light_switch");

        Assert.NotEqual(kitchen.Value, StreamId.FromName("hall", "light_switch").Value);
        Assert.NotEqual(kitchen.Value, StreamId.FromName("kitchen", "door").Value);
        Assert.NotEqual(kitchen.Value, StreamId.FromName("kitchen").Value);
        // The separator keeps "a" + "b\nc" and "a\nb" + "c" apart.
        Assert.NotEqual(StreamId.FromName("b\nc", "a").Value, StreamId.FromName("c", "a.b").Value);
    }

    [Fact]
    public void FromName_makes_a_version_5_rfc_variant_uuid()
    {
        var id = StreamId.FromName("kitchen", "light_switch");
        var bytes = id.Value.ToByteArray(bigEndian: true);

        Assert.Equal(5, id.Value.Version);
        Assert.Equal(0x80, bytes[8] & 0xC0);
    }

    [Fact]
    public void FromName_rejects_a_null_or_empty_name()
    {
        Assert.Throws<ArgumentNullException>(() => StreamId.FromName(null!));
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => StreamId.FromName("")).ParamName);
    }

    [Fact]
    public void New_is_random_time_ordered_and_keeps_the_category()
    {
        var a = StreamId.New("light_switch");
        var b = StreamId.New("light_switch");

        Assert.NotEqual(a, b);
        Assert.Equal(7, a.Value.Version);
        Assert.Equal("light_switch", a.Category);
        Assert.Null(a.Name);
        Assert.Null(StreamId.New().Category);
    }

    [Fact]
    public void Equality_is_guid_and_category_but_not_name()
    {
        var guid = Guid.NewGuid();
        var a = new StreamId(guid, "c");
        var named = StreamId.FromName("n", "c");

        Assert.Equal(a, new StreamId(guid, "c"));
        Assert.True(a == new StreamId(guid, "c"));
        Assert.Equal(a.GetHashCode(), new StreamId(guid, "c").GetHashCode());
        Assert.NotEqual(a, new StreamId(guid, "d"));
        Assert.True(a != new StreamId(guid));
        Assert.NotEqual(a, new StreamId(Guid.NewGuid(), "c"));
        Assert.False(a.Equals((object)guid));
        Assert.Equal(named, new StreamId(named.Value, "c"));
        Assert.False(new StreamId(guid, "C") == new StreamId(guid, "c"));
    }

    [Fact]
    public void ToString_shows_category_and_guid()
    {
        var guid = Guid.NewGuid();

        Assert.Equal($"light_switch-{guid}", new StreamId(guid, "light_switch").ToString());
        Assert.Equal(guid.ToString(), new StreamId(guid).ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("slash/ed")]
    [InlineData("ünïcode")]
    [InlineData("new\nline")]
    public void Malformed_categories_are_rejected_naming_the_category(string category)
    {
        Assert.Equal("category", Assert.Throws<ArgumentException>(() => new StreamId(Guid.NewGuid(), category)).ParamName);
        Assert.Equal("category", Assert.Throws<ArgumentException>(() => StreamId.New(category)).ParamName);
        Assert.Equal("category", Assert.Throws<ArgumentException>(() => StreamId.FromName("x", category)).ParamName);
        Assert.Equal("category", Assert.Throws<ArgumentException>(() => StreamId.ValidateCategory(category)).ParamName);
    }

    [Fact]
    public void Categories_are_limited_to_100_characters()
    {
        var longest = new string('a', StreamId.MaxCategoryLength);

        Assert.Equal(longest, StreamId.New(longest).Category);
        Assert.Equal("category", Assert.Throws<ArgumentException>(() => StreamId.New(longest + "a")).ParamName);
    }

    [Theory]
    [InlineData("light_switch")]
    [InlineData("Orders-2024")]
    [InlineData("billing.invoice:v2")]
    [InlineData("a")]
    public void Well_formed_categories_are_accepted(string category)
    {
        Assert.Equal(category, new StreamId(Guid.NewGuid(), category).Category);
    }

    [Fact]
    public void The_empty_guid_is_rejected()
    {
        Assert.Equal("value", Assert.Throws<ArgumentException>(() => new StreamId(Guid.Empty)).ParamName);
    }

    [Fact]
    public async Task The_default_id_is_marked_default_and_rejected_by_stores()
    {
        var store = new InMemoryEventStore();

        Assert.True(default(StreamId).IsDefault);
        Assert.False(StreamId.New().IsDefault);
        var append = await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(default, [new StoreContract.TurnedOn()], ExpectedVersion.Any).AsTask());
        Assert.Equal("streamId", append.ParamName);
    }

    [Fact]
    public void A_name_that_UTF8_cannot_hold_is_rejected_rather_than_sharing_an_id_with_another_name()
    {
        // With a lone surrogate, "a\uD800" would hash (as UTF-8) like "a\uFFFD" and be stored as it.
        var ex = Assert.Throws<ArgumentException>(() => StreamId.FromName("a\uD800", "c"));
        Assert.Equal("name", ex.ParamName);
        Assert.Contains("index 1", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => StreamId.FromName("\uDC00x"));
        Assert.Equal("😀", StreamId.FromName("😀").Name); // a proper pair is fine
    }
}
