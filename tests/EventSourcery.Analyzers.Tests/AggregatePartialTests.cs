using Verify = EventSourcery.Analyzers.Tests.Verifiers.AnalyzerVerifier<EventSourcery.Analyzers.AggregateAnalyzer>;
using VerifyFix = EventSourcery.Analyzers.Tests.Verifiers.CodeFixVerifier<
    EventSourcery.Analyzers.AggregateAnalyzer,
    EventSourcery.CodeFixes.MakePartialCodeFixProvider>;

namespace EventSourcery.Analyzers.Tests;

/// <summary>ES0001: aggregates (and the types containing them) must be partial.</summary>
public class AggregatePartialTests
{
    [Fact]
    public Task ReportsANonPartialAggregateOnItsIdentifier() => Verify.VerifyAsync("""
        using EventSourcery;

        public sealed class {|#0:LightSwitch|} : Aggregate
        {
        }
        """,
        Verify.Diagnostic("ES0001").WithLocation(0).WithArguments("Aggregate 'LightSwitch'"));

    [Fact]
    public Task ReportsAnIndirectAggregate() => Verify.VerifyAsync("""
        using EventSourcery;

        public abstract partial class Device : Aggregate
        {
        }

        public sealed class {|ES0001:Lamp|} : Device
        {
        }
        """);

    [Fact]
    public Task ReportsAnAggregateOfAnEventFamily() => Verify.VerifyAsync("""
        using EventSourcery;

        public abstract record LampEvent : Event;

        public sealed class {|ES0001:Lamp|} : Aggregate<LampEvent>
        {
        }
        """);

    [Fact]
    public Task ReportsAPartialAggregateInsideANonPartialType() => Verify.VerifyAsync("""
        using EventSourcery;

        public static class Outer
        {
            public sealed partial class {|#0:Lamp|} : Aggregate
            {
            }
        }
        """,
        Verify.Diagnostic("ES0001").WithLocation(0).WithArguments("Type 'Outer' containing aggregate 'Lamp'"));

    [Fact]
    public Task NamesEveryNonPartialContainer() => Verify.VerifyAsync("""
        using EventSourcery;

        public class Outer
        {
            public partial class Middle
            {
                public class Inner
                {
                    public sealed class {|#0:Lamp|} : Aggregate
                    {
                    }
                }
            }
        }
        """,
        Verify.Diagnostic("ES0001").WithLocation(0).WithArguments("Aggregate 'Lamp' and its containing types 'Outer', 'Inner'"));

    [Fact]
    public Task AcceptsPartialAggregatesAndIgnoresOtherClasses() => Verify.VerifyAsync("""
        using EventSourcery;

        public sealed partial class LightSwitch : Aggregate
        {
        }

        public partial class Outer
        {
            private sealed partial class Lamp : Aggregate
            {
            }
        }

        public sealed class NotAnAggregate
        {
        }
        """);

    [Fact]
    public Task FixAddsPartial() => VerifyFix.VerifyAsync("""
        using EventSourcery;

        public sealed class {|ES0001:LightSwitch|} : Aggregate
        {
        }
        """, """
        using EventSourcery;

        public sealed partial class LightSwitch : Aggregate
        {
        }
        """);

    [Fact]
    public Task FixKeepsLeadingTriviaWhenThereIsNoModifier() => VerifyFix.VerifyAsync("""
        using EventSourcery;

        /// <summary>A switch.</summary>
        class {|ES0001:LightSwitch|} : Aggregate
        {
        }
        """, """
        using EventSourcery;

        /// <summary>A switch.</summary>
        partial class LightSwitch : Aggregate
        {
        }
        """);

    [Fact]
    public Task FixAddsPartialToContainingTypes() => VerifyFix.VerifyAsync("""
        using EventSourcery;

        public static class Outer
        {
            public sealed class {|ES0001:Lamp|} : Aggregate
            {
            }
        }
        """, """
        using EventSourcery;

        public static partial class Outer
        {
            public sealed partial class Lamp : Aggregate
            {
            }
        }
        """);

    [Fact]
    public Task FixAllMakesEveryAggregatePartial() => VerifyFix.VerifyAsync("""
        using EventSourcery;

        public class Devices
        {
            public sealed class {|ES0001:Lamp|} : Aggregate
            {
            }

            public sealed class {|ES0001:Fan|} : Aggregate
            {
            }
        }

        public sealed class {|ES0001:Door|} : Aggregate
        {
        }
        """, """
        using EventSourcery;

        public partial class Devices
        {
            public sealed partial class Lamp : Aggregate
            {
            }

            public sealed partial class Fan : Aggregate
            {
            }
        }

        public sealed partial class Door : Aggregate
        {
        }
        """);
}
