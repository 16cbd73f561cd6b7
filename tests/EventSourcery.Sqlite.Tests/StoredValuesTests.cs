using System.Text;
using EventSourcery.Relational.Schema;

namespace EventSourcery.Sqlite.Tests;

/// <summary>
/// The UTF-8 parsers a load uses for stored ids and times accept exactly the text the string parsers accept, and read it
/// as the same value, so a row reads alike through every path.
/// </summary>
public sealed class StoredValuesTests
{
    public static TheoryData<string> Times => new()
    {
        StoredValues.FormatTime(new DateTimeOffset(2024, 2, 29, 13, 14, 15, TimeSpan.FromMinutes(330)).AddTicks(9_876_543)),
        StoredValues.FormatTime(new DateTimeOffset(1, 1, 1, 14, 0, 0, TimeSpan.FromHours(14))),
        StoredValues.FormatTime(new DateTimeOffset(9999, 12, 31, 0, 59, 59, TimeSpan.FromHours(-14)).AddTicks(9_999_999)),
        StoredValues.FormatTime(DateTimeOffset.UtcNow),
        "2024-02-29T13:14:15.9876543Z",
        "2024-02-29T13:14:15.9876543",
        "2024-02-29T13:14:15+01:00",
        "2024-02-29T13:14:15.9876543+01:00 ",
        "yesterday",
        "",
    };

    [Theory]
    [MemberData(nameof(Times))]
    public void A_time_parses_from_UTF8_as_from_a_string(string text)
    {
        var expected = Record(() => StoredValues.ParseTime(text));
        var actual = Record(() => StoredValues.ParseTime(Encoding.UTF8.GetBytes(text)));

        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("0F8FAD5B-D9CB-469F-A165-70867728950E")]
    [InlineData("0f8fad5b-d9cb-469f-a165-70867728950e")]
    [InlineData("{0F8FAD5B-D9CB-469F-A165-70867728950E}")]
    [InlineData("0F8FAD5BD9CB469FA16570867728950E")]
    [InlineData("not-a-guid")]
    [InlineData("")]
    public void A_guid_parses_from_UTF8_as_from_a_string(string text)
    {
        var expected = Record(() => StoredValues.ParseGuid(text));
        var actual = Record(() => StoredValues.ParseGuid(Encoding.UTF8.GetBytes(text)));

        Assert.Equal(expected, actual);
    }

    /// <summary>The value with its offset and ticks, or the type of the exception.</summary>
    private static string Record<T>(Func<T> parse)
    {
        try
        {
            return parse() is DateTimeOffset time ? $"{time.Ticks} {time.Offset}" : parse()!.ToString()!;
        }
        catch (Exception ex)
        {
            return ex.GetType().Name;
        }
    }
}
