using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EventSourcery.Serialization;
using EventSourcery.StoreContract;

namespace EventSourcery.Tests;

/// <summary>
/// How an <see cref="EventType"/> reads its older versions (<see cref="EventVersion"/>): JSON steps, typed shapes and
/// both in one chain, with the stored header; and how the registry finds a type by an older name.
/// </summary>
public sealed class UpcastingTests
{
    private static readonly StreamId Stream = StreamId.New("price");
    private static readonly Guid Id = Guid.CreateVersion7();
    private static readonly DateTimeOffset At = new DateTimeOffset(2025, 3, 1, 8, 30, 0, TimeSpan.FromHours(2)).AddTicks(1234);
    private static readonly Guid Correlation = Guid.CreateVersion7();
    private static readonly EventType Current = EventRegistry.Default.GetByType(typeof(PriceSet));

    [Fact]
    public void A_json_step_rewrites_an_old_payload_into_the_current_shape_with_the_stored_header()
    {
        var serializer = Serializer(EventVersion.Json("price_set", 2, AddCurrency));

        var metadata = EventSerializer.SerializeMetadata(new EventMetadata { CorrelationId = Correlation })!;

        var read = Read(serializer, "price_set", 2, """{"amount":5}""", metadata);

        Assert.Equal(new PriceSet(5m, "EUR") { Id = Id, CreatedAt = At }, read with { Metadata = EventMetadata.Empty });
        Assert.Equal(Correlation, read.Metadata.CorrelationId);
    }

    [Fact]
    public void A_typed_version_is_read_by_its_reader_and_keeps_the_stored_id_and_time_whatever_the_reader_set()
    {
        var serializer = Serializer(EventVersion.Typed("price_set", 2, ReadV2));

        var read = Read(serializer, "price_set", 2, """{"amount":7}""");

        Assert.Equal(new PriceSet(7m, "USD") { Id = Id, CreatedAt = At }, read);
    }

    [Fact]
    public void Json_steps_run_first_then_the_typed_version_they_reach_under_an_older_name()
    {
        var serializer = Serializer(EventVersion.Json("PriceChanged", 1, RenameValue), EventVersion.Typed("price_set", 2, ReadV2));

        var read = Read(serializer, "PriceChanged", 1, """{"value":9}""");

        Assert.Equal(new PriceSet(9m, "USD") { Id = Id, CreatedAt = At }, read);
        Assert.True(serializer.Registry.TryGetByName("PriceChanged", out var byOldName));
        Assert.Same(serializer.Registry.GetByType(typeof(PriceSet)), byOldName);
    }

    [Theory]
    [InlineData(0)] // rows from before versions were stored
    [InlineData(1)] // a version whose change needed no upcaster
    [InlineData(3)] // the current version
    [InlineData(4)] // written by a newer build
    public void A_version_without_an_upcaster_reads_with_the_current_shape(int version)
    {
        var serializer = Serializer(EventVersion.Json("price_set", 2, AddCurrency));

        Assert.Equal(new PriceSet(1m, "CHF") { Id = Id, CreatedAt = At }, Read(serializer, "price_set", version, """{"amount":1,"currency":"CHF"}"""));
    }

    [Fact]
    public void A_step_that_fails_or_returns_null_is_an_EventReadException_naming_the_row_with_the_step_inside()
    {
        var failing = Serializer(EventVersion.Json("price_set", 2, _ => throw new InvalidOperationException("no amount")));
        var returningNull = Serializer(EventVersion.Json("price_set", 2, _ => null!));

        foreach (var serializer in new[] { failing, returningNull })
        {
            var ex = Assert.Throws<EventReadException>(() => Read(serializer, "price_set", 2, """{"amount":5}"""));

            Assert.Equal((Stream, 4L, 40L, "price_set"), (ex.StreamId, ex.Version, ex.Position, ex.EventName));
            Assert.Contains("version 2", ex.Message, StringComparison.Ordinal);
            var step = Assert.IsType<EventUpcastException>(ex.InnerException);
            Assert.Equal(("price_set", 2), (step.EventName, step.SchemaVersion));
        }
    }

    [Fact]
    public void An_old_payload_that_does_not_fit_its_typed_shape_is_an_EventReadException()
    {
        var serializer = Serializer(EventVersion.Typed("price_set", 2, ReadV2));

        var ex = Assert.Throws<EventReadException>(() => Read(serializer, "price_set", 2, """{"amount":"seven"}"""));

        Assert.Contains("does not fit", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Older_versions_must_be_below_the_current_one_and_one_per_version()
    {
        Assert.Throws<ArgumentException>(() => Type(EventVersion.Json("price_set", 3, AddCurrency)));
        Assert.Throws<ArgumentException>(() => Type(EventVersion.Json("price_set", 2, AddCurrency), EventVersion.Typed("price_set", 2, ReadV2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => EventVersion.Json("price_set", 0, AddCurrency));
    }

    [Fact]
    public void An_older_name_that_another_type_uses_is_refused_by_the_registry()
    {
        var other = EventRegistry.Default.GetByType(typeof(TurnedOn));

        var ex = Assert.Throws<DuplicateEventNameException>(() => new EventRegistry([other, Type(EventVersion.Json(other.Name, 1, AddCurrency))]));

        Assert.Equal(other.Name, ex.Name);
    }

    private static JsonObject AddCurrency(JsonObject payload)
    {
        payload["currency"] = "EUR";
        return payload;
    }

    private static JsonObject RenameValue(JsonObject payload)
    {
        payload["amount"] = payload["value"]!.DeepClone();
        payload.Remove("value");
        return payload;
    }

    /// <summary>The v2 shape, read by hand (as generated code would): an amount, priced in dollars then.</summary>
    private static Event ReadV2(ref Utf8JsonReader reader, in EventHeader header)
    {
        decimal amount = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            if (name == "amount")
            {
                amount = reader.TokenType == JsonTokenType.Number ? reader.GetDecimal() : throw new JsonException("The amount is not a number.");
            }
        }

        return new PriceSet(amount, "USD"); // a fresh id and time: the stored ones replace them
    }

    private static EventType Type(params EventVersion[] older)
        => new(typeof(PriceSet), "price_set", 3, Current.WritePayload, (ref Utf8JsonReader reader, in EventHeader header) => ReadCurrent(ref reader, header), older);

    private static Event ReadCurrent(ref Utf8JsonReader reader, in EventHeader header)
        => global::EventSourcery.Generated.EventSourceryJson_EventSourcery_Tests.Read_EventSourcery_Tests_PriceSet(ref reader, header);

    private static EventSerializer Serializer(params EventVersion[] older) => new(new EventRegistry([Type(older)]));

    private static Event Read(EventSerializer serializer, string name, int schemaVersion, string payload, string metadata = "")
        => serializer.Deserialize(Stream, 4, 40, name, schemaVersion, Encoding.UTF8.GetBytes(payload), Id, At, Encoding.UTF8.GetBytes(metadata));
}

/// <summary>A price, now with its currency (v3 in these tests' hand-made registries).</summary>
public sealed record PriceSet(decimal Amount, string Currency) : Event;
