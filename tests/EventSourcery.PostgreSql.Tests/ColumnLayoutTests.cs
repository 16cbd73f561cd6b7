using EventSourcery.Relational.Schema;

namespace EventSourcery.PostgreSql.Tests;

/// <summary>
/// An event's creation time split into PostgreSQL's three columns (the instant to the microsecond, the ticks below it,
/// the offset) joins back to exactly the value it was, and columns out of range fail naming the column.
/// </summary>
public sealed class ColumnLayoutTests
{
    public static TheoryData<DateTimeOffset> Times => new()
    {
        new DateTimeOffset(2024, 2, 29, 13, 14, 15, TimeSpan.FromMinutes(330)).AddTicks(9_876_543),
        new DateTimeOffset(2024, 2, 29, 23, 59, 59, TimeSpan.FromMinutes(-570)).AddTicks(1_234_567),
        DateTimeOffset.MinValue,
        DateTimeOffset.MaxValue,
        new DateTimeOffset(1, 1, 1, 14, 0, 0, TimeSpan.FromHours(14)),
        new DateTimeOffset(9999, 12, 31, 0, 59, 59, TimeSpan.FromHours(-14)).AddTicks(9_999_999),
        DateTimeOffset.UnixEpoch,
    };

    [Theory]
    [MemberData(nameof(Times))]
    public void A_time_split_into_the_columns_joins_back_to_the_tick_and_offset(DateTimeOffset time)
    {
        var instant = ColumnLayout.Instant(time);

        var joined = ColumnLayout.Join(instant, ColumnLayout.TicksBelowMicrosecond(time), ColumnLayout.OffsetMinutes(time));

        Assert.Equal(DateTimeKind.Utc, instant.Kind);
        Assert.Equal(0, instant.Ticks % 10);
        Assert.Equal((time.Ticks, time.Offset), (joined.Ticks, joined.Offset));
    }

    [Theory]
    [InlineData(10, 0, "created_at_ticks is 10")]
    [InlineData(-1, 0, "created_at_ticks is -1")]
    [InlineData(0, 841, "created_at_offset is 841")]
    [InlineData(0, -900, "created_at_offset is -900")]
    public void Columns_out_of_range_fail_naming_the_column(short ticks, short offset, string message)
    {
        var error = Assert.Throws<FormatException>(() => ColumnLayout.Join(new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc), ticks, offset));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_time_past_the_range_of_DateTimeOffset_fails_as_a_format_error()
    {
        var error = Assert.Throws<FormatException>(() => ColumnLayout.Join(DateTime.MaxValue.AddTicks(-9), 9, 60));

        Assert.Contains("out of range", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_store_assigned_instant_keeps_what_the_column_keeps()
    {
        var now = new DateTimeOffset(2024, 2, 29, 13, 14, 15, TimeSpan.FromHours(2)).AddTicks(1_234_567);

        var stored = ColumnLayout.ToMicroseconds(now);

        Assert.Equal(TimeSpan.Zero, stored.Offset);
        Assert.Equal(now.UtcTicks - 7, stored.UtcTicks);
    }
}
