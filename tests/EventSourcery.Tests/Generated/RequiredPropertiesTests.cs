using System.Text;
using EventSourcery.Serialization;

namespace EventSourcery.Tests.Generated;

/// <summary>64 properties the JSON must have: the most one presence mask holds.</summary>
public sealed record SixtyFourCounted(int P0, int P1, int P2, int P3, int P4, int P5, int P6, int P7, int P8, int P9, int P10, int P11, int P12, int P13, int P14, int P15, int P16, int P17, int P18, int P19, int P20, int P21, int P22, int P23, int P24, int P25, int P26, int P27, int P28, int P29, int P30, int P31, int P32, int P33, int P34, int P35, int P36, int P37, int P38, int P39, int P40, int P41, int P42, int P43, int P44, int P45, int P46, int P47, int P48, int P49, int P50, int P51, int P52, int P53, int P54, int P55, int P56, int P57, int P58, int P59, int P60, int P61, int P62, int P63) : Event;

/// <summary>65 properties the JSON must have: past one presence mask, so the reader keeps a flag per property.</summary>
public sealed record SixtyFiveCounted(int P0, int P1, int P2, int P3, int P4, int P5, int P6, int P7, int P8, int P9, int P10, int P11, int P12, int P13, int P14, int P15, int P16, int P17, int P18, int P19, int P20, int P21, int P22, int P23, int P24, int P25, int P26, int P27, int P28, int P29, int P30, int P31, int P32, int P33, int P34, int P35, int P36, int P37, int P38, int P39, int P40, int P41, int P42, int P43, int P44, int P45, int P46, int P47, int P48, int P49, int P50, int P51, int P52, int P53, int P54, int P55, int P56, int P57, int P58, int P59, int P60, int P61, int P62, int P63, int P64) : Event;

/// <summary>A reader names the first property missing, whether it keeps presence in a mask (up to 64 properties) or in flags.</summary>
public sealed class RequiredPropertiesTests
{
    private static readonly EventSerializer Serializer = new(EventRegistry.Default);

    private static string Payload(int count, int? without)
        => "{" + string.Join(",", Enumerable.Range(0, count).Where(i => i != without).Select(i => $"\"p{i}\":{i}")) + "}";

    private static Event Read(string name, string payload)
        => Serializer.Deserialize(StreamId.New("s"), 1, 1, name, Encoding.UTF8.GetBytes(payload), Guid.NewGuid(), DateTimeOffset.UnixEpoch, default);

    [Theory]
    [InlineData(nameof(SixtyFourCounted), 64, 0)]
    [InlineData(nameof(SixtyFourCounted), 64, 31)]
    [InlineData(nameof(SixtyFourCounted), 64, 32)]
    [InlineData(nameof(SixtyFourCounted), 64, 63)]
    [InlineData(nameof(SixtyFiveCounted), 65, 0)]
    [InlineData(nameof(SixtyFiveCounted), 65, 63)]
    [InlineData(nameof(SixtyFiveCounted), 65, 64)]
    public void A_missing_property_is_named(string name, int count, int missing)
    {
        var error = Assert.Throws<EventReadException>(() => Read(name, Payload(count, missing)));

        Assert.Contains($"has no 'p{missing}', which has no default value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Of_several_missing_the_first_is_named()
    {
        var error = Assert.Throws<EventReadException>(() => Read(nameof(SixtyFourCounted), "{\"p0\":0,\"p1\":1}"));

        Assert.Contains("has no 'p2'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_property_present_reads_in_any_order()
    {
        var reversed = "{" + string.Join(",", Enumerable.Range(0, 65).Reverse().Select(i => $"\"p{i}\":{i}")) + "}";

        var inOrder = (SixtyFourCounted)Read(nameof(SixtyFourCounted), Payload(64, null));
        var outOfOrder = (SixtyFiveCounted)Read(nameof(SixtyFiveCounted), reversed);

        Assert.Equal((0, 63), (inOrder.P0, inOrder.P63));
        Assert.Equal((0, 64), (outOfOrder.P0, outOfOrder.P64));
    }

    [Fact]
    public void The_check_names_a_property_by_its_bit_in_the_table()
    {
        ReadOnlySpan<byte> names = "\u0001a\u0002bb\u0003ccc"u8;
        JsonPrimitives.RequireProperties("T", names, present: 0b101, required: 0b101);
        JsonPrimitives.RequireProperties("T", names, present: 0b111, required: 0b001);

        var error = Assert.Throws<System.Text.Json.JsonException>(() => JsonPrimitives.RequireProperties("T", "\u0001a\u0002bb\u0003ccc"u8, present: 0b001, required: 0b110));
        Assert.Equal("The JSON of T has no 'bb', which has no default value.", error.Message);
    }
}
