using System.Collections.Concurrent;
using System.Collections.Immutable;
using EventSourcery.Analyzers.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using VerifyAggregates = EventSourcery.Analyzers.Tests.Verifiers.AnalyzerVerifier<EventSourcery.Analyzers.AggregateAnalyzer>;
using VerifyEvents = EventSourcery.Analyzers.Tests.Verifiers.AnalyzerVerifier<EventSourcery.Analyzers.EventAnalyzer>;

namespace EventSourcery.Analyzers.Tests;

/// <summary>The analyzers never throw on code being typed, skip generated code, and stay silent without EventSourcery.</summary>
public class RobustnessTests
{
    private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = [new AggregateAnalyzer(), new EventAnalyzer(), new PersonalDataAnalyzer()];

    /// <summary>A realistic file, cut at many points below to imitate code being typed.</summary>
    private const string RealisticFile = """
        using System;
        using System.Collections.Generic;
        using EventSourcery;

        namespace Lighting;

        public abstract record LightSwitchEvent : Event;
        [EventName("turned_on")]
        public sealed record TurnedOn(DateTimeOffset When, IReadOnlyList<string> Rooms) : LightSwitchEvent;
        public sealed record TurnedOff : LightSwitchEvent { public int Watts { get; init; } }
        public sealed record Dimmed(Dictionary<string, int> Levels) : LightSwitchEvent;

        public sealed partial class LightSwitch : Aggregate<LightSwitchEvent>
        {
            public sealed class AlreadyTurnedOn : Exception;
            bool _shines;
            private LightSwitch() { }
            void Apply(TurnedOn e) => _shines = true;
            void Apply(TurnedOff e) { _shines = false; }
            void Apply(Dimmed e) { }
            public void TurnOn() { if (_shines) throw new AlreadyTurnedOn(); Emit(new TurnedOn(DateTimeOffset.UtcNow, ["hall"])); }
            public void TurnOff() => Emit(new TurnedOff { Watts = 60 });
        }
        """;

    public static TheoryData<string> HalfTypedSources() => new()
    {
        "using EventSourcery; public sealed record : Event;",
        "using EventSourcery; public sealed record TurnOn : ",
        "using EventSourcery; public sealed record TurnOn(",
        "using EventSourcery; public sealed record TurnOn(int",
        "using EventSourcery; public sealed record TurnOn(Foo Bar) : Event;",
        "using EventSourcery; public sealed record TurnOn : Event { public Missing X { get; set; } }",
        "using EventSourcery; public sealed record TurnOn : Event { public List<Missing> X { get; } }",
        "using EventSourcery; [EventName(] public sealed record Pinged : Event;",
        "using EventSourcery; [EventName(null)] public sealed record Pinged : Event;",
        "using EventSourcery; [EventName(42)] public sealed record Pinged : Event;",
        "using EventSourcery; class X : Aggregate { void Apply(",
        "using EventSourcery; class X : Aggregate { void Apply(Missing e) { } }",
        "using EventSourcery; class X : Aggregate { Missing Apply(TurnedOn e) { } }",
        "using EventSourcery; partial class X : Aggregate { void M() { Emit(",
        "using EventSourcery; partial class X : Aggregate { void M() { Emit() } }",
        "using EventSourcery; partial class X : Aggregate { void M() { Emit(new Missing()); } }",
        "using EventSourcery; partial class X : Aggregate { void Apply(Event e) { Emit(e, e); } }",
        "using EventSourcery; partial class X : Aggregate<",
        "using EventSourcery; partial class X : Aggregate<Missing> { }",
        "using EventSourcery; partial class X : Aggregate<int> { }",
        "using EventSourcery; partial class X : Aggregate<Event> { void Apply(",
        "using EventSourcery; class : Aggregate { }",
        "using EventSourcery; partial class X : Aggregate { X(",
        "using EventSourcery; partial class X : Aggregate, { }",
        "using EventSourcery; partial class X : X { }",
        "using EventSourcery; record A : B; record B : A;",
        "using EventSourcery; record Loop(Loop Next) : Event;",
        "class Event; class Aggregate;",
        "using EventSourcery; using EventSourcery.PersonalData; public sealed record A([PersonalData(] string E) : Event;",
        "using EventSourcery; using EventSourcery.PersonalData; public sealed record A([PersonalData(Missing)] string E) : Event;",
        "using EventSourcery; using EventSourcery.PersonalData; public sealed record A([PersonalData(1, 2)] Missing E) : Event;",
        "using EventSourcery; using EventSourcery.PersonalData; public sealed record A([PersonalData(typeof(int))] int E) : Event;",
        "using EventSourcery; using EventSourcery.PersonalData; public sealed record A([DataSubject] Missing Id, [PersonalData] string E) : Event;",
        "using EventSourcery; using EventSourcery.PersonalData; public sealed record A([DataSubject] string E, [DataSubject, PersonalData] string F",
        "using EventSourcery; using EventSourcery.PersonalData; record A([PersonalData] string E) : Event { StreamId S => StreamId.FromName(E",
        "using EventSourcery; using EventSourcery.PersonalData; record A([PersonalData] string E) : Event { StreamId S => new(",
        "using EventSourcery; using EventSourcery.PersonalData; class C { [PersonalData] int this[int i] => i; [DataSubject] static int X { get; } }",
        "",
    };

    [Theory]
    [MemberData(nameof(HalfTypedSources))]
    public async Task DoesNotThrowOnHalfTypedCode(string source)
    {
        var exceptions = await RunAsync(source);
        Assert.Empty(exceptions);
    }

    [Fact]
    public async Task DoesNotThrowOnAnyPrefixOfARealisticFile()
    {
        for (var length = 0; length <= RealisticFile.Length; length += 11)
        {
            var exceptions = await RunAsync(RealisticFile[..length]);
            Assert.True(exceptions.IsEmpty, $"Analyzer exception for a file cut at {length}: {string.Join(Environment.NewLine, exceptions)}");
        }
    }

    [Fact]
    public async Task ReportsNothingOnTheRealisticFile()
    {
        await VerifyEvents.VerifyAsync(RealisticFile);
        await VerifyAggregates.VerifyAsync(RealisticFile);
    }

    [Fact]
    public async Task ReportsNothingOnTheDesignDocumentSample()
    {
        const string Sample = """
            using System;
            using EventSourcery;

            public sealed record TurnedOn : Event;
            public sealed record TurnedOff : Event;
            [EventName("sprint_started")]
            public sealed record SprintStarted(DateTimeOffset WhenStarted, DateTimeOffset WhenEnds, string ProjectKey) : Event;

            public sealed partial class LightSwitch : Aggregate
            {
                public sealed class AlreadyTurnedOn : Exception;
                bool _shines;
                void Apply(TurnedOn e) => _shines = true;
                void Apply(TurnedOff e) => _shines = false;
                public void TurnOn() { if (_shines) throw new AlreadyTurnedOn(); Emit(new TurnedOn()); }
                public void TurnOff() { if (!_shines) return; Emit(new TurnedOff()); }
            }
            """;
        await VerifyEvents.VerifyAsync(Sample);
        await VerifyAggregates.VerifyAsync(Sample);
    }

    [Fact]
    public Task HalfTypedApplyIsStillCheckedWithoutErrors()
    {
        // The testing library fails on analyzer exceptions (AD0001); compiler errors are expected here.
        var test = new VerifyAggregates.Test
        {
            TestCode = """
                using EventSourcery;

                public sealed partial class X : Aggregate
                {
                    void {|ES0006:Apply|}(
                """,
            CompilerDiagnostics = Microsoft.CodeAnalysis.Testing.CompilerDiagnostics.None,
        };
        return test.RunAsync();
    }

    [Fact]
    public Task SkipsGeneratedCode()
    {
        var test = new VerifyAggregates.Test();
        test.TestState.Sources.Add(("Generated.cs", """
            // <auto-generated/>
            using EventSourcery;

            public sealed record TurnOn : Event { public object Payload { get; set; } = new(); }
            public sealed class NotPartial : Aggregate
            {
                public NotPartial(int x) { }
                int Apply(TurnOn e) { Emit(new TurnOn()); return 0; }
            }
            """));
        test.TestState.Sources.Add(("Other.g.cs", """
            using EventSourcery;

            public sealed record CreateOrder : Event;
            public sealed class AlsoNotPartial : Aggregate { }
            """));
        return test.RunAsync();
    }

    [Fact]
    public Task SkipsGeneratedEvents()
    {
        var test = new VerifyEvents.Test();
        test.TestState.Sources.Add(("Generated.cs", """
            // <auto-generated/>
            using EventSourcery;

            public sealed record TurnOn : Event { public object Payload { get; set; } = new(); }
            """));
        test.TestState.Sources.Add(("Other.g.cs", """
            using EventSourcery;

            public sealed record CreateOrder : Event { public int Count; }
            """));
        return test.RunAsync();
    }

    [Fact]
    public Task DoesNothingWithoutAReferenceToEventSourcery()
    {
        var test = new VerifyAggregates.Test
        {
            TestCode = """
                namespace Other;

                public abstract class Aggregate { }
                public abstract record Event;
                public sealed class Lamp : Aggregate { public Lamp(int watts) { } }
                public sealed record TurnOn(object Payload) : Event;
                """,
        };
        TestReferences.Configure(test, referenceEventSourcery: false);
        return test.RunAsync();
    }

    [Fact]
    public Task DoesNothingForEventsWithoutAReferenceToEventSourcery()
    {
        var test = new VerifyEvents.Test
        {
            TestCode = """
                namespace Other;

                public abstract record Event;
                public sealed record TurnOn(object Payload) : Event { public int Count; }
                """,
        };
        TestReferences.Configure(test, referenceEventSourcery: false);
        return test.RunAsync();
    }

    private static async Task<ImmutableArray<Exception>> RunAsync(string source)
    {
        var compilation = CSharpCompilation.Create(
            "Robustness",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), path: "Test.cs")],
            TestReferences.WithEventSourcery,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var exceptions = new ConcurrentQueue<Exception>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions([]),
            onAnalyzerException: (exception, _, _) => exceptions.Enqueue(exception),
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: false);
        var diagnostics = await compilation.WithAnalyzers(Analyzers, options).GetAnalyzerDiagnosticsAsync(CancellationToken.None);
        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
        return [.. exceptions];
    }
}
