namespace EventSourcery.PersonalData;

/// <summary>
/// Keys held in memory: the default of <see cref="InMemoryEventStore"/>, and for tests. The keys die with the process,
/// so never use it beside a store whose events outlive it.
/// </summary>
public sealed class InMemoryPersonalDataKeyStore : IPersonalDataKeyStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Tenant, string Subject), Entry> _entries = [];

    /// <inheritdoc />
    public ValueTask<PersonalDataKey?> FindKeyAsync(string? tenantId, string subject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_entries.TryGetValue((tenantId ?? string.Empty, subject), out var entry) ? entry.Key : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<PersonalDataKey> GetOrCreateKeyAsync(string? tenantId, string subject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var id = (tenantId ?? string.Empty, subject);
            if (_entries.TryGetValue(id, out var entry))
            {
                return entry.Key is { } key ? ValueTask.FromResult(key) : throw new DataSubjectShreddedException(tenantId, subject);
            }

            var created = PersonalDataKey.Create();
            _entries.Add(id, new Entry(created, created.Generation));
            return ValueTask.FromResult(created);
        }
    }

    /// <inheritdoc />
    public ValueTask<PersonalDataKey> RenewKeyAsync(string? tenantId, string subject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var id = (tenantId ?? string.Empty, subject);
            if (_entries.TryGetValue(id, out var entry) && entry.Key is { } live)
            {
                return ValueTask.FromResult(live);
            }

            var created = PersonalDataKey.Create(entry is null ? 1 : entry.Generation + 1);
            _entries[id] = new Entry(created, created.Generation);
            return ValueTask.FromResult(created);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> ShredAsync(string? tenantId, string subject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var id = (tenantId ?? string.Empty, subject);
            if (_entries.TryGetValue(id, out var entry))
            {
                _entries[id] = new Entry(null, entry.Generation);
                return ValueTask.FromResult(entry.Key is not null);
            }

            // A subject shredded before it had a key stays shredded: its first append is refused too.
            _entries.Add(id, new Entry(null, 0));
            return ValueTask.FromResult(false);
        }
    }

    private sealed record Entry(PersonalDataKey? Key, int Generation);
}
