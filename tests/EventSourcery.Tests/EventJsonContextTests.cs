using System.Text.Json;
using EventSourcery.Generated;
using EventSourcery.Serialization;
using EventSourcery.StoreContract;

namespace EventSourcery.Tests;

/// <summary>The generated JsonSerializerContext of an assembly's events: System.Text.Json through the generated codecs.</summary>
public sealed class EventJsonContextTests
{
    private static readonly EventSerializer Plain = new(EventRegistry.Default);

    [Fact]
    public void An_event_is_written_as_the_payload_the_store_keeps_and_read_back()
    {
        var note = new NoteAdded("hello \"world\"", 3, new DateTimeOffset(2026, 12, 4, 13, 0, 0, TimeSpan.FromHours(1)));

        var json = JsonSerializer.Serialize(note, EventJsonContext_EventSourcery_StoreContract.Default.EventSourcery_StoreContract_NoteAdded);
        Assert.Equal(Plain.Serialize(note).Payload, json);

        var read = JsonSerializer.Deserialize(json, EventJsonContext_EventSourcery_StoreContract.Default.EventSourcery_StoreContract_NoteAdded)!;
        Assert.Equal((note.Text, note.Count, note.At), (read.Text, read.Count, read.At));
        Assert.NotEqual(note.Id, read.Id); // a new event: its own id
    }

    [Fact]
    public void Options_that_resolve_through_the_context_need_no_reflection_and_write_personal_data_in_plain_text()
    {
        var options = new JsonSerializerOptions { TypeInfoResolver = EventJsonContext_EventSourcery_StoreContract.Default };
        var changed = new CustomerEmailChanged("c-1", "ada@example.org", "ada@example.com");

        var json = JsonSerializer.Serialize(changed, options);
        Assert.Equal(Plain.Serialize(changed).Payload, json);
        Assert.Contains("\"email\":\"ada@example.org\"", json, StringComparison.Ordinal);
        var read = JsonSerializer.Deserialize<CustomerEmailChanged>(json, options)!;
        Assert.Equal((changed.CustomerKey, changed.Email, changed.PreviousEmail), (read.CustomerKey, read.Email, read.PreviousEmail));

        // A type the context does not describe is refused, not serialized by reflection.
        Assert.Throws<NotSupportedException>(() => JsonSerializer.Serialize(new Uri("https://example.com"), options));
    }

    [Fact]
    public async Task Recorded_events_and_events_typed_as_Event_keep_their_own_data_and_type_name()
    {
        var store = new InMemoryEventStore();
        var id = StreamId.FromName("kitchen", "light");
        await store.AppendAsync(id, [new NoteAdded("bulb", 1, DateTimeOffset.UnixEpoch), new TurnedOn()], ExpectedVersion.NoStream);
        var recorded = await Read.StreamAsync(store, id);
        var options = new JsonSerializerOptions { TypeInfoResolver = EventJsonContext_EventSourcery_StoreContract.Default };

        var json = JsonSerializer.Serialize(recorded, options);
        using (var document = JsonDocument.Parse(json))
        {
            var first = document.RootElement[0];
            Assert.Equal(("kitchen", "light", 1L, "NoteAdded"), (first.GetProperty("streamName").GetString(), first.GetProperty("category").GetString(), first.GetProperty("version").GetInt64(), first.GetProperty("eventName").GetString()));
            Assert.Equal("NoteAdded", first.GetProperty("event").GetProperty("$type").GetString());
            Assert.Equal("bulb", first.GetProperty("event").GetProperty("text").GetString());
            Assert.Equal("TurnedOn", document.RootElement[1].GetProperty("event").GetProperty("$type").GetString());
        }

        var back = JsonSerializer.Deserialize<IReadOnlyList<RecordedEvent>>(json, options)!;
        Assert.Equal(recorded.Select(r => (r.StreamId, r.Version, r.Position, r.EventName, r.Event.Id, r.Event.CreatedAt)), back.Select(r => (r.StreamId, r.Version, r.Position, r.EventName, r.Event.Id, r.Event.CreatedAt)));
        Assert.Equal("bulb", Assert.IsType<NoteAdded>(back[0].Event).Text);

        Event[] events = [.. recorded.Select(r => r.Event)];
        var asEvents = JsonSerializer.Deserialize<Event[]>(JsonSerializer.Serialize(events, options), options)!;
        Assert.Equal(["NoteAdded", "TurnedOn"], asEvents.Select(e => e.GetType().Name));
    }

    [Fact]
    public void The_context_describes_its_events_and_the_types_their_properties_use_and_nothing_else()
    {
        var context = EventJsonContext_EventSourcery_StoreContract.Default;
        Assert.NotNull(context.GetTypeInfo(typeof(TurnedOn)));
        Assert.NotNull(context.GetTypeInfo(typeof(CustomerRegistered)));
        Assert.Null(context.GetTypeInfo(typeof(string)));
        Assert.Null(context.GetTypeInfo(typeof(Counter))); // an aggregate, not stored as JSON

        // A record an event holds: the same JSON as inside the event's payload.
        var address = new PostalAddress("742 Evergreen Terrace", "Springfield");
        var json = JsonSerializer.Serialize(address, context.EventSourcery_StoreContract_PostalAddress);
        Assert.Equal("""{"street":"742 Evergreen Terrace","city":"Springfield"}""", json);
        Assert.Equal(address, JsonSerializer.Deserialize(json, context.EventSourcery_StoreContract_PostalAddress));
    }

    [Fact]
    public void Each_registered_event_carries_its_own_metadata_and_the_shared_resolver_serves_it()
    {
        // Registered by generated code through EventType.Create<T>, so the registration knows its type.
        Assert.True(EventRegistry.Default.TryGetByType(typeof(NoteAdded), out var registered));
        Assert.False(EventRegistry.Default.TryGetByType(typeof(Counter), out _));
        var options = new JsonSerializerOptions { TypeInfoResolver = EventJsonTypeInfoResolver.Default };
        var info = Assert.IsAssignableFrom<System.Text.Json.Serialization.Metadata.JsonTypeInfo<NoteAdded>>(registered.CreateJsonTypeInfo(options));

        var note = new NoteAdded("by the registry", 2, DateTimeOffset.UnixEpoch);
        Assert.Equal(Plain.Serialize(note).Payload, JsonSerializer.Serialize(note, info));
        Assert.Equal(Plain.Serialize(note).Payload, JsonSerializer.Serialize(note, options)); // the shared resolver, no context
        Assert.Equal("by the registry", JsonSerializer.Deserialize<NoteAdded>(Plain.Serialize(note).Payload, options)!.Text);

        // A registration made by its constructor does not know its type at compile time: no metadata.
        var described = new EventType(typeof(NoteAdded), "NoteAdded", 1, registered.WritePayload, (ref System.Text.Json.Utf8JsonReader reader, in EventHeader header) => throw new InvalidOperationException());
        Assert.Null(described.CreateJsonTypeInfo(options));
    }
}
