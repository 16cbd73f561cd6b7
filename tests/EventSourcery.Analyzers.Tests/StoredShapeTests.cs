using Verify = EventSourcery.Analyzers.Tests.Verifiers.AnalyzerVerifier<EventSourcery.Analyzers.EventAnalyzer>;
using VerifyFix = EventSourcery.Analyzers.Tests.Verifiers.CodeFixVerifier<
    EventSourcery.Analyzers.EventAnalyzer,
    EventSourcery.CodeFixes.MakeStoredCodeFixProvider>;

namespace EventSourcery.Analyzers.Tests;

/// <summary>
/// ES0010, the refused half of the shape matrix (issue 19): every member of an event or snapshot that holds state and
/// would not be stored is an error naming it. The stored half round-trips on every store
/// (tests/EventSourcery.StoreContract/ShapeContract.cs); the generator refuses the same members with #error
/// (tests/EventSourcery.Generators.Tests/RefusedShapeTests.cs).
/// </summary>
public class StoredShapeTests
{
    private const string FieldReason = "only properties are stored; make it a property with an init accessor (or mark it [JsonIgnore] if it must not be stored)";
    private const string GetOnlyReason = "it is get-only and no parameter of the constructor the reader calls sets it; add an init accessor (a private one will do) or a constructor parameter of the same name";
    private const string HiddenReason = "its getter is not public or internal, so the generated code cannot read it; make the getter public or internal (or mark it [JsonIgnore] if it must not be stored)";

    [Fact]
    public Task ReportsEveryEventMemberThatWouldNotBeStored() => Verify.VerifyAsync("""
        using EventSourcery;

        public sealed record NoteAdded(string Text) : Event
        {
            public NoteAdded(string text, int priority) : this(text) { Priority = priority; Total = priority; }
            public int {|#0:Revision|};
            public readonly int {|#1:Priority|};
            private readonly string {|#2:_cache|} = "";
            public int {|#3:Total|} { get; }
            private int {|#4:Hidden|} { get; init; }
            protected string {|#5:Scope|} { get; init; } = "";
        }
        """,
        Verify.Diagnostic("ES0005").WithLocation(0).WithArguments("NoteAdded", "field", "Revision"),
        Verify.Diagnostic("ES0010").WithLocation(0).WithArguments("field", "Revision", "NoteAdded", FieldReason),
        Verify.Diagnostic("ES0010").WithLocation(1).WithArguments("field", "Priority", "NoteAdded", FieldReason),
        Verify.Diagnostic("ES0010").WithLocation(2).WithArguments("field", "_cache", "NoteAdded", FieldReason),
        Verify.Diagnostic("ES0010").WithLocation(3).WithArguments("property", "Total", "NoteAdded", GetOnlyReason),
        Verify.Diagnostic("ES0010").WithLocation(4).WithArguments("property", "Hidden", "NoteAdded", HiddenReason),
        Verify.Diagnostic("ES0010").WithLocation(5).WithArguments("property", "Scope", "NoteAdded", HiddenReason));

    [Fact]
    public Task AcceptsEveryStoredEventMemberKind() => Verify.VerifyAsync("""
        using System;
        using EventSourcery;

        public abstract record Stamped : Event
        {
            public string Origin { get; private init; } = "";
            public string Region { get; init; } = "";
        }

        public sealed record NoteAdded(string Text) : Stamped
        {
            public NoteAdded(string text, int amount) : this(text) => Amount = amount;
            public int Amount { get; }
            public string Author { get; private init; } = "";
            public required Guid Key { get; init; }
            public DateTimeOffset At { get; internal init; }
            public string Shout => Text.ToUpperInvariant();
            public const int Limit = 3;
            public static int Shared;
            [System.Text.Json.Serialization.JsonIgnore] public string Cache { get; init; } = "";
            private string Computed => Author + Text;
        }
        """);

    [Fact]
    public Task ReportsAMemberInheritedFromAnAbstractBaseOnceOnTheBase() => Verify.VerifyAsync("""
        using EventSourcery;

        public abstract record Audited : Event
        {
            public readonly string {|#0:Who|} = "";
        }

        public sealed record Opened(int By) : Audited;
        public sealed record Closed(int By) : Audited;
        """,
        Verify.Diagnostic("ES0010").WithLocation(0).WithArguments("field", "Who", "Audited", FieldReason));

    [Fact]
    public Task ReportsSnapshotMembersThatWouldNotBeStoredOrSerialized() => VerifyWithoutGeneratedCodeAsync("""
        using EventSourcery;

        public sealed record Changed(int By) : Event;

        public sealed record State(int Count)
        {
            public int {|#0:Revision|};
            public int {|#1:Total|} { get; } = 3;
            public object {|#2:Payload|} { get; init; } = 1;
            public string Note { get; private set; } = "";
        }

        public sealed partial class Thing : Aggregate, ISnapshotable<State>
        {
            private State _state = new(0);
            public State TakeSnapshot() => _state;
            public void RestoreSnapshot(State snapshot) => _state = snapshot;
            private void Apply(Changed e) => _state = new(_state.Count + e.By);
        }

        public sealed partial class OtherThing : Aggregate, ISnapshotable<State>
        {
            private State _state = new(0);
            public State TakeSnapshot() => _state;
            public void RestoreSnapshot(State snapshot) => _state = snapshot;
            private void Apply(Changed e) => _state = new(_state.Count + e.By);
        }
        """,
        Verify.Diagnostic("ES0010").WithLocation(0).WithArguments("field", "Revision", "State", FieldReason),
        Verify.Diagnostic("ES0010").WithLocation(1).WithArguments("property", "Total", "State", GetOnlyReason),
        Verify.Diagnostic("ES0008").WithLocation(2).WithArguments("Payload", "State", "object", "'object' has no fixed shape to write"));

    [Fact]
    public Task AcceptsASnapshotOfStoredMembers() => VerifyWithoutGeneratedCodeAsync("""
        using System.Collections.Generic;
        using EventSourcery;

        public sealed record Changed(int By) : Event;

        public record struct State(int Count)
        {
            public List<string> Notes { get; init; }
            public string Last { get; private set; }
            public int Twice => Count * 2;
        }

        public sealed partial class Thing : Aggregate, ISnapshotable<State>
        {
            private State _state;
            public State TakeSnapshot() => _state;
            public void RestoreSnapshot(State snapshot) => _state = snapshot;
            private void Apply(Changed e) => _state = _state with { Count = _state.Count + e.By };
        }
        """);

    [Fact]
    public Task ReportsAFieldOfATypeAnEventHoldsOnTheEventsProperty() => Verify.VerifyAsync("""
        using EventSourcery;

        public sealed class Address
        {
            public string Street { get; init; } = "";
            public string City = "";
        }

        public sealed record Moved(Address {|#0:To|}) : Event;
        """,
        Verify.Diagnostic("ES0008").WithLocation(0).WithArguments("To", "Moved", "Address", "field 'City' of 'Address' would not be stored (" + FieldReason + ")"));

    /// <summary>Snapshotable aggregates implement ISnapshotable's members in generated code, which analyzer tests do not run.</summary>
    private static Task VerifyWithoutGeneratedCodeAsync(string source, params Microsoft.CodeAnalysis.Testing.DiagnosticResult[] expected)
    {
        var test = new Verify.Test { TestCode = source, CompilerDiagnostics = Microsoft.CodeAnalysis.Testing.CompilerDiagnostics.None };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }
}

/// <summary>ES0010's code fix: every fix it offers produces a stored shape; none is offered for private members.</summary>
public class MakeStoredFixTests
{
    [Fact]
    public Task FixTurnsPublicFieldsIntoInitPropertiesAndGetOnlyPropertiesIntoPrivateInit() => VerifyFix.VerifyAsync("""
        using EventSourcery;

        public sealed record NoteAdded(string Text) : Event
        {
            public NoteAdded(string text, int priority) : this(text) { Priority = priority; Total = priority * 2; }
            public readonly int {|ES0010:Priority|};
            internal readonly string {|ES0010:Who|} = "";
            public int {|ES0010:Total|} { get; }
        }
        """, """
        using EventSourcery;

        public sealed record NoteAdded(string Text) : Event
        {
            public NoteAdded(string text, int priority) : this(text) { Priority = priority; Total = priority * 2; }
            public int Priority { get; init; }
            internal string Who { get; init; } = "";
            public int Total { get; private init; }
        }
        """);

    [Fact]
    public async Task FixIsNotOfferedForPrivateMembers()
    {
        const string source = """
            using EventSourcery;

            public sealed record NoteAdded(string Text) : Event
            {
                private readonly int {|ES0010:_priority|};
                private int {|ES0010:Hidden|} { get; init; }
                public int Priority => _priority + Hidden;
            }
            """;
        await VerifyFix.VerifyAsync(source, source);
    }
}
