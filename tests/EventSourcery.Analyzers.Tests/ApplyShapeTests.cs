using Verify = EventSourcery.Analyzers.Tests.Verifiers.AnalyzerVerifier<EventSourcery.Analyzers.AggregateAnalyzer>;

namespace EventSourcery.Analyzers.Tests;

/// <summary>ES0006: Apply methods are void instance methods with one event parameter.</summary>
public class ApplyShapeTests
{
    private const string Events = """
        using EventSourcery;

        public abstract record LightSwitchEvent : Event;
        public sealed record TurnedOn : LightSwitchEvent;
        public sealed record TurnedOff : LightSwitchEvent;

        """;

    [Fact]
    public Task ReportsEachWrongShapeOnTheMethodIdentifier() => Verify.VerifyAsync(Events + """
        public sealed partial class LightSwitch : Aggregate
        {
            bool _shines;
            void Apply(TurnedOn e) => _shines = true;
            bool {|#0:Apply|}(TurnedOff e) => _shines = false;
            void {|#1:Apply|}() { }
            void {|#2:Apply|}(TurnedOn e, int times) { }
            void {|#3:Apply|}(string text) { }
            static void {|#4:Apply|}(LightSwitchEvent e) { }
            void {|#5:Apply|}(ref TurnedOff e) { }
            void {|#6:Apply|}<T>(T e) where T : Event { }
            System.Threading.Tasks.Task {|#7:Apply|}(int e) => System.Threading.Tasks.Task.CompletedTask;
        }
        """,
        Verify.Diagnostic("ES0006").WithLocation(0).WithArguments("Apply", "returns a value"),
        Verify.Diagnostic("ES0006").WithLocation(1).WithArguments("Apply", "takes no parameter"),
        Verify.Diagnostic("ES0006").WithLocation(2).WithArguments("Apply", "takes 2 parameters"),
        Verify.Diagnostic("ES0006").WithLocation(3).WithArguments("Apply", "takes 'string', which is not an event"),
        Verify.Diagnostic("ES0006").WithLocation(4).WithArguments("Apply", "is static"),
        Verify.Diagnostic("ES0006").WithLocation(5).WithArguments("Apply", "takes its parameter by reference"),
        Verify.Diagnostic("ES0006").WithLocation(6).WithArguments("Apply", "is generic and takes 'T', which is not an event"),
        Verify.Diagnostic("ES0006").WithLocation(7).WithArguments("Apply", "returns a value and takes 'int', which is not an event"));

    [Fact]
    public Task AcceptsWellShapedApplyMethodsOfAnyAccessibility() => Verify.VerifyAsync(Events + """
        public abstract partial class Device : Aggregate
        {
            protected abstract void Apply(TurnedOff e);
        }

        public sealed partial class LightSwitch : Device
        {
            private void Apply(TurnedOn e) { }
            protected override void Apply(TurnedOff e) { }
            public void Apply(LightSwitchEvent e) { }
            internal void Apply(Event e) { }
        }
        """);

    [Fact]
    public Task IgnoresApplyMethodsOutsideAggregates() => Verify.VerifyAsync(Events + """
        public sealed class Discount
        {
            public decimal Apply(decimal price) => price * 0.9m;
        }
        """);
}
