using Verify = EventSourcery.Analyzers.Tests.Verifiers.AnalyzerVerifier<EventSourcery.Analyzers.AggregateAnalyzer>;

namespace EventSourcery.Analyzers.Tests;

/// <summary>ES0007: Apply methods must not emit, or replay would emit again.</summary>
public class EmitInsideApplyTests
{
    private const string Events = """
        using EventSourcery;

        public abstract record LightSwitchEvent : Event;
        public sealed record TurnedOn : LightSwitchEvent;
        public sealed record TurnedOff : LightSwitchEvent;

        """;

    [Fact]
    public Task ReportsTheEmitCall() => Verify.VerifyAsync(Events + """
        public sealed partial class LightSwitch : Aggregate
        {
            void Apply(TurnedOff e) { }
            void Apply(TurnedOn e)
            {
                {|#0:Emit(new TurnedOff())|};
            }
        }
        """,
        Verify.Diagnostic("ES0007").WithLocation(0).WithArguments("Apply"));

    [Fact]
    public Task ReportsEmitsInLambdasLocalFunctionsAndFamilies() => Verify.VerifyAsync(Events + """
        public sealed partial class LightSwitch : Aggregate<LightSwitchEvent>
        {
            void Apply(TurnedOff e) => {|ES0007:this.Emit(new TurnedOn())|};
            void Apply(TurnedOn e)
            {
                System.Action later = () => {|ES0007:Emit(new TurnedOff())|};
                void Now() => {|ES0007:Emit(new TurnedOff())|};
                Now();
                later();
            }
        }
        """);

    [Fact]
    public Task ReportsAnEmitInAHelperThatApplyCallsWithThePath() => Verify.VerifyAsync(Events + """
        public sealed partial class LightSwitch : Aggregate
        {
            void Apply(TurnedOff e) { }
            void Apply(TurnedOn e) => Notify();
            private void Notify() => Log();
            private void Log()
            {
                System.Action later = () => {|#0:Emit(new TurnedOff())|};
                later();
            }
            public void Toggle() => Log();
        }
        """,
        Verify.Diagnostic("ES0007").WithLocation(0).WithArguments("Apply → Notify → Log"));

    [Fact]
    public Task AcceptsHelpersThatApplyCallsWithoutEmittingAndEmittingHelpersOnlyCommandsCall() => Verify.VerifyAsync(Events + """
        public sealed partial class LightSwitch : Aggregate
        {
            bool _shines;
            void Apply(TurnedOn e) => Set(true);
            void Apply(TurnedOff e) => Set(false);
            private void Set(bool shines) => _shines = shines;
            public void TurnOn() => Raise();
            private void Raise()
            {
                if (!_shines) { Emit(new TurnedOn()); }
            }
        }
        """);

    [Fact]
    public Task AcceptsEmitOutsideApply() => Verify.VerifyAsync(Events + """
        public sealed partial class LightSwitch : Aggregate
        {
            bool _shines;
            void Apply(TurnedOn e) => _shines = true;
            void Apply(TurnedOff e) => _shines = false;
            public void Toggle()
            {
                void Apply() => Emit(new TurnedOn()); // a local function named Apply is not an Apply method
                if (_shines) { Emit(new TurnedOff()); } else { Apply(); }
            }
        }
        """);
}
