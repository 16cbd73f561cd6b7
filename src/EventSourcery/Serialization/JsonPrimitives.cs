using System.ComponentModel;
using System.Globalization;
using System.Text.Json;

namespace EventSourcery.Serialization;

/// <summary>
/// Reading and writing of the values Utf8JsonWriter/Utf8JsonReader do not handle directly, and the errors generated
/// codecs throw. Called by generated code; not meant for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class JsonPrimitives
{
    /// <summary>Writes a char as a one-character string.</summary>
    public static void WriteChar(Utf8JsonWriter writer, char value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<char> buffer = [value];
        writer.WriteStringValue(buffer);
    }

    /// <summary>Reads a one-character string.</summary>
    public static char ReadChar(ref Utf8JsonReader reader)
    {
        var text = reader.GetString();
        return text is { Length: 1 } ? text[0] : throw new JsonException($"Expected a one-character string but found '{text}'.");
    }

    /// <summary>Writes a DateOnly as <c>yyyy-MM-dd</c>.</summary>
    public static void WriteDateOnly(Utf8JsonWriter writer, DateOnly value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<char> buffer = stackalloc char[16];
        value.TryFormat(buffer, out var written, "O", CultureInfo.InvariantCulture);
        writer.WriteStringValue(buffer[..written]);
    }

    /// <summary>Reads a DateOnly written as <c>yyyy-MM-dd</c>.</summary>
    public static DateOnly ReadDateOnly(ref Utf8JsonReader reader)
        => DateOnly.ParseExact(reader.GetString() ?? string.Empty, "O", CultureInfo.InvariantCulture);

    /// <summary>Writes a TimeOnly as <c>HH:mm:ss.fffffff</c> (exact to the tick).</summary>
    public static void WriteTimeOnly(Utf8JsonWriter writer, TimeOnly value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<char> buffer = stackalloc char[24];
        value.TryFormat(buffer, out var written, "O", CultureInfo.InvariantCulture);
        writer.WriteStringValue(buffer[..written]);
    }

    /// <summary>Reads a TimeOnly written as <c>HH:mm:ss.fffffff</c>.</summary>
    public static TimeOnly ReadTimeOnly(ref Utf8JsonReader reader)
        => TimeOnly.ParseExact(reader.GetString() ?? string.Empty, "O", CultureInfo.InvariantCulture);

    /// <summary>Writes a TimeSpan in the constant (<c>c</c>) format.</summary>
    public static void WriteTimeSpan(Utf8JsonWriter writer, TimeSpan value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<char> buffer = stackalloc char[32];
        value.TryFormat(buffer, out var written, "c", CultureInfo.InvariantCulture);
        writer.WriteStringValue(buffer[..written]);
    }

    /// <summary>Reads a TimeSpan written in the constant (<c>c</c>) format.</summary>
    public static TimeSpan ReadTimeSpan(ref Utf8JsonReader reader)
        => TimeSpan.ParseExact(reader.GetString() ?? string.Empty, "c", CultureInfo.InvariantCulture);

    /// <summary>Writes a Uri as its original string.</summary>
    public static void WriteUri(Utf8JsonWriter writer, Uri value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStringValue(value.OriginalString);
    }

    /// <summary>Reads a Uri, absolute or relative.</summary>
    public static Uri ReadUri(ref Utf8JsonReader reader)
        => new(reader.GetString() ?? string.Empty, UriKind.RelativeOrAbsolute);

    /// <summary>Reads a dictionary key (a property name) as an Int32.</summary>
    public static int ReadInt32Key(ref Utf8JsonReader reader)
        => int.Parse(reader.GetString() ?? string.Empty, NumberStyles.Integer, CultureInfo.InvariantCulture);

    /// <summary>Reads a dictionary key (a property name) as an Int64.</summary>
    public static long ReadInt64Key(ref Utf8JsonReader reader)
        => long.Parse(reader.GetString() ?? string.Empty, NumberStyles.Integer, CultureInfo.InvariantCulture);

    /// <summary>Reads a dictionary key (a property name) as a Guid.</summary>
    public static Guid ReadGuidKey(ref Utf8JsonReader reader) => Guid.Parse(reader.GetString() ?? string.Empty);

    /// <summary>Formats an Int32 dictionary key.</summary>
    public static string Key(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Formats an Int64 dictionary key.</summary>
    public static string Key(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Formats a Guid dictionary key.</summary>
    public static string Key(Guid value) => value.ToString("D");

    /// <summary>Formats a string dictionary key.</summary>
    public static string Key(string value) => value;

    /// <summary>The reader is not on the token a value of <paramref name="typeName"/> starts with.</summary>
    public static JsonException UnexpectedToken(string typeName, JsonTokenType expected, JsonTokenType found)
        => new($"Expected {expected} for {typeName} but found {found}.");

    /// <summary>The JSON ended inside a value of <paramref name="typeName"/>.</summary>
    public static JsonException Incomplete(string typeName) => new($"The JSON ended inside a {typeName}.");

    /// <summary>A null was found where <paramref name="typeName"/> (a value type) was expected.</summary>
    public static JsonException NullValue(string typeName) => new($"Null is not a valid {typeName}.");

    /// <summary>Whether <paramref name="exception"/> is what reading malformed JSON throws (and worth naming the property for).</summary>
    public static bool IsReadError(Exception exception)
        => exception is JsonException or InvalidOperationException or FormatException or OverflowException;

    /// <summary>Reading property <paramref name="propertyName"/> of <paramref name="typeName"/> failed.</summary>
    public static JsonException InvalidProperty(string typeName, string propertyName, Exception inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        return new($"'{propertyName}' of {typeName}: {inner.Message}", inner);
    }

    /// <summary>A property that <paramref name="typeName"/> cannot do without is missing from the JSON.</summary>
    public static JsonException MissingProperty(string typeName, string propertyName)
        => new($"The JSON of {typeName} has no '{propertyName}', which has no default value.");

    /// <summary>An enum name that <paramref name="typeName"/> does not have.</summary>
    public static JsonException UnknownEnumMember(string typeName, string? name) => new($"'{name}' is not a member of {typeName}.");
}
