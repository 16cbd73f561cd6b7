using System.Text;
using System.Text.Json;
using EventSourcery.Serialization;
using EventSourcery.StoreContract;

namespace EventSourcery.Tests;

public sealed class EventSerializerTests
{
    // Private and nested, so the generator leaves it unregistered.
    private sealed record NeverRegistered(string Reason) : Event;

    [Fact]
    public void Full_metadata_round_trips()
    {
        var metadata = new EventMetadata
        {
            CorrelationId = Guid.NewGuid(),
            CausationId = Guid.NewGuid(),
            Extra = new Dictionary<string, string> { ["user"] = "ada", ["quote\"d"] = "back\\slash", ["ünï"] = "✓ 😀", ["empty"] = "" },
        };

        var json = EventSerializer.SerializeMetadata(metadata);
        var read = EventSerializer.DeserializeMetadata(Encoding.UTF8.GetBytes(json!));

        Assert.Equal(metadata, read);
        Assert.Equal("✓ 😀", read.Extra["ünï"]);
        using var document = JsonDocument.Parse(json!);
        Assert.Equal(metadata.CorrelationId, document.RootElement.GetProperty("correlationId").GetGuid());
    }

    [Fact]
    public void Partial_metadata_round_trips()
    {
        var onlyCausation = new EventMetadata { CausationId = Guid.NewGuid() };
        var onlyExtra = new EventMetadata { Extra = new Dictionary<string, string> { ["k"] = "v" } };

        Assert.Equal(onlyCausation, EventSerializer.DeserializeMetadata(Encoding.UTF8.GetBytes(EventSerializer.SerializeMetadata(onlyCausation)!)));
        Assert.Equal(onlyExtra, EventSerializer.DeserializeMetadata(Encoding.UTF8.GetBytes(EventSerializer.SerializeMetadata(onlyExtra)!)));
    }

    [Fact]
    public void Empty_metadata_is_stored_as_null()
    {
        Assert.Null(EventSerializer.SerializeMetadata(EventMetadata.Empty));
        Assert.Null(EventSerializer.SerializeMetadata(new EventMetadata { Extra = new Dictionary<string, string>() }));
    }

    [Fact]
    public void Unknown_metadata_properties_are_skipped_and_malformed_metadata_throws()
    {
        var withUnknown = EventSerializer.DeserializeMetadata("""{"future":{"x":[1,2]},"correlationId":null,"causationId":"6f1d3c2a-8b4e-5a7d-9c0f-3e2b1a4d5c6e"}"""u8);

        Assert.Null(withUnknown.CorrelationId);
        Assert.Equal(new Guid("6f1d3c2a-8b4e-5a7d-9c0f-3e2b1a4d5c6e"), withUnknown.CausationId);
        Assert.ThrowsAny<JsonException>(() => EventSerializer.DeserializeMetadata("""{"extra":{"k":1}}"""u8));
        Assert.ThrowsAny<JsonException>(() => EventSerializer.DeserializeMetadata("""[1]"""u8));
        Assert.ThrowsAny<JsonException>(() => EventSerializer.DeserializeMetadata("""{"correlationId":"x"""u8));
    }

    /// <summary>
    /// Metadata entries with an unpaired surrogate and the start of the error. Enumerated when the test runs, not at
    /// discovery: xunit serializes discovered theory data as UTF-8, which would turn each surrogate into U+FFFD first.
    /// </summary>
    public static TheoryData<string, string, string> UnpairedSurrogates => new()
    {
        { "user\uD800", "ada", "The metadata key 'user\\uD800' has an unpaired UTF-16 surrogate at index 4" },
        { "\uDC00", "ada", "The metadata key '\\uDC00' has an unpaired UTF-16 surrogate at index 0" },
        { "user", "ada\uD83D", "The value of metadata entry 'user' has an unpaired UTF-16 surrogate at index 3" },
        { "user", "\uDE00😀", "The value of metadata entry 'user' has an unpaired UTF-16 surrogate at index 0" },
    };

    [Theory]
    [MemberData(nameof(UnpairedSurrogates), DisableDiscoveryEnumeration = true)]
    public void Metadata_with_an_unpaired_surrogate_is_refused_naming_the_key(string key, string value, string expected)
    {
        var metadata = new EventMetadata { Extra = new Dictionary<string, string> { ["fine"] = "😀", [key] = value } };

        var ex = Assert.Throws<ArgumentException>(() => EventSerializer.SerializeMetadata(metadata));
        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
        Assert.Equal("metadata", ex.ParamName);

        // Through the serializer every store appends with, before anything is written.
        var serializer = new EventSerializer(EventRegistry.Default);
        Assert.Throws<ArgumentException>(() => serializer.Serialize(new TurnedOn { Metadata = metadata }));
    }

    [Fact]
    public void Metadata_with_a_null_value_is_refused_rather_than_stored_unreadable()
    {
        var metadata = new EventMetadata { Extra = new Dictionary<string, string> { ["user"] = null! } };

        var ex = Assert.Throws<ArgumentException>(() => EventSerializer.SerializeMetadata(metadata));
        Assert.Contains("'user' has a null value", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_event_round_trips_through_payload_and_header()
    {
        var serializer = new EventSerializer(EventRegistry.Default);
        var original = new NoteAdded("text", 3, new DateTimeOffset(2021, 5, 6, 7, 8, 9, TimeSpan.FromHours(-3)).AddTicks(42))
        {
            Metadata = new EventMetadata { CorrelationId = Guid.NewGuid(), Extra = new Dictionary<string, string> { ["a"] = "b" } },
        };

        var stored = serializer.Serialize(original);
        var read = serializer.Deserialize(StreamId.New(), 1, 1, stored.Type.Name, Encoding.UTF8.GetBytes(stored.Payload), original.Id, original.CreatedAt, Encoding.UTF8.GetBytes(stored.Metadata!));

        Assert.Equal("NoteAdded", stored.Type.Name);
        Assert.Equal(1, stored.Type.SchemaVersion);
        Assert.Equal(original, read);
        Assert.Equal(original.At.Offset, ((NoteAdded)read).At.Offset);
    }

    [Theory]
    [InlineData("{\"text\":\"x\",\"count\":1,\"at\":\"2020-01-01T00:00:00+00:00\"}")] // read fine
    [InlineData("{\"text\":\"trunc")] // the reader fails before it constructs the event
    [InlineData("{\"text\":\"x\",\"count\":1,\"at\":\"2020-01-01T00:00:00+00:00\"} []")] // fails after
    public void Reading_an_event_back_leaves_new_events_with_fresh_ids_and_times(string payload)
    {
        // A read event is constructed without an id and time of its own (the stored ones are set); nothing of that
        // may leak into the next event the same thread creates, whether the read succeeded or not.
        var serializer = new EventSerializer(EventRegistry.Default);
        var storedId = Guid.CreateVersion7(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var storedAt = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.FromHours(2));
        Event? read = null;
        try
        {
            read = serializer.Deserialize(StreamId.New(), 1, 1, "NoteAdded", Encoding.UTF8.GetBytes(payload), storedId, storedAt, default);
        }
        catch (EventReadException)
        {
        }

        var before = DateTimeOffset.UtcNow;
        var created = new NoteAdded("new", 1, before);
        var another = new TurnedOn();

        if (read is not null)
        {
            Assert.Equal((storedId, storedAt), (read.Id, read.CreatedAt));
        }

        Assert.Equal(7, created.Id.Version);
        Assert.NotEqual(storedId, created.Id);
        Assert.NotEqual(created.Id, another.Id);
        Assert.InRange(created.CreatedAt, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal(7, another.Id.Version);
    }

    [Fact]
    public void Serializing_an_unregistered_type_throws_UnknownEventTypeException()
    {
        var serializer = new EventSerializer(EventRegistry.Default);

        var ex = Assert.Throws<UnknownEventTypeException>(() => serializer.Serialize(new NeverRegistered("x")));

        Assert.Equal(typeof(NeverRegistered), ex.EventType);
    }

    [Theory]
    [InlineData("NoSuchEvent", "{}")]
    [InlineData("NoteAdded", "{\"text\":\"trunc")]
    [InlineData("NoteAdded", "{\"text\":\"x\",\"count\":\"not a number\",\"at\":\"2020-01-01T00:00:00+00:00\"}")]
    [InlineData("TurnedOn", "[]")]
    [InlineData("TurnedOn", "{} {}")]
    public void Unreadable_stored_events_throw_EventReadException_naming_the_event(string name, string payload)
    {
        var serializer = new EventSerializer(EventRegistry.Default);
        var stream = StreamId.New("s");

        var ex = Assert.Throws<EventReadException>(() => serializer.Deserialize(stream, 4, 99, name, Encoding.UTF8.GetBytes(payload), Guid.NewGuid(), DateTimeOffset.UtcNow, default));

        Assert.Equal(stream, ex.StreamId);
        Assert.Equal(4, ex.Version);
        Assert.Equal(99, ex.Position);
        Assert.Equal(name, ex.EventName);
        Assert.Contains(name, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{}", "text")]
    [InlineData("{\"count\":1,\"at\":\"2020-01-01T00:00:00+00:00\"}", "text")]
    [InlineData("{\"text\":\"x\",\"at\":\"2020-01-01T00:00:00+00:00\"}", "count")]
    [InlineData("{\"text\":\"x\"}", "count")]
    [InlineData("{\"text\":\"x\",\"count\":1}", "at")]
    public void A_payload_without_a_value_it_cannot_do_without_names_the_first_one_missing(string payload, string missing)
    {
        var serializer = new EventSerializer(EventRegistry.Default);

        var ex = Assert.Throws<EventReadException>(() => serializer.Deserialize(StreamId.New("s"), 1, 1, "NoteAdded", Encoding.UTF8.GetBytes(payload), Guid.NewGuid(), DateTimeOffset.UtcNow, default));

        Assert.Contains($"has no '{missing}', which has no default value", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_registry_refuses_two_types_under_one_name()
    {
        var first = EventRegistry.Default.GetByType(typeof(TurnedOn));
        var impostor = new EventType(typeof(TurnedOff), first.Name, 1, (_, _) => { }, (ref Utf8JsonReader _, in EventHeader _) => new TurnedOff());

        var ex = Assert.Throws<DuplicateEventNameException>(() => new EventRegistry([first, impostor]));

        Assert.Equal("TurnedOn", ex.Name);
    }

    [Fact]
    public void A_read_error_quotes_at_most_a_kilobyte_of_a_damaged_rows_text_and_keeps_the_rest_in_its_properties()
    {
        var stream = StreamId.New("s");
        var huge = new string('x', 10_000_000);

        var ex = new EventReadException(stream, 2, 7, huge, "the parser said: " + huge, new FormatException(huge));

        Assert.True(ex.Message.Length < 2 * 1024 + 200, $"{ex.Message.Length} characters");
        Assert.Contains($"stream {stream}, version 2, position 7", ex.Message, StringComparison.Ordinal);
        Assert.Contains("more characters)", ex.Message, StringComparison.Ordinal);
        Assert.Equal(huge, ex.EventName);
        Assert.Equal(huge, ex.InnerException!.Message);
    }
}
