using Verify = EventSourcery.Analyzers.Tests.Verifiers.AnalyzerVerifier<EventSourcery.Analyzers.EventAnalyzer>;
using VerifyFix = EventSourcery.Analyzers.Tests.Verifiers.CodeFixVerifier<
    EventSourcery.Analyzers.EventAnalyzer,
    EventSourcery.CodeFixes.AddEventNameCodeFixProvider>;

namespace EventSourcery.Analyzers.Tests;

/// <summary>ES0004: stable names are unique across the compilation.</summary>
public class DuplicateEventNameTests
{
    [Fact]
    public Task ReportsEventsWithTheSameSimpleNameInDifferentNamespaces()
    {
        var test = new Verify.Test();
        test.TestState.Sources.Add(("Sales.cs", """
            using EventSourcery;

            namespace Sales;

            public sealed record {|#0:OrderPlaced|}(string Customer) : Event;
            """));
        test.TestState.Sources.Add(("Shipping.cs", """
            using EventSourcery;

            namespace Shipping;

            public sealed record {|#1:OrderPlaced|} : Event;
            """));
        test.ExpectedDiagnostics.Add(Verify.Diagnostic("ES0004").WithLocation(0).WithArguments("Sales.OrderPlaced", "OrderPlaced", "Shipping.OrderPlaced"));
        test.ExpectedDiagnostics.Add(Verify.Diagnostic("ES0004").WithLocation(1).WithArguments("Shipping.OrderPlaced", "OrderPlaced", "Sales.OrderPlaced"));
        return test.RunAsync();
    }

    [Fact]
    public Task ReportsAnEventNameThatCollidesWithAnotherNameOrATypeName() => Verify.VerifyAsync("""
        using EventSourcery;

        [EventName("turned_on")]
        public sealed record {|#0:TurnedOn|} : Event;

        [EventName("turned_on")]
        public sealed record {|#1:SwitchedOn|} : Event;

        [EventName("TurnedOff")]
        public sealed record {|#2:SwitchedOff|} : Event;

        public static class Nested
        {
            public sealed record {|#3:TurnedOff|} : Event;
        }
        """,
        Verify.Diagnostic("ES0004").WithLocation(1).WithArguments("SwitchedOn", "turned_on", "TurnedOn"),
        Verify.Diagnostic("ES0004").WithLocation(0).WithArguments("TurnedOn", "turned_on", "SwitchedOn"),
        Verify.Diagnostic("ES0004").WithLocation(3).WithArguments("Nested.TurnedOff", "TurnedOff", "SwitchedOff"),
        Verify.Diagnostic("ES0004").WithLocation(2).WithArguments("SwitchedOff", "TurnedOff", "Nested.TurnedOff"));

    [Fact]
    public Task NamesEveryOtherTypeWhenThreeCollide() => Verify.VerifyAsync("""
        using EventSourcery;

        namespace A { public sealed record {|#0:Pinged|} : Event; }
        namespace B { public sealed record {|#1:Pinged|} : Event; }
        namespace C { public sealed record {|#2:Pinged|} : Event; }
        """,
        Verify.Diagnostic("ES0004").WithLocation(0).WithArguments("A.Pinged", "Pinged", "B.Pinged', 'C.Pinged"),
        Verify.Diagnostic("ES0004").WithLocation(1).WithArguments("B.Pinged", "Pinged", "A.Pinged', 'C.Pinged"),
        Verify.Diagnostic("ES0004").WithLocation(2).WithArguments("C.Pinged", "Pinged", "A.Pinged', 'B.Pinged"));

    [Fact]
    public Task AcceptsDistinctNamesAndIgnoresWhatIsNotRegistered() => Verify.VerifyAsync("""
        using EventSourcery;

        namespace Sales
        {
            [EventName("sales.order_placed")]
            public sealed record OrderPlaced : Event;

            public abstract record OrderEvent : Event;
        }

        namespace Shipping
        {
            public sealed record OrderPlaced : Event;

            public abstract record OrderEvent : Event;

            // generic and private events are not registered by the generator, so they cannot collide
            public sealed record Wrapped<T> : Event;

            public sealed class Holder
            {
                private sealed record OrderPlaced : Event;
            }
        }

        namespace Other
        {
            public sealed record Wrapped<T> : Event;
        }
        """);

    [Fact]
    public Task AnOldShapeReadByATypedUpcasterSharesItsEventsNameWithoutAReport() => Verify.VerifyAsync("""
        using EventSourcery;

        [EventName("order_placed", Version = 2)]
        public sealed record OrderPlaced(string OrderId, decimal Total) : Event;

        [EventName("order_placed")]
        public sealed record OrderPlacedV1(string OrderId) : Event;

        public static class Upcasts
        {
            [Upcaster]
            public static OrderPlaced ToV2(OrderPlacedV1 old) => new(old.OrderId, 0m);
        }
        """);

    [Fact]
    public Task AnEventUsedOnlyByAJsonStepOrAsAStepsResultIsStillChecked() => Verify.VerifyAsync("""
        using System.Text.Json.Nodes;
        using EventSourcery;

        [EventName("order_placed", Version = 2)]
        public sealed record {|#0:OrderPlaced|}(string OrderId) : Event;

        [EventName("order_placed")]
        public sealed record {|#1:OrderPlacedAgain|}(string OrderId) : Event;

        public static class Upcasts
        {
            [Upcaster(typeof(OrderPlaced), 1)]
            public static JsonObject ToV2(JsonObject payload) => payload;

            [Upcaster]
            public static OrderPlacedAgain Again(PlainShape old) => new(old.OrderId);
        }

        [EventName("order_placed", Version = 3)]
        public sealed record PlainShape(string OrderId);

        public static class Unused
        {
        }
        """,
        Verify.Diagnostic("ES0004").WithLocation(0).WithArguments("OrderPlaced", "order_placed", "OrderPlacedAgain"),
        Verify.Diagnostic("ES0004").WithLocation(1).WithArguments("OrderPlacedAgain", "order_placed", "OrderPlaced"));

    [Fact]
    public Task FixAddsANamespaceQualifiedEventName() => new VerifyFix.Test
    {
        CodeFixTestBehaviors = CompilationEndFix,
        TestCode = """
            using EventSourcery;

            namespace Sales
            {
                public sealed record {|ES0004:OrderPlaced|}(string Customer) : Event;
            }

            namespace Shipping
            {
                /// <summary>Shipping's view of an order.</summary>
                public sealed record {|ES0004:OrderPlaced|} : Event;
            }
            """,

        // One fix resolves the collision for both types: the other keeps its name.
        FixedCode = """
            using EventSourcery;

            namespace Sales
            {
                [EventName("Sales.OrderPlaced")]
                public sealed record OrderPlaced(string Customer) : Event;
            }

            namespace Shipping
            {
                /// <summary>Shipping's view of an order.</summary>
                public sealed record OrderPlaced : Event;
            }
            """,

        // Fix All names both.
        BatchFixedCode = """
            using EventSourcery;

            namespace Sales
            {
                [EventName("Sales.OrderPlaced")]
                public sealed record OrderPlaced(string Customer) : Event;
            }

            namespace Shipping
            {
                /// <summary>Shipping's view of an order.</summary>
                [EventName("Shipping.OrderPlaced")]
                public sealed record OrderPlaced : Event;
            }
            """,
    }.RunAsync();

    [Fact]
    public Task FixQualifiesTheAttributeWithoutAUsing() => new VerifyFix.Test
    {
        CodeFixTestBehaviors = CompilationEndFix,
        TestCode = """
            namespace Sales
            {
                public sealed record {|ES0004:OrderPlaced|} : EventSourcery.Event;

                public static class Nested
                {
                    public sealed record {|ES0004:OrderPlaced|} : EventSourcery.Event;
                }
            }
            """,
        FixedCode = """
            namespace Sales
            {
                [EventSourcery.EventName("Sales.OrderPlaced")]
                public sealed record OrderPlaced : EventSourcery.Event;

                public static class Nested
                {
                    public sealed record OrderPlaced : EventSourcery.Event;
                }
            }
            """,
        BatchFixedCode = """
            namespace Sales
            {
                [EventSourcery.EventName("Sales.OrderPlaced")]
                public sealed record OrderPlaced : EventSourcery.Event;

                public static class Nested
                {
                    [EventSourcery.EventName("Sales.Nested.OrderPlaced")]
                    public sealed record OrderPlaced : EventSourcery.Event;
                }
            }
            """,
    }.RunAsync();

    [Fact]
    public Task OffersNoFixForAnExplicitEventName()
    {
        const string Source = """
            using EventSourcery;

            [EventName("switched")]
            public sealed record {|ES0004:TurnedOn|} : Event;

            [EventName("switched")]
            public sealed record {|ES0004:TurnedOff|} : Event;
            """;
        return new VerifyFix.Test { TestCode = Source, FixedCode = Source, CodeFixTestBehaviors = CompilationEndFix }.RunAsync();
    }

    // ES0004 is a compilation-end diagnostic (it needs every event of the compilation). The testing library flags fixes
    // for such diagnostics because an IDE shows them only with full-solution analysis or after a build; the fix is still
    // useful there and in `dotnet format`.
    private const Microsoft.CodeAnalysis.Testing.CodeFixTestBehaviors CompilationEndFix =
        Microsoft.CodeAnalysis.Testing.CodeFixTestBehaviors.SkipLocalDiagnosticCheck;
}
