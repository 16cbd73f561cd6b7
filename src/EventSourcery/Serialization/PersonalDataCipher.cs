using System.Buffers;
using System.Buffers.Text;
using System.ComponentModel;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EventSourcery.PersonalData;

namespace EventSourcery.Serialization;

/// <summary>Writes a value as JSON (a generated codec's writer of an event's <see cref="PersonalDataAttribute"/> properties, or of its subject).</summary>
public delegate void JsonValueWriter<in T>(Utf8JsonWriter writer, T value);

/// <summary>
/// Seals and opens the <see cref="PersonalDataAttribute"/> properties of one event with its subject's key. The marked
/// properties are written as one JSON object, encrypted with AES-GCM under a fresh 96-bit nonce with the event's
/// stored name as associated data, and stored as the event's <c>"$pd"</c> property: a base64 string holding a
/// marker, the key's generation, the nonce, the tag and the ciphertext. One encryption per event, however many
/// properties are marked. Called by generated codecs; stores get one from <see cref="EventSerializer"/>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class PersonalDataCipher
{
    /// <summary>The JSON name of the property that holds an event's sealed personal data.</summary>
    public const string SealedPropertyName = "$pd";

    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int HeaderSize = 4 + 4 + NonceSize + TagSize;

    private static readonly JsonWriterOptions ScratchOptions = new() { SkipValidation = true };

    private readonly string? _eventName;
    private readonly string? _tenantId;
    private readonly string? _subject;
    private readonly PersonalDataKey? _key;
    private readonly bool _plain;

    // "{event name}/$pd" as UTF-8, made on the first Open (a remembered cipher opens a whole stream's events).
    private byte[]? _associatedData;

    private PersonalDataCipher(string? eventName, PersonalDataKey? key, bool plain, string? tenantId = null, string? subject = null)
    {
        _eventName = eventName;
        _tenantId = tenantId;
        _subject = subject;
        _key = key;
        _plain = plain;
    }

    // A marker ("PD" after 0xE5) and the format's version, before the generation (4 bytes, big-endian).
    private static ReadOnlySpan<byte> Marker => [0xE5, 0x50, 0x44, 0x01];

    /// <summary>
    /// No encryption: the marked properties are written as plain JSON properties of the event (what an event sent to a
    /// broker or over HTTP holds), and sealed personal data cannot be read (<see cref="Open"/> throws).
    /// </summary>
    public static PersonalDataCipher Plain { get; } = new(null, null, plain: true);

    /// <summary>
    /// The cipher of one event stored as <paramref name="eventName"/>, about <paramref name="subject"/> of
    /// <paramref name="tenantId"/>; a null key opens the event's personal data as masked (the subject was shredded).
    /// </summary>
    internal static PersonalDataCipher For(string eventName, PersonalDataKey? key, string? tenantId, string subject) => new(eventName, key, plain: false, tenantId, subject);

    /// <summary>
    /// Writes the marked properties of <paramref name="value"/> (<paramref name="writeProperties"/> writes each as a
    /// property name and value): sealed, as the <see cref="SealedPropertyName"/> property, or in plain text when this
    /// is <see cref="Plain"/>.
    /// </summary>
    public void WriteSealed<T>(Utf8JsonWriter writer, T value, JsonValueWriter<T> writeProperties)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(writeProperties);
        if (_plain)
        {
            writeProperties(writer, value);
            return;
        }

        var key = _key ?? throw new InvalidOperationException($"The personal data of '{_eventName}' belongs to a shredded subject and cannot be written.");
        var scratch = new ArrayBufferWriter<byte>(256);
        using (var scratchWriter = new Utf8JsonWriter(scratch, ScratchOptions))
        {
            scratchWriter.WriteStartObject();
            writeProperties(scratchWriter, value);
            scratchWriter.WriteEndObject();
        }

        var plaintext = scratch.WrittenSpan;
        var envelope = ArrayPool<byte>.Shared.Rent(HeaderSize + plaintext.Length);
        var aes = key.Rent();
        try
        {
            var span = envelope.AsSpan(0, HeaderSize + plaintext.Length);
            Marker.CopyTo(span);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(span[4..], key.Generation);
            var nonce = span.Slice(8, NonceSize);
            RandomNumberGenerator.Fill(nonce);
            aes.Encrypt(nonce, plaintext, span[HeaderSize..], span.Slice(8 + NonceSize, TagSize), AssociatedData(_eventName!, stackalloc byte[256]));
            writer.WritePropertyName("$pd"u8);
            writer.WriteBase64StringValue(span);
        }
        finally
        {
            key.Return(aes);
            CryptographicOperations.ZeroMemory(WrittenBytes(scratch));
            ArrayPool<byte>.Shared.Return(envelope);
        }
    }

    /// <summary>
    /// Opens the event's sealed personal data, the reader on the <see cref="SealedPropertyName"/> property's value: the
    /// JSON object of the marked properties, or <see cref="SealedPersonalData.IsMasked"/> when the subject's key of
    /// that generation was shredded. Dispose the result once read: it wipes and returns the plaintext's buffer.
    /// </summary>
    /// <exception cref="JsonException">The value is not sealed personal data, or it was changed or damaged (it does not authenticate with its key).</exception>
    /// <exception cref="InvalidOperationException">This is <see cref="Plain"/>: sealed data is read only through the store that wrote it.</exception>
    /// <exception cref="PersonalDataKeyNeededException">The data was sealed with a newer key than the one loaded.</exception>
    public SealedPersonalData Open(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"The sealed personal data of '{_eventName}' is not a string.");
        }

        if (_plain)
        {
            throw new InvalidOperationException("it holds sealed personal data, which only the store that wrote it can read (its key store holds the key).");
        }

        byte[]? rented = null;
        try
        {
            ReadOnlySpan<byte> envelope;
            if (!reader.ValueIsEscaped && !reader.HasValueSequence)
            {
                var text = reader.ValueSpan;
                rented = ArrayPool<byte>.Shared.Rent(Base64.GetMaxDecodedFromUtf8Length(text.Length));
                envelope = Base64.DecodeFromUtf8(text, rented, out _, out var decoded) == OperationStatus.Done ? rented.AsSpan(0, decoded) : default;
            }
            else
            {
                // Rewritten by other JSON code (a JSON upcaster), which may escape '+' and '/'.
                envelope = reader.TryGetBytesFromBase64(out var bytes) ? bytes : default;
            }

            if (envelope.Length < HeaderSize || !envelope[..4].SequenceEqual(Marker))
            {
                throw new JsonException($"The sealed personal data of '{_eventName}' is not in the format this version writes.");
            }

            return Decrypt(envelope);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private SealedPersonalData Decrypt(ReadOnlySpan<byte> envelope)
    {
        var generation = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(envelope[4..]);
        if (_key is null || generation < _key.Generation)
        {
            return default; // shredded: no key, or a key of a later generation than the data's
        }

        if (generation > _key.Generation)
        {
            throw new PersonalDataKeyNeededException(_tenantId, _subject ?? string.Empty); // renewed since it was loaded
        }

        var length = envelope.Length - HeaderSize;
        var plaintext = ArrayPool<byte>.Shared.Rent(length);
        var aes = _key.Rent();
        try
        {
            aes.Decrypt(envelope.Slice(8, NonceSize), envelope[HeaderSize..], envelope.Slice(8 + NonceSize, TagSize), plaintext.AsSpan(0, length), _associatedData ??= AssociatedData(_eventName!, stackalloc byte[256]).ToArray());
            return new SealedPersonalData(plaintext, length);
        }
        catch (CryptographicException ex)
        {
            ArrayPool<byte>.Shared.Return(plaintext, clearArray: true);
            throw new JsonException($"The sealed personal data of '{_eventName}' does not decrypt with its subject's key (generation {generation}): it was changed or damaged.", ex);
        }
        finally
        {
            _key.Return(aes);
        }
    }

    /// <summary>The written part of <paramref name="buffer"/>, writable, to wipe the plaintext from it.</summary>
    private static Span<byte> WrittenBytes(ArrayBufferWriter<byte> buffer)
        => System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(buffer.WrittenSpan), buffer.WrittenCount);

    /// <summary>"{event name}/$pd" as UTF-8, in <paramref name="buffer"/> when it fits.</summary>
    private static ReadOnlySpan<byte> AssociatedData(string eventName, Span<byte> buffer)
    {
        var length = Encoding.UTF8.GetByteCount(eventName) + 4;
        var target = length <= buffer.Length ? buffer[..length] : new byte[length];
        var written = Encoding.UTF8.GetBytes(eventName, target);
        "/$pd"u8.CopyTo(target[written..]);
        return target;
    }

    /// <summary>
    /// The text a subject's id is keyed by, from its JSON value in <paramref name="json"/> (the reader on it): a
    /// string's value, a number's or literal's text; for a strongly typed id stored as an object of one string or
    /// number (<c>{"value":"c-42"}</c>), that value (<c>c-42</c>); any other object or array as its JSON; null for null.
    /// </summary>
    internal static string? SubjectText(ReadOnlySpan<byte> json, ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                var start = checked((int)reader.TokenStartIndex);
                var wrapped = reader.TokenType == JsonTokenType.StartObject ? WrappedValue(reader) : null;
                reader.Skip();
                return wrapped ?? Encoding.UTF8.GetString(json[start..checked((int)reader.BytesConsumed)]);
            default:
                return Encoding.UTF8.GetString(reader.ValueSpan);
        }
    }

    /// <summary>The one string or number of an object that holds nothing else (a copy of the reader looks), or null.</summary>
    private static string? WrappedValue(Utf8JsonReader copy)
    {
        if (!copy.Read() || copy.TokenType != JsonTokenType.PropertyName || !copy.Read())
        {
            return null;
        }

        var value = copy.TokenType switch
        {
            JsonTokenType.String => copy.GetString(),
            JsonTokenType.Number => Encoding.UTF8.GetString(copy.ValueSpan),
            _ => null,
        };
        return value is not null && copy.Read() && copy.TokenType == JsonTokenType.EndObject ? value : null;
    }
}

/// <summary>
/// An event's opened personal data: the JSON object of its marked properties, or masked. Returned by
/// <see cref="PersonalDataCipher.Open"/> to generated code; disposing it wipes the plaintext.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct SealedPersonalData : IDisposable
{
    private readonly byte[]? _buffer;
    private readonly int _length;

    internal SealedPersonalData(byte[] buffer, int length)
    {
        _buffer = buffer;
        _length = length;
    }

    /// <summary>Whether the subject's key was shredded: every marked property reads as its mask.</summary>
    public bool IsMasked => _buffer is null;

    /// <summary>The marked properties as a JSON object (empty when masked).</summary>
    public ReadOnlySpan<byte> Json => _buffer is null ? default : _buffer.AsSpan(0, _length);

    /// <summary>Wipes the plaintext and returns its buffer.</summary>
    public void Dispose()
    {
        if (_buffer is not null)
        {
            CryptographicOperations.ZeroMemory(_buffer.AsSpan(0, _length));
            ArrayPool<byte>.Shared.Return(_buffer);
        }
    }
}
