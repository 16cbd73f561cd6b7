using Verify = EventSourcery.Analyzers.Tests.Verifiers.AnalyzerVerifier<EventSourcery.Analyzers.AggregateAnalyzer>;

namespace EventSourcery.Analyzers.Tests;

/// <summary>ES0009: the repository creates aggregates through a parameterless constructor.</summary>
public class ParameterlessConstructorTests
{
    [Fact]
    public Task ReportsAnAggregateWhoseConstructorsAllTakeParameters() => Verify.VerifyAsync("""
        using EventSourcery;

        public sealed partial class {|#0:LightSwitch|} : Aggregate
        {
            public LightSwitch(string room) { }
            public LightSwitch(string room, int watts) { }
        }

        public sealed partial class {|#1:Lamp|}(string room) : Aggregate
        {
            public string Room => room;
        }

        public sealed partial class {|#2:Fan|} : Aggregate
        {
            public Fan(int speed = 1) { }
        }
        """,
        Verify.Diagnostic("ES0009").WithLocation(0).WithArguments("LightSwitch"),
        Verify.Diagnostic("ES0009").WithLocation(1).WithArguments("Lamp"),
        Verify.Diagnostic("ES0009").WithLocation(2).WithArguments("Fan"));

    [Fact]
    public Task AcceptsImplicitPrivateAndAbstractCases() => Verify.VerifyAsync("""
        using EventSourcery;

        public sealed partial class Implicit : Aggregate
        {
        }

        public sealed partial class Private : Aggregate
        {
            private Private() { }
            public Private(string room) : this() { }
            static Private() { }
        }

        public abstract partial class Device : Aggregate
        {
            protected Device(string room) { }
        }

        public sealed class NotAnAggregate
        {
            public NotAnAggregate(int value) { }
        }
        """);
}
