using System.Buffers;
using System.Buffers.Text;
using System.ComponentModel;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text;
using EventSourcery.PersonalData;

namespace EventSourcery.Serialization;

/// <summary>Writes one value as JSON (a generated codec's writer of a <see cref="PersonalDataAttribute"/> property).</summary>
public delegate void JsonValueWriter<in T>(Utf8JsonWriter writer, T value);

/// <summary>Reads one value from JSON, the reader on its first token (a generated codec's reader of a <see cref="PersonalDataAttribute"/> property).</summary>
public delegate T JsonValueReader<out T>(ref Utf8JsonReader reader);

/// <summary>
/// Encrypts and decrypts the <see cref="PersonalDataAttribute"/> properties of one event with its subject's key:
/// AES-GCM, a fresh 96-bit nonce per value, the event's stored name and the property's JSON name bound as associated
/// data. A value is stored as a base64 JSON string holding a marker, the key's generation, the nonce, the tag and the
/// ciphertext of the value's JSON. Called by generated codecs; stores get one from <see cref="EventSourcery.Serialization.EventSerializer"/>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class PersonalDataCipher
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    // A marker ("PD" after 0xE5) and a format version, then the generation (4 bytes, big-endian).
    private static ReadOnlySpan<byte> Marker => [0xE5, 0x50, 0x44, 0x01];

    // The marker's first three bytes in base64: how a stored string that holds an encrypted value starts.
    private static ReadOnlySpan<byte> MarkerBase64 => "5VBE"u8;

    private const int HeaderSize = 4 + 4 + NonceSize + TagSize;

    private static readonly JsonWriterOptions ScratchOptions = new() { SkipValidation = true };

    private readonly string? _eventName;
    private readonly string? _tenantId;
    private readonly string? _subject;
    private readonly PersonalDataKey? _key;
    private readonly bool _plain;
    private AesGcm? _aes; // rented from the key
    private PersonalDataKey? _aesKey;
    private ArrayBufferWriter<byte>? _scratch;
    private Utf8JsonWriter? _scratchWriter;

    private PersonalDataCipher(string? eventName, PersonalDataKey? key, bool plain, string? tenantId = null, string? subject = null)
    {
        _eventName = eventName;
        _tenantId = tenantId;
        _subject = subject;
        _key = key;
        _plain = plain;
    }

    /// <summary>
    /// No encryption: values are written as plain JSON (what an event sent to a broker or over HTTP holds), and a
    /// value stored encrypted cannot be read (its reader throws, naming the property).
    /// </summary>
    public static PersonalDataCipher Plain { get; } = new(null, null, plain: true);

    /// <summary>
    /// The cipher of one event stored as <paramref name="eventName"/>, about <paramref name="subject"/> of
    /// <paramref name="tenantId"/>; a null key reads every encrypted value as its mask (the subject was shredded).
    /// </summary>
    internal static PersonalDataCipher For(string eventName, PersonalDataKey? key, string? tenantId, string subject) => new(eventName, key, plain: false, tenantId, subject);

    /// <summary>Writes <paramref name="value"/> of property <paramref name="jsonName"/>, encrypted unless this is <see cref="Plain"/>.</summary>
    public void Write<T>(Utf8JsonWriter writer, T value, string jsonName, JsonValueWriter<T> write)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(write);
        if (_plain)
        {
            write(writer, value);
            return;
        }

        var key = _key ?? throw new InvalidOperationException($"Property '{jsonName}' of '{_eventName}' is personal data of a shredded subject and cannot be written.");
        var scratch = _scratch ??= new ArrayBufferWriter<byte>(128);
        var scratchWriter = _scratchWriter ??= new Utf8JsonWriter(scratch, ScratchOptions);
        scratchWriter.Reset(scratch);
        write(scratchWriter, value);
        scratchWriter.Flush();
        var plaintext = scratch.WrittenSpan;

        var envelope = ArrayPool<byte>.Shared.Rent(HeaderSize + plaintext.Length);
        try
        {
            var span = envelope.AsSpan(0, HeaderSize + plaintext.Length);
            Marker.CopyTo(span);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(span[4..], key.Generation);
            var nonce = span.Slice(8, NonceSize);
            var tag = span.Slice(8 + NonceSize, TagSize);
            RandomNumberGenerator.Fill(nonce);
            Aes(key).Encrypt(nonce, plaintext, span[HeaderSize..], tag, AssociatedData(_eventName!, jsonName, stackalloc byte[256]));
            writer.WriteBase64StringValue(span);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(WrittenBytes(scratch));
            scratch.ResetWrittenCount();
            ArrayPool<byte>.Shared.Return(envelope);
        }
    }

    /// <summary>
    /// Reads property <paramref name="jsonName"/>: decrypted when stored encrypted, <paramref name="mask"/> when its key
    /// was shredded, and as plain JSON when stored before the property was marked.
    /// </summary>
    /// <exception cref="JsonException">The value was changed or damaged (it does not authenticate with its key).</exception>
    /// <exception cref="InvalidOperationException">This is <see cref="Plain"/> and the value is encrypted.</exception>
    /// <exception cref="PersonalDataKeyNeededException">The value was encrypted with a newer key than the one loaded.</exception>
    public T Read<T>(ref Utf8JsonReader reader, string jsonName, JsonValueReader<T> read, T mask)
    {
        ArgumentNullException.ThrowIfNull(read);

        // An encrypted value is a base64 string starting with the marker; one rewritten by other JSON code (a JSON
        // upcaster) may have its '+' and '/' escaped, so an escaped string is unescaped before it is looked at.
        if (reader.TokenType != JsonTokenType.String || (!reader.ValueIsEscaped && !reader.HasValueSequence && !reader.ValueSpan.StartsWith(MarkerBase64)))
        {
            return read(ref reader); // plain JSON: stored before the property was marked
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
                envelope = reader.TryGetBytesFromBase64(out var bytes) ? bytes : default;
            }

            if (envelope.Length < HeaderSize || !envelope[..4].SequenceEqual(Marker))
            {
                return read(ref reader); // plain text that only looks like a value of ours
            }

            return Decrypt(envelope, jsonName, read, mask);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private T Decrypt<T>(ReadOnlySpan<byte> envelope, string jsonName, JsonValueReader<T> read, T mask)
    {
        if (_plain)
        {
            throw new InvalidOperationException($"it holds encrypted personal data ('{jsonName}'), which only the store that wrote it can read (its key store holds the key).");
        }

        var generation = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(envelope[4..]);
        if (_key is null || generation < _key.Generation)
        {
            return mask; // shredded: no key, or a key of a later generation than the value's
        }

        if (generation > _key.Generation)
        {
            throw new PersonalDataKeyNeededException(_tenantId, _subject ?? string.Empty); // renewed since it was loaded
        }

        var length = envelope.Length - HeaderSize;
        var plaintext = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            try
            {
                Aes(_key).Decrypt(envelope.Slice(8, NonceSize), envelope[HeaderSize..], envelope.Slice(8 + NonceSize, TagSize), plaintext.AsSpan(0, length), AssociatedData(_eventName!, jsonName, stackalloc byte[256]));
            }
            catch (CryptographicException ex)
            {
                throw new JsonException($"The encrypted value of '{jsonName}' does not decrypt with its subject's key (generation {generation}): it was changed or damaged.", ex);
            }

            var inner = new Utf8JsonReader(plaintext.AsSpan(0, length));
            inner.Read();
            return read(ref inner);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext.AsSpan(0, length));
            ArrayPool<byte>.Shared.Return(plaintext);
        }
    }

    /// <summary>Releases the cipher's AES state and scratch buffer (the serializer does, after the event).</summary>
    internal void Release()
    {
        if (_aes is not null)
        {
            _aesKey!.Return(_aes);
            _aes = null;
        }

        _scratchWriter?.Dispose();
        _scratchWriter = null;
        _scratch = null;
    }

    private AesGcm Aes(PersonalDataKey key)
    {
        if (_aes is null)
        {
            _aes = key.Rent();
            _aesKey = key;
        }

        return _aes;
    }

    /// <summary>The written part of <paramref name="buffer"/>, writable, to wipe the plaintext from it.</summary>
    private static Span<byte> WrittenBytes(ArrayBufferWriter<byte> buffer)
        => System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(buffer.WrittenSpan), buffer.WrittenCount);

    /// <summary>"{event name}/{property json name}" as UTF-8, in <paramref name="buffer"/> when it fits.</summary>
    private static ReadOnlySpan<byte> AssociatedData(string eventName, string jsonName, Span<byte> buffer)
    {
        var length = Encoding.UTF8.GetByteCount(eventName) + 1 + Encoding.UTF8.GetByteCount(jsonName);
        var target = length <= buffer.Length ? buffer[..length] : new byte[length];
        var written = Encoding.UTF8.GetBytes(eventName, target);
        target[written++] = (byte)'/';
        Encoding.UTF8.GetBytes(jsonName, target[written..]);
        return target;
    }

    /// <summary>
    /// The text a subject's id is keyed by, from its JSON value in <paramref name="json"/> (the reader on it): a
    /// string's value, a number's or literal's text, an object's or array's JSON as written; null for null.
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
                reader.Skip();
                return Encoding.UTF8.GetString(json[start..checked((int)reader.BytesConsumed)]);
            default:
                return Encoding.UTF8.GetString(reader.ValueSpan);
        }
    }
}
