using System.Collections.Concurrent;
using System.Text.Json;
using EventSourcery.PersonalData;

namespace EventSourcery.Serialization;

/// <summary>
/// A store's side of personal data: the key store and a cache of its keys, so that a read or append finds its
/// subjects' keys in memory after the first. Shredding through this protector takes effect in this process at once;
/// other processes that cached the key keep it until their cache entry expires (<see cref="CacheDuration"/>).
/// </summary>
public sealed class PersonalDataProtector
{
    /// <summary>The default of <see cref="CacheDuration"/>: one minute.</summary>
    public static readonly TimeSpan DefaultCacheDuration = TimeSpan.FromMinutes(1);

    /// <summary>The most subjects the cache holds; past it, the cache starts over.</summary>
    public const int MaxCachedSubjects = 100_000;

    private readonly ConcurrentDictionary<(string Tenant, string Subject), CachedKey> _cache = new();
    private readonly TimeProvider _time;

    // Bumped after every change to _cache, which makes _lastRead stale.
    private long _cacheVersion;

    // The subject whose events were read last, with its cipher: a stream of one subject's events finds its key once.
    private ReadMemo? _lastRead;

    /// <summary>A protector over <paramref name="keys"/>.</summary>
    /// <param name="keys">Where the keys live.</param>
    /// <param name="timeProvider">The clock of the cache (the system clock by default).</param>
    /// <param name="cacheDuration">How long a key (or a subject's having none) is kept in memory; one minute by default.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cacheDuration"/> is not positive.</exception>
    public PersonalDataProtector(IPersonalDataKeyStore keys, TimeProvider? timeProvider = null, TimeSpan? cacheDuration = null)
    {
        Keys = keys ?? throw new ArgumentNullException(nameof(keys));
        _time = timeProvider ?? TimeProvider.System;
        CacheDuration = cacheDuration ?? DefaultCacheDuration;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(CacheDuration, TimeSpan.Zero, nameof(cacheDuration));
    }

    /// <summary>Where the keys live.</summary>
    public IPersonalDataKeyStore Keys { get; }

    /// <summary>How long a key, or a subject's having none, stays in memory.</summary>
    public TimeSpan CacheDuration { get; }

    /// <summary>
    /// The cached key of <paramref name="subject"/>: true with the key, or with null when the subject has none
    /// (shredded); false when nothing is cached (load it with <see cref="LoadKeyAsync"/>).
    /// </summary>
    public bool TryGetKey(string? tenantId, string subject, out PersonalDataKey? key)
    {
        var found = TryGetCached(tenantId, subject, _time.GetTimestamp(), out var cached);
        key = cached.Key;
        return found;
    }

    /// <summary>Loads the subject's key (or its having none) from the key store into the cache, whatever the cache held.</summary>
    public async ValueTask<PersonalDataKey?> LoadKeyAsync(string? tenantId, string subject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var key = await Keys.FindKeyAsync(tenantId, subject, cancellationToken).ConfigureAwait(false);
        Cache(tenantId, subject, key);
        return key;
    }

    /// <summary>
    /// The key to encrypt the subject's new data with: cached, found, or created by the key store. A key the store
    /// found is cached; one it created is not until it is found again, so that a key created inside a transaction that
    /// rolls back never outlives it. (A key cached here and shredded by another process meanwhile encrypts data that
    /// reads as masks at once: the same as that data being refused.)
    /// </summary>
    /// <exception cref="DataSubjectShreddedException">The subject was shredded.</exception>
    public async ValueTask<PersonalDataKey> GetWriteKeyAsync(string? tenantId, string subject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (TryGetKey(tenantId, subject, out var cached) && cached is not null)
        {
            return cached;
        }

        if (await Keys.FindKeyAsync(tenantId, subject, cancellationToken).ConfigureAwait(false) is { } found)
        {
            Cache(tenantId, subject, found);
            return found;
        }

        return await Keys.GetOrCreateKeyAsync(tenantId, subject, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The keys of every subject of <paramref name="events"/> that have personal data, for
    /// <see cref="EventSerializer.Serialize(StreamId, Event, string?, IReadOnlyDictionary{string, PersonalDataKey}?)"/>;
    /// null when none has any.
    /// </summary>
    /// <exception cref="DataSubjectMissingException">An event with personal data has no subject.</exception>
    /// <exception cref="DataSubjectShreddedException">A subject was shredded.</exception>
    /// <exception cref="UnknownEventTypeException">An event's type is not registered.</exception>
    public ValueTask<IReadOnlyDictionary<string, PersonalDataKey>?> PrepareAsync(string? tenantId, IReadOnlyList<Event> events, EventRegistry registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(registry);
        if (!registry.HasPersonalData)
        {
            return ValueTask.FromResult<IReadOnlyDictionary<string, PersonalDataKey>?>(null); // the append's hot path: no lookups
        }

        List<string>? subjects = null;
        foreach (var @event in events)
        {
            if (@event is not null && registry.Get(@event) is { PersonalData: { } shape } type)
            {
                var subject = shape.SubjectOf(@event) ?? throw new DataSubjectMissingException(type.Name, @event.Id, shape.Properties[0], shape.SubjectProperty);
                (subjects ??= []).Add(subject);
            }
        }

        return subjects is null ? ValueTask.FromResult<IReadOnlyDictionary<string, PersonalDataKey>?>(null) : LoadAsync(tenantId, subjects, cancellationToken);
    }

    private async ValueTask<IReadOnlyDictionary<string, PersonalDataKey>?> LoadAsync(string? tenantId, List<string> subjects, CancellationToken cancellationToken)
    {
        var keys = new Dictionary<string, PersonalDataKey>(StringComparer.Ordinal);
        foreach (var subject in subjects)
        {
            if (!keys.ContainsKey(subject))
            {
                keys.Add(subject, await GetWriteKeyAsync(tenantId, subject, cancellationToken).ConfigureAwait(false));
            }
        }

        return keys;
    }

    /// <summary>
    /// Shreds <paramref name="subject"/>: deletes its key from the key store and from this cache, so that its personal
    /// data reads as masks from now on. Idempotent.
    /// </summary>
    /// <returns>True when a key was deleted.</returns>
    public async ValueTask<bool> ShredAsync(string? tenantId, string subject, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        Forget(tenantId, subject);
        var deleted = await Keys.ShredAsync(tenantId, subject, cancellationToken).ConfigureAwait(false);
        Cache(tenantId, subject, null);
        return deleted;
    }

    /// <summary>Gives a shredded subject a new key (see <see cref="IPersonalDataKeyStore.RenewKeyAsync"/>).</summary>
    public async ValueTask<PersonalDataKey> RenewKeyAsync(string? tenantId, string subject, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        var key = await Keys.RenewKeyAsync(tenantId, subject, cancellationToken).ConfigureAwait(false);
        Cache(tenantId, subject, key);
        return key;
    }

    /// <summary>
    /// The cipher that opens the personal data of a stored <paramref name="payload"/> of <paramref name="eventName"/>,
    /// or null when the payload names no subject. The subject's key comes from the cache; the last subject read (its
    /// id as stored, its key and the cipher) is remembered until the cache changes or the key's entry expires.
    /// </summary>
    /// <exception cref="PersonalDataKeyNeededException">The subject's key is not cached: load it and read again.</exception>
    /// <exception cref="JsonException">The payload is not a JSON object.</exception>
    internal PersonalDataCipher? ReadCipher(string? tenantId, string eventName, PersonalDataShape shape, ReadOnlySpan<byte> payload)
    {
        var reader = new Utf8JsonReader(payload);
        if (!shape.SeekSubject(ref reader))
        {
            return null;
        }

        // A string without escapes or a number is the same subject exactly when its bytes are the same.
        var plainToken = reader.TokenType is JsonTokenType.String or JsonTokenType.Number && !reader.ValueIsEscaped && !reader.HasValueSequence;
        var version = Volatile.Read(ref _cacheVersion);
        var now = _time.GetTimestamp();
        if (plainToken && _lastRead is { } last && last.Version == version && last.ExpiresAt > now
            && string.Equals(last.EventName, eventName, StringComparison.Ordinal) && string.Equals(last.TenantId, tenantId, StringComparison.Ordinal)
            && reader.ValueSpan.SequenceEqual(last.SubjectJson))
        {
            return last.Cipher;
        }

        var subjectJson = plainToken ? reader.ValueSpan.ToArray() : null;
        if (PersonalDataCipher.SubjectText(payload, ref reader) is not { } subject)
        {
            return null;
        }

        if (!TryGetCached(tenantId, subject, now, out var cached))
        {
            throw new PersonalDataKeyNeededException(tenantId, subject);
        }

        var cipher = PersonalDataCipher.For(eventName, cached.Key, tenantId, subject);
        if (subjectJson is not null)
        {
            _lastRead = new ReadMemo(version, tenantId, eventName, subjectJson, cipher, cached.ExpiresAt);
        }

        return cipher;
    }

    /// <summary>The subject's cache entry, when there is one that has not expired at <paramref name="now"/>.</summary>
    private bool TryGetCached(string? tenantId, string subject, long now, out CachedKey cached)
    {
        if (_cache.TryGetValue((tenantId ?? string.Empty, subject), out cached) && cached.ExpiresAt > now)
        {
            return true;
        }

        cached = default;
        return false;
    }

    private void Cache(string? tenantId, string subject, PersonalDataKey? key)
    {
        if (_cache.Count >= MaxCachedSubjects)
        {
            _cache.Clear();
        }

        var expires = _time.GetTimestamp() + (long)(CacheDuration.TotalSeconds * _time.TimestampFrequency);
        _cache[(tenantId ?? string.Empty, subject)] = new CachedKey(key, expires);
        Interlocked.Increment(ref _cacheVersion);
    }

    private void Forget(string? tenantId, string subject)
    {
        _cache.TryRemove((tenantId ?? string.Empty, subject), out _);
        Interlocked.Increment(ref _cacheVersion);
    }

    private readonly record struct CachedKey(PersonalDataKey? Key, long ExpiresAt);

    private sealed record ReadMemo(long Version, string? TenantId, string EventName, byte[] SubjectJson, PersonalDataCipher Cipher, long ExpiresAt);
}
