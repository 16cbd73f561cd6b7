using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace EventSourcery.Relational.Schema;

/// <summary>
/// How values without a native SQLite type are stored as TEXT. The EF model's value converters and the store's SQL use
/// these same functions, so rows written either way read back alike.
/// </summary>
internal static class StoredValues
{
    /// <summary>Round-trip format: keeps every tick and the offset, and sorts chronologically for equal offsets (UTC).</summary>
    public static string FormatTime(DateTimeOffset value) => value.ToString("O", CultureInfo.InvariantCulture);

    /// <exception cref="FormatException">The text is not a round-trip timestamp.</exception>
    public static DateTimeOffset ParseTime(string text) => DateTimeOffset.ParseExact(text, "O", CultureInfo.InvariantCulture, DateTimeStyles.None);

    /// <summary>
    /// <see cref="ParseTime(string)"/> over the text's UTF-8 bytes: the round-trip form <see cref="FormatTime"/> writes
    /// is parsed in place; anything else goes through <see cref="ParseTime(string)"/>, so both accept the same text.
    /// </summary>
    /// <exception cref="FormatException">The text is not a round-trip timestamp.</exception>
    public static DateTimeOffset ParseTime(ReadOnlySpan<byte> utf8)
        => Utf8Parser.TryParse(utf8, out DateTimeOffset value, out var consumed, 'O') && consumed == utf8.Length
            ? value
            : ParseTime(Encoding.UTF8.GetString(utf8));

    /// <summary>
    /// An instant as UTC ticks, for the outbox's retry and lease times, which SQL compares: integers order exactly as
    /// the instants do, whatever offset the value was given with.
    /// </summary>
    public static long ToUtcTicks(DateTimeOffset value) => value.UtcTicks;

    /// <summary>The instant of <see cref="ToUtcTicks"/>, in UTC.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The number is not a valid tick count.</exception>
    public static DateTimeOffset FromUtcTicks(long ticks) => new(ticks, TimeSpan.Zero);

    /// <summary>Upper-case 'D' format, the way EF Core's SQLite provider stores a <see cref="Guid"/>.</summary>
    public static string FormatGuid(Guid value) => value.ToString("D").ToUpperInvariant();

    /// <exception cref="FormatException">The text is not a guid.</exception>
    public static Guid ParseGuid(string text) => Guid.Parse(text);

    /// <summary><see cref="ParseGuid(string)"/> over the text's UTF-8 bytes.</summary>
    /// <exception cref="FormatException">The text is not a guid.</exception>
    public static Guid ParseGuid(ReadOnlySpan<byte> utf8) => Guid.Parse(utf8);
}
