using EventSourcery.Relational.Schema;

namespace EventSourcery.Relational.Storage;

/// <summary>
/// A stored id or time as its provider reads it most cheaply: text as a string (SQLite, whose driver decodes text faster
/// than it copies it out as bytes) or as UTF-8 bytes, parsed through <see cref="StoredValues"/>; or the value itself,
/// from a column of a native type (PostgreSQL's <c>uuid</c> and <c>timestamptz</c>). Kept raw until the row is
/// materialized, so that a damaged value fails at its row, which is then named.
/// </summary>
internal readonly struct StoredValue
{
    private readonly object? _text;
    private readonly Guid _guid;
    private readonly DateTimeOffset _time;
    private readonly Kind _kind;

    private StoredValue(object? text)
    {
        _text = text;
        _kind = text is null ? Kind.Null : Kind.Text;
    }

    private StoredValue(Guid value)
    {
        _guid = value;
        _kind = Kind.Guid;
    }

    private StoredValue(DateTimeOffset value)
    {
        _time = value;
        _kind = Kind.Time;
    }

    private StoredValue(Kind kind, string reason)
    {
        _text = reason;
        _kind = kind;
    }

    private enum Kind : byte
    {
        Null,
        Text,
        Guid,
        Time,
        Invalid,
    }

    /// <summary>Whether the column was NULL.</summary>
    public bool IsNull => _kind == Kind.Null;

    public static implicit operator StoredValue(string? text) => new(text);

    /// <summary>A value the provider found damaged while reading it: parsing it fails with <paramref name="reason"/>.</summary>
    public static StoredValue Invalid(string reason) => new(Kind.Invalid, reason);

    public static implicit operator StoredValue(byte[]? utf8) => new(utf8);

    public static implicit operator StoredValue(Guid value) => new(value);

    public static implicit operator StoredValue(DateTimeOffset value) => new(value);

    /// <exception cref="FormatException">The value is NULL, a time, or text that is not a guid.</exception>
    public Guid ParseGuid(string whatIsMissing) => _kind switch
    {
        Kind.Guid => _guid,
        Kind.Text => _text is string text ? StoredValues.ParseGuid(text) : StoredValues.ParseGuid((byte[])_text!),
        Kind.Null => throw new FormatException(whatIsMissing),
        Kind.Invalid => throw new FormatException((string)_text!),
        _ => throw new FormatException("a time is stored where a guid belongs."),
    };

    /// <exception cref="FormatException">The value is NULL, a guid, or text that is not a round-trip timestamp.</exception>
    public DateTimeOffset ParseTime(string whatIsMissing) => _kind switch
    {
        Kind.Time => _time,
        Kind.Text => _text is string text ? StoredValues.ParseTime(text) : StoredValues.ParseTime((byte[])_text!),
        Kind.Null => throw new FormatException(whatIsMissing),
        Kind.Invalid => throw new FormatException((string)_text!),
        _ => throw new FormatException("a guid is stored where a time belongs."),
    };

    /// <summary>The guid, or null when the value is NULL or cannot be read as one.</summary>
    public Guid? TryParseGuid()
    {
        if (_kind == Kind.Null)
        {
            return null;
        }

        try
        {
            return ParseGuid("");
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The time, or null when the value is NULL or cannot be read as one.</summary>
    public DateTimeOffset? TryParseTime()
    {
        if (_kind == Kind.Null)
        {
            return null;
        }

        try
        {
            return ParseTime("");
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
