using EventSourcery.Relational.Schema;

namespace EventSourcery.Relational.Storage;

/// <summary>
/// A stored text value as its provider reads it most cheaply: a string (SQLite, whose driver decodes text faster than it
/// copies it out as bytes) or the text's UTF-8 bytes (PostgreSQL, where bytes skip a string per value). Either parses
/// to the same value through <see cref="StoredValues"/>.
/// </summary>
internal readonly struct StoredText
{
    private readonly object? _value;

    private StoredText(object? value) => _value = value;

    /// <summary>Whether the column was NULL.</summary>
    public bool IsNull => _value is null;

    public static implicit operator StoredText(string? text) => new(text);

    public static implicit operator StoredText(byte[]? utf8) => new(utf8);

    /// <exception cref="FormatException">The value is NULL or not a guid.</exception>
    public Guid ParseGuid(string whatIsMissing) => _value switch
    {
        string text => StoredValues.ParseGuid(text),
        byte[] utf8 => StoredValues.ParseGuid(utf8),
        _ => throw new FormatException(whatIsMissing),
    };

    /// <exception cref="FormatException">The value is NULL or not a round-trip timestamp.</exception>
    public DateTimeOffset ParseTime(string whatIsMissing) => _value switch
    {
        string text => StoredValues.ParseTime(text),
        byte[] utf8 => StoredValues.ParseTime(utf8),
        _ => throw new FormatException(whatIsMissing),
    };
}
