using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace EventSourcery.PersonalData;

/// <summary>
/// One data subject's key: 256 bits for AES-GCM and its generation (1 for the first key; each key made after a
/// shredding gets the next), which every value encrypted with it records, so that a value of a shredded generation
/// reads as its mask while a damaged value of the current one is an error.
/// </summary>
public sealed class PersonalDataKey
{
    /// <summary>The length of a key in bytes.</summary>
    public const int Length = 32;

    private const int TagSize = 16;

    private readonly byte[] _material;

    // AES-GCM instances of this key, reused across events: creating one sets up the cipher (about as long as
    // decrypting a short value), and one instance must not serve two threads at once.
    private readonly ConcurrentQueue<AesGcm> _ciphers = new();

    /// <summary>A key with the given material, as a key store read it back.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="generation"/> is below 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="material"/> is not <see cref="Length"/> bytes.</exception>
    public PersonalDataKey(int generation, ReadOnlySpan<byte> material)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(generation, 1);
        if (material.Length != Length)
        {
            throw new ArgumentException($"A personal data key is {Length} bytes, not {material.Length}.", nameof(material));
        }

        Generation = generation;
        _material = material.ToArray();
    }

    /// <summary>Which key of its subject this is: 1, then one more for each key made after a shredding.</summary>
    public int Generation { get; }

    /// <summary>The key's bytes, for a key store to keep.</summary>
    public ReadOnlySpan<byte> Material => _material;

    /// <summary>A new random key of <paramref name="generation"/>.</summary>
    public static PersonalDataKey Create(int generation = 1)
    {
        Span<byte> material = stackalloc byte[Length];
        RandomNumberGenerator.Fill(material);
        var key = new PersonalDataKey(generation, material);
        CryptographicOperations.ZeroMemory(material);
        return key;
    }

    /// <summary>An AES-GCM instance of this key for one thread's use; give it back with <see cref="Return"/>.</summary>
    internal AesGcm Rent() => _ciphers.TryDequeue(out var aes) ? aes : new AesGcm(_material, TagSize);

    /// <summary>Gives back an instance from <see cref="Rent"/>, keeping at most one per processor.</summary>
    internal void Return(AesGcm aes)
    {
        if (_ciphers.Count < Environment.ProcessorCount)
        {
            _ciphers.Enqueue(aes);
        }
        else
        {
            aes.Dispose();
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"personal data key (generation {Generation})";
}
