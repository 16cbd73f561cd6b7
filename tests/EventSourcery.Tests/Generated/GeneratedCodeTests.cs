using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using EventSourcery.Serialization;

namespace EventSourcery.Tests.Generated;

/// <summary>
/// The generated dispatch and JSON codecs at run time, in a project where reflection-based System.Text.Json is
/// switched off, so any use of it would throw.
/// </summary>
public sealed class GeneratedCodeTests
{
    private static readonly EventSerializer Serializer = new(EventRegistry.Default);

    [Fact]
    public void ReflectionBasedJsonIsReallyOffInThisProject()
        => Assert.False(JsonSerializer.IsReflectionEnabledByDefault);

    [Fact]
    public void EveryShapeRoundTripsThroughTheGeneratedCodec()
    {
        var original = NewEverything();
        var copy = Assert.IsType<EverythingHappened>(RoundTrip(original));

        Assert.Equal(original.Id, copy.Id);
        Assert.Equal(original.CreatedAt, copy.CreatedAt);
        Assert.Equal(original.CreatedAt.Offset, copy.CreatedAt.Offset);
        Assert.Equal(original.Metadata, copy.Metadata);
        Assert.Equal((original.Flag, original.B, original.SB, original.S, original.US, original.I, original.UI, original.L, original.UL), (copy.Flag, copy.B, copy.SB, copy.S, copy.US, copy.I, copy.UI, copy.L, copy.UL));
        Assert.Equal((original.F, original.D, original.M, original.C, original.Text, original.MaybeText), (copy.F, copy.D, copy.M, copy.C, copy.Text, copy.MaybeText));
        Assert.Equal((original.G, original.When, original.When.Kind, original.At, original.At.Offset, original.Day, original.Time, original.Span), (copy.G, copy.When, copy.When.Kind, copy.At, copy.At.Offset, copy.Day, copy.Time, copy.Span));
        Assert.Equal(original.Link, copy.Link);
        Assert.Equal(original.Blob, copy.Blob);
        Assert.Equal((original.Priority, original.Colors, original.MaybeInt, original.MaybePriority), (copy.Priority, copy.Colors, copy.MaybeInt, copy.MaybePriority));
        Assert.Equal(original.Numbers, copy.Numbers);
        Assert.Equal(original.Names, copy.Names);
        Assert.Equal(original.Addresses, copy.Addresses);
        Assert.Equal(original.Longs, copy.Longs);
        Assert.Equal(original.Doubles, copy.Doubles);
        Assert.Equal(original.Guids, copy.Guids);
        Assert.Equal(original.MaybeNames, copy.MaybeNames);
        Assert.Equal(original.Set, copy.Set);
        Assert.Equal(original.StringSet, copy.StringSet);
        Assert.Equal(original.Chars, copy.Chars);
        Assert.Equal(original.Immutable.ToArray(), copy.Immutable.ToArray()); // ImmutableArray equality compares the backing array
        Assert.Equal(original.Scores, copy.Scores);
        Assert.Equal(original.ByGuid, copy.ByGuid);
        Assert.Equal(original.ByInt, copy.ByInt);
        Assert.Equal(original.Nested.Keys, copy.Nested.Keys);
        Assert.Equal(original.Nested[5], copy.Nested[5]);
        Assert.Equal(original.Home, copy.Home);
        Assert.Equal((original.Point.X, original.Point.Y), (copy.Point.X, copy.Point.Y));
        Assert.Equal(original.MaybePoint?.X, copy.MaybePoint?.X);
        Assert.Equal((original.Customer.Name, original.Customer.Country), (copy.Customer.Name, copy.Customer.Country));
        Assert.Equal((original.WithDefault, original.Settable), (copy.WithDefault, copy.Settable));
    }

    [Fact]
    public void NullsAndEmptyCollectionsRoundTrip()
    {
        var original = NewEverything() with { MaybeText = null, MaybeInt = null, MaybePriority = null, MaybePoint = null, Names = [], Scores = [] };
        var copy = Assert.IsType<EverythingHappened>(RoundTrip(original));
        Assert.Null(copy.MaybeText);
        Assert.Null(copy.MaybeInt);
        Assert.Null(copy.MaybePriority);
        Assert.Null(copy.MaybePoint);
        Assert.Empty(copy.Names);
        Assert.Empty(copy.Scores);
    }

    [Fact]
    public void EventsAreStoredUnderTheirStableNameAndVersionWithCamelCaseProperties()
    {
        var serialized = Serializer.Serialize(new PriceChanged(12.5m, "PLN") { Reason = "sale" });
        Assert.Equal("PriceChanged", serialized.Type.Name);
        Assert.Equal(1, serialized.Type.SchemaVersion);
        Assert.Equal("""{"amount":12.5,"currency":"PLN","reason":"sale"}""", serialized.Payload);

        var everything = Serializer.Serialize(NewEverything());
        Assert.Equal("everything_happened", everything.Type.Name);
        Assert.Equal(3, everything.Type.SchemaVersion);
        Assert.Contains("\"priority\":\"High\"", everything.Payload, StringComparison.Ordinal);
        Assert.DoesNotContain("\"computed\"", everything.Payload.Replace("\"computed\":\"hello!\"", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void OldPayloadsMissingNewPropertiesGetTheDeclaredDefaults()
    {
        var read = Assert.IsType<PriceChanged>(Read("PriceChanged", """{"amount":3}"""));
        Assert.Equal(3m, read.Amount);
        Assert.Equal("EUR", read.Currency);
        Assert.Equal("unspecified", read.Reason);
    }

    [Fact]
    public void UnknownPropertiesAreSkippedAndEnumsReadFromNumbers()
    {
        var read = Assert.IsType<PriceChanged>(Read("PriceChanged", """{"later":{"deep":[1,2,{"x":null}]},"amount":1,"currency":"USD","reason":"r"}"""));
        Assert.Equal(("USD", "r"), (read.Currency, read.Reason));
    }

    [Fact]
    public void PropertiesAreReadInAnyOrderAndTheLastOfARepeatedOneWins()
    {
        var read = Assert.IsType<PriceChanged>(Read("PriceChanged", """{"reason":"first","currency":"USD","x":[],"amount":2,"reason":"last"}"""));
        Assert.Equal((2m, "USD", "last"), (read.Amount, read.Currency, read.Reason));

        // Every shape, its properties written in the reverse order, reads back to the same event.
        var serialized = Serializer.Serialize(NewEverything());
        var payload = serialized.Payload;
        using var document = JsonDocument.Parse(payload);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in document.RootElement.EnumerateObject().Reverse())
            {
                property.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        var reversed = Encoding.UTF8.GetString(buffer.WrittenSpan);
        Assert.NotEqual(payload, reversed);
        Assert.Equal(payload, Serializer.Serialize(Read(serialized.Type.Name, reversed)).Payload);
    }

    [Theory]
    [InlineData("""{"amount":""", "'amount' of")]
    [InlineData("""{"amount":"not a number"}""", "'amount' of")]
    [InlineData("""[1,2]""", "JSON object")]
    [InlineData("""{"amount":null}""", "Null")]
    [InlineData("""{"currency":"PLN"}""", "amount")]
    public void CorruptPayloadsThrowEventReadExceptionNamingTheEvent(string payload, string expectedInMessage)
    {
        var streamId = StreamId.New("prices");
        var ex = Assert.Throws<EventReadException>(() => Serializer.Deserialize(streamId, 4, 17, "PriceChanged", Encoding.UTF8.GetBytes(payload), Guid.NewGuid(), DateTimeOffset.UtcNow, default));
        Assert.Equal(streamId, ex.StreamId);
        Assert.Equal(4, ex.Version);
        Assert.Equal(17, ex.Position);
        Assert.Equal("PriceChanged", ex.EventName);
        Assert.Contains("PriceChanged", ex.Message, StringComparison.Ordinal);
        Assert.Contains(streamId.ToString(), ex.Message, StringComparison.Ordinal);
        Assert.Contains(expectedInMessage, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnErrorInsideAnUnknownPropertyIsNotBlamedOnTheOneBeforeIt()
    {
        var ex = Assert.Throws<EventReadException>(() => Read("PriceChanged", """{"amount":1,"later":[1,}"""));
        Assert.DoesNotContain("'amount'", ex.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<JsonException>(ex.InnerException);

        // An event with personal data reads through its own loop (it opens the sealed "$pd" in it): the same there.
        var name = Serializer.Serialize(new EventSourcery.StoreContract.CustomerEmailChanged("c-1", "a@example.com", "b@example.com")).Type.Name;
        var personal = Assert.Throws<EventReadException>(() => Read(name, """{"customerKey":"c-1","later":[1,}"""));
        Assert.DoesNotContain("'customerKey'", personal.Message, StringComparison.Ordinal);
        Assert.Equal("c-1", Assert.IsType<EventSourcery.StoreContract.CustomerEmailChanged>(Read(name, """{"customerKey":"c-1","later":[1],"email":"e","previousEmail":"p"}""")).CustomerKey);
    }

    public static TheoryData<string, Func<EverythingHappened, EverythingHappened>, string> Unstorable => new()
    {
        { "a string", e => e with { Text = "a\uD800b" }, "Property 'Text' of EventSourcery.Tests.Generated.EverythingHappened holds a string with an unpaired UTF-16 surrogate at index 1" },
        { "a nullable string", e => e with { MaybeText = "\uDC00" }, "Property 'MaybeText' of EventSourcery.Tests.Generated.EverythingHappened holds a string with an unpaired UTF-16 surrogate at index 0" },
        { "an init-only string", e => e with { WithDefault = "😀\uD83D" }, "Property 'WithDefault' of EventSourcery.Tests.Generated.EverythingHappened holds a string with an unpaired UTF-16 surrogate at index 2" },
        { "a char", e => e with { C = '\uD800' }, "Property 'C' of EventSourcery.Tests.Generated.EverythingHappened holds the lone UTF-16 surrogate char U+D800" },
        { "a list item", e => e with { Names = ["ok", "x\uDFFF"] }, "Property 'Names' of EventSourcery.Tests.Generated.EverythingHappened holds a string with an unpaired UTF-16 surrogate at index 1" },
        { "a nullable collection item", e => e with { MaybeNames = [null, "\uD800"] }, "Property 'MaybeNames' of EventSourcery.Tests.Generated.EverythingHappened holds a string" },
        { "a set item", e => e with { StringSet = new HashSet<string> { "\uDC00" } }, "Property 'StringSet' of EventSourcery.Tests.Generated.EverythingHappened holds a string" },
        { "a char in a set", e => e with { Chars = new HashSet<char> { 'a', '\uDC00' } }, "Property 'Chars' of EventSourcery.Tests.Generated.EverythingHappened holds the lone UTF-16 surrogate char U+DC00" },
        { "a dictionary key", e => e with { Scores = new Dictionary<string, int> { ["ok"] = 1, ["k\uD800"] = 2 } }, "Property 'Scores' of EventSourcery.Tests.Generated.EverythingHappened holds a dictionary key with an unpaired UTF-16 surrogate at index 1" },
        { "a dictionary value", e => e with { ByInt = new Dictionary<int, string?> { [1] = "\uD800" } }, "Property 'ByInt' of EventSourcery.Tests.Generated.EverythingHappened holds a string" },
        { "a nested record", e => e with { Home = new Address("Main \uD800", 1, null) }, "Property 'Street' of EventSourcery.Tests.Generated.Address holds a string" },
        { "a record nested in a list", e => e with { Addresses = [new Address("ok", 1, new Address("\uDC00", null, null))] }, "Property 'Street' of EventSourcery.Tests.Generated.Address holds a string" },
        { "a record nested in a dictionary", e => e with { ByGuid = new Dictionary<Guid, Address> { [Guid.NewGuid()] = new("\uD800", 2, null) } }, "Property 'Street' of EventSourcery.Tests.Generated.Address holds a string" },
        { "a nested class", e => e with { Customer = new Customer { Name = "Ann", Country = "\uD800" } }, "Property 'Country' of EventSourcery.Tests.Generated.Customer holds a string" },
        { "a NaN", e => e with { D = double.NaN }, "Property 'D' of EventSourcery.Tests.Generated.EverythingHappened holds NaN" },
        { "an infinite float", e => e with { F = float.NegativeInfinity }, "Property 'F' of EventSourcery.Tests.Generated.EverythingHappened holds -Infinity" },
        { "an infinite collection item", e => e with { Doubles = [1, double.PositiveInfinity] }, "Property 'Doubles' of EventSourcery.Tests.Generated.EverythingHappened holds Infinity" },
    };

    [Theory]
    [MemberData(nameof(Unstorable))]
    public void A_value_that_would_not_read_back_unchanged_is_refused_naming_its_type_and_property(string what, Func<EverythingHappened, EverythingHappened> change, string expected)
    {
        var valid = NewEverything();
        Assert.IsType<EverythingHappened>(RoundTrip(valid));

        var ex = Assert.Throws<ArgumentException>(() => Serializer.Serialize(change(valid)));
        Assert.True(ex.Message.StartsWith(expected, StringComparison.Ordinal), $"{what}: {ex.Message}");
    }

    [Fact]
    public void MissingNullableOrRequiredMembersAreHandledByTheirOwnRules()
    {
        var address = Assert.IsType<EverythingHappened>(RoundTrip(NewEverything())).Home;
        Assert.Equal("Home", address.Street);

        // Address(string Street, int? Number, Address? Previous): the nullable ones may be missing, Street may not.
        Assert.Equal(new Address("S", null, null), ReadAddress("""{"street":"S"}"""));
        var ex = Assert.Throws<JsonException>(() => ReadAddress("""{"number":1}"""));
        Assert.Contains("'street'", ex.Message, StringComparison.Ordinal);

        // Customer has a `required` Name.
        var required = Assert.Throws<JsonException>(() => ReadCustomer("""{"country":"DE"}"""));
        Assert.Contains("'name'", required.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RegistryFindsEventsOfThisAndOfReferencedAssemblies()
    {
        Assert.True(EventRegistry.Default.TryGetByName("everything_happened", out var own));
        Assert.Equal(typeof(EverythingHappened), own.Type);
        Assert.Same(own, EventRegistry.Default.GetByType(typeof(EverythingHappened)));

        // EventSourcery.StoreContract is a separate assembly with its own generated registry; this assembly's
        // module initializer registered it too, without any of its types being touched first.
        Assert.Contains(EventRegistry.Default.EventTypes, t => t.Type.Assembly.GetName().Name == "EventSourcery.StoreContract");
    }

    [Fact]
    public void DispatchCallsTheMostDerivedApplyFirst()
    {
        var panel = new Panel();
        panel.On();
        panel.Off("night");
        panel.OffHard("fire");
        Assert.Equal(["on", "off:night", "hard:9"], panel.Log);
        Assert.Equal(3, panel.Changes.Count);
    }

    [Fact]
    public void AnEventWithoutApplyThrowsNamingTheAggregateAndTheEvent()
    {
        var panel = new Panel();
        var ex = Assert.Throws<UnhandledEventException>(panel.Break);
        Assert.Equal(typeof(Panel), ex.AggregateType);
        Assert.Equal(typeof(NeverHandled), ex.EventType);
        Assert.Contains("Panel has no Apply method for NeverHandled", ex.Message, StringComparison.Ordinal);
        Assert.Empty(panel.Changes);
    }

    [Fact]
    public void DerivedAggregatesFallBackToTheBaseDispatch()
    {
        var panel = new DerivedPanel();
        panel.On();
        panel.Off();
        Assert.Equal(["base-on", "derived-off"], panel.Log);
    }

    [Fact]
    public void ANonPartialAggregateFailsClearlyAtRunTime()
    {
        var ex = Assert.Throws<UnhandledEventException>(new NotPartialPanel().On);
        Assert.Contains("partial", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ES0001", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheGeneratedFactoryLetsTheRepositoryRebuildAggregates()
    {
        var store = new InMemoryEventStore();
        var panels = new Repository<Panel>(store);
        var id = StreamId.New("panel");
        await panels.NewAsync(id, p => { p.On(); p.OffHard("x"); });
        var loaded = await panels.LoadAsync(id);
        Assert.NotNull(loaded);
        Assert.Equal(["on", "hard:9"], loaded.Log);
        Assert.Equal(2, loaded.Version);
    }

    private static Address ReadAddress(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        return global::EventSourcery.Generated.EventSourceryJson_EventSourcery_Tests.Read_EventSourcery_Tests_Generated_Address(ref reader);
    }

    private static Customer ReadCustomer(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        return global::EventSourcery.Generated.EventSourceryJson_EventSourcery_Tests.Read_EventSourcery_Tests_Generated_Customer(ref reader);
    }

    private static Event RoundTrip(Event e)
    {
        var serialized = Serializer.Serialize(e);
        var metadata = serialized.Metadata is null ? default : Encoding.UTF8.GetBytes(serialized.Metadata).AsSpan();
        return Serializer.Deserialize(StreamId.New(), 1, 1, serialized.Type.Name, Encoding.UTF8.GetBytes(serialized.Payload), e.Id, e.CreatedAt, metadata);
    }

    private static Event Read(string name, string payload)
        => Serializer.Deserialize(StreamId.New(), 1, 1, name, Encoding.UTF8.GetBytes(payload), Guid.NewGuid(), DateTimeOffset.UtcNow, default);

    private static EverythingHappened NewEverything() => new(
        true, 200, -5, -300, 60000, 42, 4_000_000_000, -9_000_000_000, 18_000_000_000_000_000_000,
        1.5f, Math.PI, 79_228_162_514_264_337_593_543.9503m, 'ż', "hello", "maybe",
        Guid.NewGuid(), new DateTime(2024, 2, 29, 23, 59, 59, DateTimeKind.Utc).AddTicks(1234567), new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(5.5)).AddTicks(7),
        new DateOnly(2024, 12, 31), new TimeOnly(23, 59, 59, 999).Add(TimeSpan.FromTicks(9)), TimeSpan.FromDays(1.5) + TimeSpan.FromTicks(3),
        new Uri("https://example.org/a?b=c"), [0, 1, 2, 255],
        Priority.Urgent, Colors.Red | Colors.Blue, 5, Priority.Low,
        [1, 2, 3], ["a", "b"], [new Address("Main", 1, new Address("Old", null, null))], [1L, 2L], [0.5, 1.5],
        [Guid.NewGuid()], ["x", null], [1, 2], new HashSet<string> { "s" }, new HashSet<char> { 'a', 'b' },
        ImmutableArray.Create(7, 8), new Dictionary<string, int> { ["one"] = 1 }, new Dictionary<Guid, Address> { [Guid.NewGuid()] = new("G", 2, null) },
        new Dictionary<int, string?> { [1] = "one", [2] = null }, new Dictionary<long, List<int>> { [5] = [5, 6] },
        new Address("Home", 10, null), new Point { X = 3, Y = 4 }, new Point { X = -1, Y = -2 }, new Customer { Name = "Ann", Country = "DE" })
    {
        WithDefault = "changed",
        Settable = 99,
        CreatedAt = new DateTimeOffset(2023, 5, 6, 7, 8, 9, TimeSpan.FromHours(-3)).AddTicks(1),
        Metadata = new EventMetadata { CorrelationId = Guid.NewGuid(), CausationId = Guid.NewGuid(), Extra = new Dictionary<string, string> { ["user"] = "ann" } },
    };
}
