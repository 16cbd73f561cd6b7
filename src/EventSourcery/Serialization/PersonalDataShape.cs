using System.Buffers;
using System.ComponentModel;
using System.Text.Json;
using System.Text;
using EventSourcery.PersonalData;

namespace EventSourcery.Serialization;

/// <summary>Writes an event's own properties, its personal data through <paramref name="cipher"/>.</summary>
public delegate void ProtectedPayloadWriter(Utf8JsonWriter writer, Event @event, PersonalDataCipher cipher);

/// <summary>Reads an event like <see cref="EventPayloadReader"/>, its personal data through <paramref name="cipher"/>.</summary>
public delegate Event ProtectedPayloadReader(ref Utf8JsonReader reader, in EventHeader header, PersonalDataCipher cipher);

/// <summary>
/// The personal data of an event type (<see cref="EventType.PersonalData"/>): which properties are encrypted, which one
/// names their subject, and the generated codec that encrypts and decrypts them. Created by generated code.
/// </summary>
public sealed class PersonalDataShape
{
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    private readonly Func<Event, string?> _subjectOf;
    private readonly byte[]? _subjectJsonName;

    /// <summary>Describes an event type's personal data (normally called by generated code only).</summary>
    /// <param name="subjectProperty">The <see cref="DataSubjectAttribute"/> property, or null when the type declares none (its appends are refused).</param>
    /// <param name="subjectJsonName">That property's JSON name.</param>
    /// <param name="subjectOf">The subject's id as text, from an event (null when it is null).</param>
    /// <param name="properties">The <see cref="PersonalDataAttribute"/> properties, at least one.</param>
    /// <param name="write">The writer that encrypts them.</param>
    /// <param name="read">The reader that decrypts them.</param>
    public PersonalDataShape(string? subjectProperty, string? subjectJsonName, Func<Event, string?> subjectOf, IReadOnlyList<string> properties, ProtectedPayloadWriter write, ProtectedPayloadReader read)
    {
        ArgumentNullException.ThrowIfNull(properties);
        if (properties.Count == 0)
        {
            throw new ArgumentException("An event type with personal data has at least one personal data property.", nameof(properties));
        }

        if ((subjectProperty is null) != (subjectJsonName is null))
        {
            throw new ArgumentException("A subject property comes with its JSON name.", nameof(subjectJsonName));
        }

        SubjectProperty = subjectProperty;
        _subjectJsonName = subjectJsonName is null ? null : Encoding.UTF8.GetBytes(subjectJsonName);
        _subjectOf = subjectOf ?? throw new ArgumentNullException(nameof(subjectOf));
        Properties = properties;
        Write = write ?? throw new ArgumentNullException(nameof(write));
        Read = read ?? throw new ArgumentNullException(nameof(read));
    }

    /// <summary>The <see cref="DataSubjectAttribute"/> property, or null when the type declares none.</summary>
    public string? SubjectProperty { get; }

    /// <summary>The <see cref="PersonalDataAttribute"/> properties.</summary>
    public IReadOnlyList<string> Properties { get; }

    internal ProtectedPayloadWriter Write { get; }

    internal ProtectedPayloadReader Read { get; }

    /// <summary>The subject of <paramref name="event"/> as text, or null when it has none.</summary>
    public string? SubjectOf(Event @event) => SubjectProperty is null ? null : _subjectOf(@event);

    /// <summary>
    /// The subject of a stored payload as text (the same text <see cref="SubjectOf"/> gives for the event), or null
    /// when the payload holds none (an event stored before its type had personal data).
    /// </summary>
    /// <exception cref="JsonException">The payload is not a JSON object.</exception>
    public string? ReadSubject(ReadOnlySpan<byte> payload)
    {
        var reader = new Utf8JsonReader(payload);
        return SeekSubject(ref reader) ? PersonalDataCipher.SubjectText(payload, ref reader) : null;
    }

    /// <summary>Moves <paramref name="reader"/>, at the start of a payload, onto its subject's value; false when it holds none.</summary>
    /// <exception cref="JsonException">The payload is not a JSON object.</exception>
    internal bool SeekSubject(ref Utf8JsonReader reader)
    {
        if (_subjectJsonName is null)
        {
            return false;
        }

        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("The payload is not a JSON object.");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var match = reader.ValueTextEquals(_subjectJsonName);
            if (!reader.Read())
            {
                break;
            }

            if (match)
            {
                return true;
            }

            reader.Skip();
        }

        return false;
    }

    /// <summary>
    /// The text a subject of a type other than string and <see cref="Guid"/> is keyed by: its JSON as
    /// <paramref name="write"/> writes it, read back as <see cref="ReadSubject"/> reads it. Called by generated code.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static string? SubjectText<T>(T value, JsonValueWriter<T> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer, value);
        }

        var reader = new Utf8JsonReader(buffer.WrittenSpan);
        reader.Read();
        return PersonalDataCipher.SubjectText(buffer.WrittenSpan, ref reader);
    }
}
