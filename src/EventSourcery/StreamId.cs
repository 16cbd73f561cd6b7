using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace EventSourcery;

/// <summary>
/// Identifies one event stream: a <see cref="Guid"/> plus an optional category (<c>"light_switch"</c>).
/// Two ids are equal when both the guid and the category are equal; the same guid in two categories is two streams.
/// </summary>
public readonly struct StreamId : IEquatable<StreamId>
{
    /// <summary>The longest category accepted.</summary>
    public const int MaxCategoryLength = 100;

    // Namespace of the UUIDv5 ids made by FromName (RFC 9562, section 5.5). Fixed forever: changing it changes every named stream.
    private static readonly Guid NameNamespace = new("6f1d3c2a-8b4e-5a7d-9c0f-3e2b1a4d5c6e");

    /// <summary>Creates a stream id from a guid and an optional category.</summary>
    /// <exception cref="ArgumentException">The guid is empty or the category is malformed (see <see cref="ValidateCategory"/>).</exception>
    public StreamId(Guid value, string? category = null)
        : this(value, category, name: null)
    {
    }

    private StreamId(Guid value, string? category, string? name)
    {
        if (value == Guid.Empty)
        {
            throw new ArgumentException("A stream id cannot be the empty guid.", nameof(value));
        }

        ValidateCategory(category);
        Value = value;
        Category = category;
        Name = name;
    }

    /// <summary>The stream's guid.</summary>
    public Guid Value { get; }

    /// <summary>The stream's category, or null for an uncategorized stream.</summary>
    public string? Category { get; }

    /// <summary>The name this id was made from by <see cref="FromName"/>, or null. Not part of equality.</summary>
    public string? Name { get; }

    /// <summary>True for <c>default(StreamId)</c>, which no store accepts.</summary>
    public bool IsDefault => Value == Guid.Empty;

    /// <summary>A new random stream id (UUIDv7, so ids sort by creation time) in the given category.</summary>
    public static StreamId New(string? category = null) => new(Guid.CreateVersion7(), category);

    /// <summary>
    /// The deterministic id (UUIDv5) of the stream called <paramref name="name"/> in <paramref name="category"/>:
    /// the same arguments give the same stream every time; another name or another category gives another stream.
    /// </summary>
    /// <exception cref="ArgumentException">The name is null, empty or not valid UTF-16 (an unpaired surrogate), or the category is malformed.</exception>
    public static StreamId FromName(string name, string? category = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ValidateCategory(category);
        if (Serialization.JsonPrimitives.IndexOfUnpairedSurrogate(name) is >= 0 and var index)
        {
            // UTF-8 would turn it into U+FFFD, so two different names would make the same id (and not read back).
            throw new ArgumentException($"The stream name has an unpaired UTF-16 surrogate at index {index}; it cannot be stored unchanged.", nameof(name));
        }

        return new StreamId(NameBasedGuid(category + "\n" + name), category, name);
    }

    /// <summary>Checks that a category is null or 1–100 characters of letters, digits, '_', '-', '.' or ':'.</summary>
    /// <exception cref="ArgumentException">The category is empty, too long or has another character.</exception>
    public static void ValidateCategory(string? category)
    {
        if (category is null)
        {
            return;
        }

        if (category.Length is 0 or > MaxCategoryLength)
        {
            throw new ArgumentException($"A stream category must have 1 to {MaxCategoryLength} characters; got {category.Length}.", nameof(category));
        }

        foreach (var c in category)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or ':'))
            {
                throw new ArgumentException($"The stream category '{category}' has the character '{c}'; only ASCII letters, digits, '_', '-', '.' and ':' are allowed.", nameof(category));
            }
        }
    }

    /// <inheritdoc />
    public bool Equals(StreamId other) => Value == other.Value && string.Equals(Category, other.Category, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is StreamId other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Value, Category);

    /// <summary>Equality of guid and category.</summary>
    public static bool operator ==(StreamId left, StreamId right) => left.Equals(right);

    /// <summary>Inequality of guid or category.</summary>
    public static bool operator !=(StreamId left, StreamId right) => !left.Equals(right);

    /// <summary><c>category-guid</c>, or the guid alone for an uncategorized stream.</summary>
    public override string ToString() => Category is null ? Value.ToString() : $"{Category}-{Value}";

    /// <summary>Throws <see cref="ArgumentException"/> naming <paramref name="paramName"/> when the id is <c>default</c>.</summary>
    internal void ThrowIfDefault(string paramName)
    {
        if (IsDefault)
        {
            throw new ArgumentException("The stream id is default(StreamId); use StreamId.New, StreamId.FromName or new StreamId(guid).", paramName);
        }
    }

    private static Guid NameBasedGuid(string name)
    {
        Span<byte> namespaceBytes = stackalloc byte[16];
        NameNamespace.TryWriteBytes(namespaceBytes, bigEndian: true, out _);
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[16 + nameBytes.Length];
        namespaceBytes.CopyTo(input);
        nameBytes.CopyTo(input.AsSpan(16));

        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
#pragma warning disable CA5350 // UUIDv5 is defined on SHA-1 (RFC 9562); it names streams, it protects nothing.
        SHA1.HashData(input, hash);
#pragma warning restore CA5350
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50); // version 5
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes, bigEndian: true);
    }
}
