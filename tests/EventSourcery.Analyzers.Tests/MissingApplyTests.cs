using Verify = EventSourcery.Analyzers.Tests.Verifiers.AnalyzerVerifier<EventSourcery.Analyzers.AggregateAnalyzer>;
using VerifyFix = EventSourcery.Analyzers.Tests.Verifiers.CodeFixVerifier<
    EventSourcery.Analyzers.AggregateAnalyzer,
    EventSourcery.CodeFixes.AddApplyMethodCodeFixProvider>;

namespace EventSourcery.Analyzers.Tests;

/// <summary>ES0002: every event an aggregate emits (or every event of its family) needs an Apply method.</summary>
public class MissingApplyTests
{
    private const string Events = """
        using EventSourcery;

        public abstract record LightSwitchEvent : Event;
        public sealed record TurnedOn : LightSwitchEvent;
        public sealed record TurnedOff : LightSwitchEvent;
        public sealed record Dimmed(int Percent) : LightSwitchEvent;

        """;

    [Fact]
    public Task ReportsTheEmittedExpression() => Verify.VerifyAsync(Events + """
        public sealed partial class LightSwitch : Aggregate
        {
            void Apply(TurnedOn e) { }
            public void TurnOn() => Emit(new TurnedOn());
            public void TurnOff() => Emit({|#0:new TurnedOff()|});
        }
        """,
        Verify.Diagnostic("ES0002").WithLocation(0).WithArguments("LightSwitch", "TurnedOff"));

    [Fact]
    public Task UsesTheStaticTypeOfLocalsAndWithExpressions() => Verify.VerifyAsync(Events + """
        public sealed partial class LightSwitch : Aggregate
        {
            void Apply(TurnedOn e) { }
            public void TurnOff()
            {
                var off = new TurnedOff();
                Emit({|ES0002:off|});
            }

            public void Dim(Dimmed previous) => this.Emit({|ES0002:previous with { Percent = 10 }|});
        }
        """);

    [Fact]
    public Task AcceptsApplyForABaseTypeOrInABaseClass() => Verify.VerifyAsync(Events + """
        public abstract partial class Device : Aggregate
        {
            private void Apply(TurnedOn e) { }
        }

        public sealed partial class Lamp : Device
        {
            protected void Apply(LightSwitchEvent e) { }
            public void TurnOn() => Emit(new TurnedOn());
            public void TurnOff() => Emit(new TurnedOff());
        }

        public sealed partial class Fan : Device
        {
            public void TurnOn() => Emit(new TurnedOn());
        }

        public sealed partial class Anything : Aggregate
        {
            void Apply(Event e) { }
            public void Dim() => Emit(new Dimmed(5));
        }
        """);

    [Fact]
    public Task IgnoresEventsOfAnAbstractOrUnknownStaticType() => Verify.VerifyAsync(Events + """
        public sealed partial class LightSwitch : Aggregate
        {
            public void Replay(Event e) => Emit(e);
            public void Toggle(LightSwitchEvent e) => Emit(e);
            public void Nothing() => Emit(null!);
        }

        public abstract partial class Device : Aggregate
        {
            // The Apply method may live in a derived class: abstract aggregates are not checked.
            protected void TurnOn() => Emit(new TurnedOn());
        }
        """);

    [Fact]
    public Task ChecksEmitsThroughBaseInTheEmittingAggregate() => Verify.VerifyAsync(Events + """
        public abstract partial class Device : Aggregate
        {
        }

        public sealed partial class Lamp : Device
        {
            void Apply(TurnedOn e) { }
            public void TurnOn() => base.Emit(new TurnedOn());
            public void TurnOff() => base.Emit({|ES0002:new TurnedOff()|});
        }
        """);

    [Fact]
    public Task ChecksEmitsInsideLambdasAndLocalFunctions() => Verify.VerifyAsync(Events + """
        public sealed partial class LightSwitch : Aggregate
        {
            void Apply(TurnedOn e) { }
            public void Blink()
            {
                System.Action off = () => Emit({|ES0002:new TurnedOff()|});
                void On() => Emit(new TurnedOn());
                On();
                off();
            }
        }
        """);

    [Fact]
    public Task ReportsEveryMissingEventOfAFamilyOnTheAggregate() => Verify.VerifyAsync(Events + """
        public sealed partial class {|#0:LightSwitch|} : Aggregate<LightSwitchEvent>
        {
            void Apply(TurnedOn e) { }
            public void TurnOff() => Emit(new TurnedOff());
        }
        """,
        Verify.Diagnostic("ES0002").WithLocation(0).WithArguments("LightSwitch", "Dimmed"),
        Verify.Diagnostic("ES0002").WithLocation(0).WithArguments("LightSwitch", "TurnedOff"));

    [Fact]
    public Task AcceptsAFamilyWhoseEventsAreAllHandled() => Verify.VerifyAsync(Events + """
        public sealed partial class LightSwitch : Aggregate<LightSwitchEvent>
        {
            void Apply(TurnedOn e) { }
            void Apply(LightSwitchEvent e) { }
        }

        public abstract partial class Device : Aggregate<LightSwitchEvent>
        {
            // abstract: a derived aggregate handles the family
        }
        """);

    [Fact]
    public Task FixAddsApplyAfterTheLastApplyInTheSameStyle() => VerifyFix.VerifyAsync(Events + """
        public sealed partial class LightSwitch : Aggregate
        {
            bool _shines;
            protected void Apply(TurnedOn @event) => _shines = true;
            public void TurnOn() => Emit(new TurnedOn());
            public void TurnOff() => Emit({|ES0002:new TurnedOff()|});
        }
        """, Events + """
        public sealed partial class LightSwitch : Aggregate
        {
            bool _shines;
            protected void Apply(TurnedOn @event) => _shines = true;
            protected void Apply(TurnedOff @event) { }
            public void TurnOn() => Emit(new TurnedOn());
            public void TurnOff() => Emit(new TurnedOff());
        }
        """);

    [Fact]
    public Task FixAddsAPrivateApplyAtTheEndWhenThereIsNone() => VerifyFix.VerifyAsync(Events + """
        namespace Lighting
        {
            public sealed partial class LightSwitch : Aggregate
            {
                public void TurnOff() => Emit({|ES0002:new TurnedOff()|});
            }

            public sealed partial class Empty : Aggregate
            {
                public static void Run(Empty other) => other.Emit({|ES0002:new TurnedOn()|});
            }
        }
        """, Events + """
        namespace Lighting
        {
            public sealed partial class LightSwitch : Aggregate
            {
                public void TurnOff() => Emit(new TurnedOff());

                private void Apply(TurnedOff e) { }
            }

            public sealed partial class Empty : Aggregate
            {
                public static void Run(Empty other) => other.Emit(new TurnedOn());

                private void Apply(TurnedOn e) { }
            }
        }
        """);

    [Fact]
    public Task FixAllAddsOneApplyPerMissingEvent() => VerifyFix.VerifyAsync(Events + """
        public sealed partial class LightSwitch : Aggregate
        {
            void Apply(TurnedOn e) { }
            public void TurnOff() => Emit({|ES0002:new TurnedOff()|});
            public void TurnOffAgain() => Emit({|ES0002:new TurnedOff()|});
        }
        """, Events + """
        public sealed partial class LightSwitch : Aggregate
        {
            void Apply(TurnedOn e) { }
            void Apply(TurnedOff e) { }
            public void TurnOff() => Emit(new TurnedOff());
            public void TurnOffAgain() => Emit(new TurnedOff());
        }
        """);

    [Fact]
    public Task FixAddsTheFamilysMissingApplyMethods()
    {
        var test = new VerifyFix.Test
        {
            TestCode = Events + """
                public sealed partial class {|#0:LightSwitch|} : Aggregate<LightSwitchEvent>
                {
                    private void Apply(TurnedOn e) { }
                }
                """,
            FixedCode = Events + """
                public sealed partial class LightSwitch : Aggregate<LightSwitchEvent>
                {
                    private void Apply(TurnedOn e) { }
                    private void Apply(Dimmed e) { }
                    private void Apply(TurnedOff e) { }
                }
                """,

            // One pass: Fix All adds each aggregate's missing Apply methods together.
            NumberOfFixAllIterations = 1,
            NumberOfFixAllInDocumentIterations = 1,
        };
        test.ExpectedDiagnostics.Add(VerifyFix.Diagnostic("ES0002").WithLocation(0).WithArguments("LightSwitch", "Dimmed"));
        test.ExpectedDiagnostics.Add(VerifyFix.Diagnostic("ES0002").WithLocation(0).WithArguments("LightSwitch", "TurnedOff"));
        return test.RunAsync();
    }

    [Fact]
    public Task FixAllAddsEveryMissingApplyOfSeveralAggregatesInOnePass()
    {
        var test = new VerifyFix.Test
        {
            TestCode = Events + """
                public sealed partial class {|#0:LightSwitch|} : Aggregate<LightSwitchEvent>
                {
                    private void Apply(TurnedOn e) { }
                }

                public sealed partial class Lamp : Aggregate
                {
                    void Apply(TurnedOn e) { }
                    public void Dim() => Emit({|#1:new Dimmed(50)|});
                    public void Off() => Emit({|#2:new TurnedOff()|});
                }
                """,
            FixedCode = Events + """
                public sealed partial class LightSwitch : Aggregate<LightSwitchEvent>
                {
                    private void Apply(TurnedOn e) { }
                    private void Apply(Dimmed e) { }
                    private void Apply(TurnedOff e) { }
                }

                public sealed partial class Lamp : Aggregate
                {
                    void Apply(TurnedOn e) { }
                    void Apply(Dimmed e) { }
                    void Apply(TurnedOff e) { }
                    public void Dim() => Emit(new Dimmed(50));
                    public void Off() => Emit(new TurnedOff());
                }
                """,
            NumberOfFixAllIterations = 1,
            NumberOfFixAllInDocumentIterations = 1,
            NumberOfIncrementalIterations = 4,
        };
        test.ExpectedDiagnostics.Add(VerifyFix.Diagnostic("ES0002").WithLocation(0).WithArguments("LightSwitch", "Dimmed"));
        test.ExpectedDiagnostics.Add(VerifyFix.Diagnostic("ES0002").WithLocation(0).WithArguments("LightSwitch", "TurnedOff"));
        test.ExpectedDiagnostics.Add(VerifyFix.Diagnostic("ES0002").WithLocation(1).WithArguments("Lamp", "Dimmed"));
        test.ExpectedDiagnostics.Add(VerifyFix.Diagnostic("ES0002").WithLocation(2).WithArguments("Lamp", "TurnedOff"));
        return test.RunAsync();
    }
}
