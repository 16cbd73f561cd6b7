using System.Text;
using System.Text.Json.Nodes;
using EventSourcery.PersonalData;
using EventSourcery.Serialization;
using EventSourcery.StoreContract;

namespace EventSourcery.Tests;

/// <summary>The generated codecs' encryption as the serializer drives it: what is stored, and what cannot be read back.</summary>
public sealed class PersonalDataSerializerTests
{
    private static readonly StreamId Stream = StreamId.New("customer");
    private readonly PersonalDataProtector _protector = new(new InMemoryPersonalDataKeyStore());
    private readonly EventSerializer _serializer;

    public PersonalDataSerializerTests() => _serializer = new EventSerializer(EventRegistry.Default, EventSerializer.DefaultMaxEventBytes, _protector);

    private static CustomerEmailChanged Changed() => new("c-1", "ada@example.org", "ada@example.com");

    /// <summary>Serializes as a store's append does, then loads the key for reads as a store's read does.</summary>
    private async Task<SerializedEvent> SerializeAsync(Event e)
    {
        var serialized = _serializer.Serialize(Stream, e, traceParent: null, await _protector.PrepareAsync(null, [e], EventRegistry.Default));
        await _protector.LoadKeyAsync(null, "c-1");
        return serialized;
    }

    private Event Deserialize(SerializedEvent stored, EventSerializer? serializer = null)
        => (serializer ?? _serializer).Deserialize(Stream, 1, 1, stored.Type.Name, 1, Encoding.UTF8.GetBytes(stored.Payload), Guid.NewGuid(), DateTimeOffset.UnixEpoch, [], tenantId: null);

    [Fact]
    public async Task Marked_values_are_sealed_together_and_the_subject_and_unmarked_values_stored_as_they_are()
    {
        var stored = await SerializeAsync(Changed());
        var payload = JsonNode.Parse(stored.Payload)!.AsObject();

        Assert.Equal(["customerKey", "$pd"], payload.Select(p => p.Key));
        Assert.Equal("c-1", (string?)payload["customerKey"]);
        Assert.DoesNotContain("ada@", stored.Payload, StringComparison.Ordinal);
        Assert.StartsWith("5VBE", (string?)payload["$pd"], StringComparison.Ordinal);
        Assert.NotEqual((string?)payload["$pd"], (string?)JsonNode.Parse((await SerializeAsync(Changed())).Payload)!["$pd"]); // a fresh nonce each time
        var read = (CustomerEmailChanged)Deserialize(stored);
        Assert.Equal((Changed().Email, Changed().PreviousEmail), (read.Email, read.PreviousEmail));
    }

    [Fact]
    public async Task Changed_sealed_data_is_an_error_naming_the_event_not_a_mask()
    {
        var stored = await SerializeAsync(Changed());
        var payload = JsonNode.Parse(stored.Payload)!.AsObject();
        var bytes = Convert.FromBase64String((string)payload["$pd"]!);
        bytes[^1] ^= 1;
        payload["$pd"] = Convert.ToBase64String(bytes); // JsonNode escapes its '+' and '/' as \u002B and \u002F

        var error = Assert.Throws<EventReadException>(() => Deserialize(stored with { Payload = payload.ToJsonString() }));
        Assert.Contains("CustomerEmailChanged", error.Message, StringComparison.Ordinal);
        Assert.Contains("changed or damaged", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sealed_data_read_as_another_event_does_not_decrypt()
    {
        var stored = await SerializeAsync(Changed());
        var type = EventRegistry.Default.GetByType(typeof(CustomerEmailChanged));
        var renamed = new EventType(type.Type, "CustomerEmailReplaced", 1, type.WritePayload, static (ref System.Text.Json.Utf8JsonReader _, in EventHeader _) => throw new NotSupportedException()) { PersonalData = type.PersonalData };
        var other = new EventSerializer(new EventRegistry([renamed]), EventSerializer.DefaultMaxEventBytes, _protector);

        // The same subject and key: only the associated data (the stored event name) tells the events apart.
        var error = Assert.Throws<EventReadException>(() => other.Deserialize(Stream, 1, 1, "CustomerEmailReplaced", 1, Encoding.UTF8.GetBytes(stored.Payload), Guid.NewGuid(), DateTimeOffset.UnixEpoch, [], tenantId: null));
        Assert.Contains("changed or damaged", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_protector_personal_data_is_written_in_plain_text_and_encrypted_data_cannot_be_read()
    {
        var plain = new EventSerializer(EventRegistry.Default);
        var written = plain.Serialize(Changed());
        Assert.Contains("\"email\":\"ada@example.org\"", written.Payload, StringComparison.Ordinal);
        Assert.Equal("ada@example.org", ((CustomerEmailChanged)Deserialize(written, plain)).Email);
        await _protector.LoadKeyAsync(null, "c-1");
        Assert.Equal("ada@example.com", ((CustomerEmailChanged)Deserialize(written)).PreviousEmail); // a store reads what was stored before the property was marked

        var encrypted = await SerializeAsync(Changed());
        var error = Assert.Throws<EventReadException>(() => Deserialize(encrypted, plain));
        Assert.Contains("sealed personal data", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_not_cached_is_asked_for_and_a_shredded_one_reads_as_the_masks()
    {
        var stored = await SerializeAsync(Changed());
        var cold = new EventSerializer(EventRegistry.Default, EventSerializer.DefaultMaxEventBytes, new PersonalDataProtector(_protector.Keys));

        var need = Assert.Throws<PersonalDataKeyNeededException>(() => Deserialize(stored, cold));
        Assert.Equal("c-1", need.Subject);
        await cold.Protector!.LoadKeyAsync(null, "c-1");
        Assert.Equal("ada@example.org", ((CustomerEmailChanged)Deserialize(stored, cold)).Email);

        await _protector.ShredAsync(null, "c-1");
        var masked = (CustomerEmailChanged)Deserialize(stored);
        Assert.Equal(("c-1", "redacted@example.invalid", "?"), (masked.CustomerKey, masked.Email, masked.PreviousEmail));
    }

    [Fact]
    public async Task A_registry_without_personal_data_prepares_no_keys()
    {
        var plainTypes = new EventRegistry([EventRegistry.Default.GetByType(typeof(TurnedOn))]);
        Assert.False(plainTypes.HasPersonalData);
        Assert.True(EventRegistry.Default.HasPersonalData);
        Assert.Null(await _protector.PrepareAsync(null, [new TurnedOn()], plainTypes));
        Assert.NotNull(await _protector.PrepareAsync(null, [Changed()], EventRegistry.Default));
    }

    [Fact]
    public async Task A_key_store_that_fails_fails_the_append_and_stores_nothing()
    {
        var store = new InMemoryEventStore(EventRegistry.Default, null, null, EventSerializer.DefaultMaxEventBytes, new UnreachableKeys());
        var id = StreamId.New("customer");

        await Assert.ThrowsAsync<TimeoutException>(async () => await store.AppendAsync(id, [Changed()], ExpectedVersion.NoStream));
        Assert.Empty(await Read.StreamAsync(store, id));
        await store.AppendAsync(id, [new TurnedOn()], ExpectedVersion.NoStream); // events without personal data never ask
    }

    [Fact]
    public async Task A_key_store_that_fails_on_a_read_fails_the_read_rather_than_masking_or_showing_ciphertext()
    {
        var keys = new SwitchableKeys();
        var store = new InMemoryEventStore(EventRegistry.Default, null, null, EventSerializer.DefaultMaxEventBytes, keys);
        var id = StreamId.New("customer");
        await store.AppendAsync(id, [Changed()], ExpectedVersion.NoStream);
        keys.Down = true;

        // Nothing is cached (an append caches no key it created): the read must ask the key store, which is down.
        await Assert.ThrowsAsync<TimeoutException>(async () => await Read.StreamAsync(store, id));
        keys.Down = false;
        Assert.Equal("ada@example.org", ((CustomerEmailChanged)(await Read.StreamAsync(store, id))[0].Event).Email);
    }

    private sealed class SwitchableKeys : IPersonalDataKeyStore
    {
        private readonly InMemoryPersonalDataKeyStore _keys = new();

        public bool Down { get; set; }

        public ValueTask<PersonalDataKey?> FindKeyAsync(string? tenantId, string subject, CancellationToken cancellationToken = default)
            => Down ? throw new TimeoutException("key service down") : _keys.FindKeyAsync(tenantId, subject, cancellationToken);

        public ValueTask<PersonalDataKey> GetOrCreateKeyAsync(string? tenantId, string subject, CancellationToken cancellationToken = default)
            => Down ? throw new TimeoutException("key service down") : _keys.GetOrCreateKeyAsync(tenantId, subject, cancellationToken);

        public ValueTask<PersonalDataKey> RenewKeyAsync(string? tenantId, string subject, CancellationToken cancellationToken = default)
            => Down ? throw new TimeoutException("key service down") : _keys.RenewKeyAsync(tenantId, subject, cancellationToken);

        public ValueTask<bool> ShredAsync(string? tenantId, string subject, CancellationToken cancellationToken = default)
            => Down ? throw new TimeoutException("key service down") : _keys.ShredAsync(tenantId, subject, cancellationToken);
    }

    private sealed class UnreachableKeys : IPersonalDataKeyStore
    {
        public ValueTask<PersonalDataKey?> FindKeyAsync(string? tenantId, string subject, CancellationToken cancellationToken = default) => throw new TimeoutException("key service down");

        public ValueTask<PersonalDataKey> GetOrCreateKeyAsync(string? tenantId, string subject, CancellationToken cancellationToken = default) => throw new TimeoutException("key service down");

        public ValueTask<PersonalDataKey> RenewKeyAsync(string? tenantId, string subject, CancellationToken cancellationToken = default) => throw new TimeoutException("key service down");

        public ValueTask<bool> ShredAsync(string? tenantId, string subject, CancellationToken cancellationToken = default) => throw new TimeoutException("key service down");
    }
}

/// <summary>A strongly typed member id, stored as an object of one string.</summary>
public readonly record struct MemberId(string Value);

/// <summary>A member joined: the subject is a strongly typed id.</summary>
public sealed record MemberJoined([EventSourcery.PersonalData.DataSubject] MemberId Member, [EventSourcery.PersonalData.PersonalData("?")] string Name) : Event;

/// <summary>Subjects of a strongly typed id are keyed by the value they wrap.</summary>
public sealed class StronglyTypedSubjectTests
{
    [Fact]
    public async Task A_strongly_typed_id_is_keyed_by_the_value_it_wraps()
    {
        var store = new InMemoryEventStore();
        var id = StreamId.New("member");
        await store.AppendAsync(id, [new MemberJoined(new MemberId("m-42"), "Ada")], ExpectedVersion.NoStream);
        Assert.Equal("Ada", ((MemberJoined)(await Read.StreamAsync(store, id))[0].Event).Name);
        Assert.NotNull(await store.PersonalData.Keys.FindKeyAsync(null, "m-42"));

        Assert.True(await store.ShredAsync("m-42"));
        var masked = (MemberJoined)(await Read.StreamAsync(store, id))[0].Event;
        Assert.Equal((new MemberId("m-42"), "?"), (masked.Member, masked.Name));
    }
}
