using System.Text;
using EventSourcery.PersonalData;
using EventSourcery.Serialization;
using EventSourcery.StoreContract;

namespace EventSourcery.Tests;

/// <summary>
/// Reads remember the last subject's cipher (a stream's events share one subject): each of these reads would open
/// with the wrong key, or with a shredded or expired one, if what is remembered were used for another read.
/// </summary>
public sealed class PersonalDataReadCipherTests
{
    private static readonly StreamId Stream = StreamId.New("customer");
    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UnixEpoch);
    private readonly PersonalDataProtector _protector;
    private readonly EventSerializer _serializer;

    public PersonalDataReadCipherTests()
    {
        _protector = new PersonalDataProtector(new InMemoryPersonalDataKeyStore(), _clock, TimeSpan.FromMinutes(1));
        _serializer = new EventSerializer(EventRegistry.Default, EventSerializer.DefaultMaxEventBytes, _protector);
    }

    private static CustomerEmailChanged Changed(string customer) => new(customer, $"{customer}@example.org", $"{customer}@example.com");

    private async Task<byte[]> StoreAsync(Event e, string? tenantId = null, EventSerializer? serializer = null)
    {
        var subject = EventRegistry.Default.Get(e).PersonalData!.SubjectOf(e)!;
        var payload = (serializer ?? _serializer).Serialize(Stream, e, traceParent: null, await _protector.PrepareAsync(tenantId, [e], EventRegistry.Default)).Payload;
        await _protector.LoadKeyAsync(tenantId, subject);
        return Encoding.UTF8.GetBytes(payload);
    }

    private string EmailOf(byte[] payload, string? tenantId = null, string eventName = "CustomerEmailChanged", EventSerializer? serializer = null)
        => ((CustomerEmailChanged)(serializer ?? _serializer).Deserialize(Stream, 1, 1, eventName, 1, payload, Guid.NewGuid(), DateTimeOffset.UnixEpoch, [], tenantId)).Email;

    [Fact]
    public void A_stored_payload_names_the_same_subject_as_its_event()
    {
        var member = new MemberJoined(new MemberId("m-42"), "Ada");
        var customer = new CustomerRegistered(Guid.NewGuid(), "ada@example.org", null, 1815, null, null, null, "gold");
        var plain = new EventSerializer(EventRegistry.Default); // personal data written in plain text: the subject reads the same

        foreach (var e in new Event[] { Changed("c-1"), member, customer })
        {
            var shape = EventRegistry.Default.Get(e).PersonalData!;
            Assert.Equal(shape.SubjectOf(e), shape.ReadSubject(Encoding.UTF8.GetBytes(plain.Serialize(e).Payload)));
        }

        // An event stored before its type had a subject names none.
        Assert.Null(EventRegistry.Default.Get(member).PersonalData!.ReadSubject("""{"name":"?"}"""u8));
    }

    [Fact]
    public async Task Two_subjects_read_in_turn_each_open_with_their_own_key()
    {
        var (first, second) = (await StoreAsync(Changed("c-1")), await StoreAsync(Changed("c-2")));

        Assert.Equal(
            ["c-1@example.org", "c-2@example.org", "c-1@example.org", "c-1@example.org", "c-2@example.org"],
            [EmailOf(first), EmailOf(second), EmailOf(first), EmailOf(first), EmailOf(second)]);
    }

    [Fact]
    public async Task A_subject_shredded_after_it_was_read_reads_as_masks_at_once()
    {
        var stored = await StoreAsync(Changed("c-1"));
        Assert.Equal("c-1@example.org", EmailOf(stored));

        await _protector.ShredAsync(null, "c-1");

        Assert.Equal("redacted@example.invalid", EmailOf(stored));
    }

    [Fact]
    public async Task A_key_renewed_after_a_read_is_the_one_used_for_the_subject_new_events()
    {
        var old = await StoreAsync(Changed("c-1"));
        Assert.Equal("c-1@example.org", EmailOf(old));
        await _protector.ShredAsync(null, "c-1");
        await _protector.RenewKeyAsync(null, "c-1");

        var renewed = await StoreAsync(Changed("c-1"));

        Assert.Equal(["c-1@example.org", "redacted@example.invalid"], [EmailOf(renewed), EmailOf(old)]);
    }

    [Fact]
    public async Task The_same_subject_in_two_tenants_opens_with_each_tenant_key()
    {
        var (inA, inB) = (await StoreAsync(Changed("c-1"), "a"), await StoreAsync(Changed("c-1"), "b"));
        Assert.Equal(["c-1@example.org", "c-1@example.org", "c-1@example.org"], [EmailOf(inA, "a"), EmailOf(inB, "b"), EmailOf(inA, "a")]);

        await _protector.ShredAsync("b", "c-1");

        Assert.Equal(["c-1@example.org", "redacted@example.invalid"], [EmailOf(inA, "a"), EmailOf(inB, "b")]);
    }

    [Fact]
    public async Task A_remembered_key_expires_with_its_cache_entry()
    {
        var stored = await StoreAsync(Changed("c-1"));
        Assert.Equal("c-1@example.org", EmailOf(stored));

        _clock.Advance(TimeSpan.FromMinutes(2));

        var need = Assert.Throws<PersonalDataKeyNeededException>(() => EmailOf(stored));
        Assert.Equal("c-1", need.Subject);
    }

    [Fact]
    public async Task Another_event_name_of_the_same_subject_opens_with_its_own_associated_data()
    {
        var type = EventRegistry.Default.GetByType(typeof(CustomerEmailChanged));
        var renamed = new EventType(type.Type, "CustomerEmailReplaced", 1, type.WritePayload, static (ref System.Text.Json.Utf8JsonReader _, in EventHeader _) => throw new NotSupportedException()) { PersonalData = type.PersonalData };
        var other = new EventSerializer(new EventRegistry([renamed]), EventSerializer.DefaultMaxEventBytes, _protector);
        var (asChanged, asReplaced) = (await StoreAsync(Changed("c-1")), await StoreAsync(Changed("c-1"), serializer: other));

        Assert.Equal(
            ["c-1@example.org", "c-1@example.org", "c-1@example.org"],
            [EmailOf(asChanged), EmailOf(asReplaced, eventName: "CustomerEmailReplaced", serializer: other), EmailOf(asChanged)]);
    }
}
