using System.Runtime.CompilerServices;
using EventSourcery.Relational.Schema;

namespace EventSourcery.Relational.Storage;

/// <summary>
/// A stored id or time as its provider reads it most cheaply: text as a string (SQLite, whose driver decodes text faster
/// than it copies it out as bytes) or as UTF-8 bytes, parsed through <see cref="StoredValues"/>; or the value itself,
/// from a column of a native type (PostgreSQL's <c>uuid</c> and <c>timestamptz</c>). Kept raw until the row is
/// materialized, so that a damaged value fails at its row, which is then named. 24 bytes: a reference (the text, or
/// what the two numbers hold) and 16 bytes of value.
/// </summary>
internal readonly struct StoredValue
{
    // What _first and _second hold when _ref is not text: fixed, immutable markers.
    private static readonly object GuidMarker = new();
    private static readonly object TimeMarker = new();

    private readonly object? _ref;
    private readonly long _first;
    private readonly long _second;

    private StoredValue(object? reference, long first = 0, long second = 0)
    {
        _ref = reference;
        _first = first;
        _second = second;
    }

    /// <summary>Whether the column was NULL.</summary>
    public bool IsNull => _ref is null;

    public static implicit operator StoredValue(string? text) => new(text);

    public static implicit operator StoredValue(byte[]? utf8) => new(utf8);

    public static implicit operator StoredValue(Guid value)
    {
        var (first, second) = Unsafe.BitCast<Guid, (long, long)>(value);
        return new(GuidMarker, first, second);
    }

    /// <summary>The time as its clock ticks and offset (in minutes, all an offset has).</summary>
    public static implicit operator StoredValue(DateTimeOffset value) => new(TimeMarker, value.Ticks, value.Offset.Ticks / TimeSpan.TicksPerMinute);

    /// <summary>A value the provider found damaged while reading it: parsing it fails with <paramref name="reason"/>.</summary>
    public static StoredValue Invalid(string reason) => new(new Damaged(reason));

    /// <exception cref="FormatException">The value is NULL, a time, or text that is not a guid.</exception>
    public Guid ParseGuid(string whatIsMissing) => _ref switch
    {
        _ when ReferenceEquals(_ref, GuidMarker) => Unsafe.BitCast<(long, long), Guid>((_first, _second)),
        string text => StoredValues.ParseGuid(text),
        byte[] utf8 => StoredValues.ParseGuid(utf8),
        null => throw new FormatException(whatIsMissing),
        Damaged damaged => throw new FormatException(damaged.Reason),
        _ => throw new FormatException("a time is stored where a guid belongs."),
    };

    /// <exception cref="FormatException">The value is NULL, a guid, or text that is not a round-trip timestamp.</exception>
    public DateTimeOffset ParseTime(string whatIsMissing) => _ref switch
    {
        _ when ReferenceEquals(_ref, TimeMarker) => new DateTimeOffset(_first, TimeSpan.FromMinutes(_second)),
        string text => StoredValues.ParseTime(text),
        byte[] utf8 => StoredValues.ParseTime(utf8),
        null => throw new FormatException(whatIsMissing),
        Damaged damaged => throw new FormatException(damaged.Reason),
        _ => throw new FormatException("a guid is stored where a time belongs."),
    };

    /// <summary>The guid, or null when the value is NULL or cannot be read as one.</summary>
    public Guid? TryParseGuid()
    {
        try
        {
            return IsNull ? null : ParseGuid("");
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The time, or null when the value is NULL or cannot be read as one.</summary>
    public DateTimeOffset? TryParseTime()
    {
        try
        {
            return IsNull ? null : ParseTime("");
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private sealed record Damaged(string Reason);
}
