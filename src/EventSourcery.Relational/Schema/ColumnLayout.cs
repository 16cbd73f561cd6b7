using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EventSourcery.Relational.Schema;

/// <summary>
/// How the store's tables hold ids and times for the provider a model is built for: as round-trip text (SQLite, which
/// has no such types; <see cref="StoredValues"/>), or natively (PostgreSQL: <c>uuid</c>, <c>timestamptz</c>, and two
/// small columns that make an event's creation time exact).
/// </summary>
internal static class ColumnLayout
{
    /// <summary>The ticks (100 ns) of an event's creation time below the microsecond <c>created_at</c> keeps: 0 to 9.</summary>
    public const string CreatedAtTicks = "created_at_ticks";

    /// <summary>The offset from UTC an event's creation time was given with, in minutes: -840 to 840.</summary>
    public const string CreatedAtOffset = "created_at_offset";

    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1000;

    // Set on every model by the Npgsql provider's conventions as the model is initialized, before OnModelCreating runs.
    private const string NpgsqlModelAnnotation = "Npgsql:ValueGenerationStrategy";

    /// <summary>Whether the model is built for PostgreSQL (Npgsql's EF Core provider), whose tables hold ids and times natively.</summary>
    public static bool IsNative(ModelBuilder modelBuilder) => modelBuilder.Model.FindAnnotation(NpgsqlModelAnnotation) is not null;

    /// <summary>The columns that make a native <c>created_at</c> exact, as shadow properties (the entity has no use for them).</summary>
    public static void AddExactTimeColumns<T>(EntityTypeBuilder<T> entity, bool native)
        where T : class
    {
        if (native)
        {
            entity.Property<short>(CreatedAtTicks).HasColumnName(CreatedAtTicks).HasDefaultValue((short)0);
            entity.Property<short>(CreatedAtOffset).HasColumnName(CreatedAtOffset).HasDefaultValue((short)0);
        }
    }

    /// <summary>The instant a native time column keeps: UTC, to the microsecond (the ticks below it are cut).</summary>
    public static DateTime Instant(DateTimeOffset value) => new(value.UtcTicks - (value.UtcTicks % TicksPerMicrosecond), DateTimeKind.Utc);

    /// <summary>What <see cref="CreatedAtTicks"/> keeps of <paramref name="value"/>: its ticks below the microsecond.</summary>
    public static short TicksBelowMicrosecond(DateTimeOffset value) => (short)(value.UtcTicks % TicksPerMicrosecond);

    /// <summary>What <see cref="CreatedAtOffset"/> keeps of <paramref name="value"/>: its offset in whole minutes (all an offset has).</summary>
    public static short OffsetMinutes(DateTimeOffset value) => (short)(value.Offset.Ticks / TimeSpan.TicksPerMinute);

    /// <summary>A store-assigned instant as a native column keeps it, so that what the store returns is what it reads back.</summary>
    public static DateTimeOffset ToMicroseconds(DateTimeOffset value) => new(Instant(value));

    /// <summary>
    /// An event's creation time from its three native columns: the instant (<paramref name="utc"/>, to the microsecond),
    /// the ticks below it and the offset, exactly as <see cref="Instant"/>, <see cref="TicksBelowMicrosecond"/> and
    /// <see cref="OffsetMinutes"/> split it.
    /// </summary>
    /// <exception cref="FormatException">The ticks are not 0 to 9, or the offset or the time is out of range.</exception>
    public static DateTimeOffset Join(DateTime utc, short ticks, short offsetMinutes)
    {
        if (ticks is < 0 or >= (short)TicksPerMicrosecond)
        {
            throw new FormatException($"{CreatedAtTicks} is {ticks}, not 0 to 9.");
        }

        if (offsetMinutes is < -840 or > 840)
        {
            throw new FormatException($"{CreatedAtOffset} is {offsetMinutes}, not -840 to 840 minutes.");
        }

        try
        {
            return new DateTimeOffset(utc.Ticks + ticks, TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(offsetMinutes));
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new FormatException($"the creation time {utc:O} with offset {offsetMinutes} minutes is out of range.", ex);
        }
    }

}
