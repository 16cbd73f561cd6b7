using Verify = EventSourcery.Analyzers.Tests.Verifiers.AnalyzerVerifier<EventSourcery.Analyzers.EventAnalyzer>;
using VerifyFix = EventSourcery.Analyzers.Tests.Verifiers.CodeFixVerifier<
    EventSourcery.Analyzers.EventAnalyzer,
    EventSourcery.CodeFixes.MakeImmutableCodeFixProvider>;

namespace EventSourcery.Analyzers.Tests;

/// <summary>ES0005: events are immutable facts.</summary>
public class MutableEventTests
{
    [Fact]
    public Task ReportsSettablePropertiesAndWritableFields() => Verify.VerifyAsync("""
        using EventSourcery;

        public sealed record PriceSet : Event
        {
            public decimal {|#0:Price|} { get; set; }
            public string {|#1:Currency|} { get; private set; } = "EUR";
            public int {|#2:Revision|};
            private string? {|#3:_note|}, {|#4:_author|};
            public string? Note => _note ?? _author;
        }

        public abstract record PriceEvent : Event
        {
            protected decimal {|#5:Amount|} { get; set; }
        }
        """,
        Verify.Diagnostic("ES0005").WithLocation(0).WithArguments("PriceSet", "property", "Price"),
        Verify.Diagnostic("ES0005").WithLocation(1).WithArguments("PriceSet", "property", "Currency"),
        Verify.Diagnostic("ES0005").WithLocation(2).WithArguments("PriceSet", "field", "Revision"),
        Verify.Diagnostic("ES0005").WithLocation(3).WithArguments("PriceSet", "field", "_note"),
        Verify.Diagnostic("ES0005").WithLocation(4).WithArguments("PriceSet", "field", "_author"),
        Verify.Diagnostic("ES0005").WithLocation(5).WithArguments("PriceEvent", "property", "Amount"),
        Verify.Diagnostic("ES0010").WithLocation(2).WithArguments("field", "Revision", "PriceSet", FieldReason),
        Verify.Diagnostic("ES0010").WithLocation(3).WithArguments("field", "_note", "PriceSet", FieldReason),
        Verify.Diagnostic("ES0010").WithLocation(4).WithArguments("field", "_author", "PriceSet", FieldReason));

    private const string FieldReason = "only properties are stored; make it a property with an init accessor (or mark it [JsonIgnore] if it must not be stored)";

    [Fact]
    public Task AcceptsImmutableMembers() => Verify.VerifyAsync("""
        using EventSourcery;

        public sealed record PriceSet(decimal Price, string Currency) : Event
        {
            private readonly int _revision;
            public const int MaxRevision = 10;
            public static int Created { get; set; }
            public static int Count;
            public int Revision { get => _revision; init => _revision = value; }
            public string Display => $"{Price} {Currency}";
            public required string Reason { get; init; }
        }

        public sealed class NotAnEvent
        {
            public int Value { get; set; }
            public int Field;
        }
        """);

    [Fact]
    public Task FixMakesEveryMemberAStoredImmutableShape() => VerifyFix.VerifyAsync("""
        using EventSourcery;

        public sealed record PriceSet : Event
        {
            public decimal {|ES0005:Price|} { get; set; }
            public string {|ES0005:Currency|} { get; private set; } = "EUR";
            public int {|ES0005:{|ES0010:Revision|}|};
            internal string {|ES0005:{|ES0010:Who|}|} = "";
            private int {|ES0005:_count|};
            public int {|ES0005:Count|}
            {
                get => _count;
                set => _count = value;
            }
        }
        """, """
        using EventSourcery;

        public sealed record PriceSet : Event
        {
            public decimal Price { get; init; }
            public string Currency { get; private init; } = "EUR";
            public int Revision { get; init; }
            internal string Who { get; init; } = "";
            private readonly int _count;
            public int Count
            {
                get => _count;
                init => _count = value;
            }
        }
        """);

    [Fact]
    public async Task FixIsNotOfferedForAPrivateFieldNoStoredPropertySets()
    {
        // Making it readonly would leave it unstored (ES0010), so there is no fix: the error says what to do.
        const string source = """
            using EventSourcery;

            public sealed record PriceSet(decimal Price) : Event
            {
                int {|ES0005:{|ES0010:_hidden|}|};
                private string? {|ES0005:{|ES0010:_note|}|}, {|ES0005:{|ES0010:_author|}|};
                public int Hidden => _hidden;
            }
            """;
        await VerifyFix.VerifyAsync(source, source);
    }
}
