using Microsoft.CodeAnalysis.Testing;
using Verify = EventSourcery.Analyzers.Tests.Verifiers.AnalyzerVerifier<EventSourcery.Analyzers.EventAnalyzer>;

namespace EventSourcery.Analyzers.Tests;

/// <summary>
/// ES0016: a snapshot type the generated codecs cannot store as one JSON object is our own error on
/// <c>ISnapshotable&lt;T&gt;</c>, naming the type and why, rather than only the compiler's CS0535 (which the tests
/// leave out: the analyzer runs here without the generator).
/// </summary>
public class SnapshotTypeTests
{
    public static TheoryData<string, string, string> Unstorable => new()
    {
        { "int", "int", "'int' is not one of the framework types the generator supports" },
        { "System.Collections.Generic.List<int>", "List<int>", "'List<int>' is not one of the framework types the generator supports" },
        { "IState", "IState", "'IState' is an interface, not a concrete type" },
        { "BaseState", "BaseState", "'BaseState' is abstract, not a concrete type" },
        { "Mode", "Mode", "'Mode' is an enum, not a class, record or struct" },
        { "Changed", "Changed", "'Changed' is an event; an event inside another event would lose its own id, time and metadata (store its id instead)" },
        { "Thing.Hidden", "Hidden", "'Hidden' is private or protected, so generated code cannot name it" },
        { "int[]", "int[]", "'int[]' is not a class, record or struct" },
    };

    [Theory]
    [MemberData(nameof(Unstorable))]
    public Task ReportsASnapshotTypeTheCodecsCannotStore(string type, string shown, string reason) => VerifyAsync($$"""
        using EventSourcery;

        public sealed record Changed(int By) : Event;
        public interface IState { int Count { get; } }
        public abstract record BaseState(int Count);
        public enum Mode { On, Off }

        public sealed partial class Thing : Aggregate, {|#0:ISnapshotable<{{type}}>|}
        {
            private sealed record Hidden(int Count);
            public {{type}} TakeSnapshot() => default!;
            public void RestoreSnapshot({{type}} snapshot) { }
            private void Apply(Changed e) { }
        }
        """,
        Verify.Diagnostic("ES0016").WithLocation(0).WithArguments("Thing", shown, reason));

    [Fact]
    public Task ReportsAnOpenGenericSnapshotType() => VerifyAsync("""
        using EventSourcery;

        public sealed record Changed(int By) : Event;
        public sealed record Box<T>(T Value);

        public abstract partial class Thing<T> : Aggregate, {|#0:ISnapshotable<Box<T>>|}
        {
            public Box<T> TakeSnapshot() => default!;
            public void RestoreSnapshot(Box<T> snapshot) { }
            private void Apply(Changed e) { }
        }
        """,
        Verify.Diagnostic("ES0016").WithLocation(0).WithArguments("Thing", "Box<T>", "'T' is an open type parameter"));

    [Fact]
    public Task AcceptsRecordsClassesAndStructsOfYourOwnAndSkipsAggregatesWhoseBaseDeclaresIt() => VerifyAsync("""
        using EventSourcery;

        public sealed record Changed(int By) : Event;
        public sealed record RecordState(int Count);
        public sealed class ClassState { public int Count { get; init; } }
        public record struct StructState(int Count);

        public sealed partial class A : Aggregate, ISnapshotable<RecordState>
        {
            public RecordState TakeSnapshot() => new(0);
            public void RestoreSnapshot(RecordState snapshot) { }
            private void Apply(Changed e) { }
        }

        public sealed partial class B : Aggregate, ISnapshotable<ClassState>
        {
            public ClassState TakeSnapshot() => new();
            public void RestoreSnapshot(ClassState snapshot) { }
            private void Apply(Changed e) { }
        }

        public partial class C : Aggregate, ISnapshotable<StructState>
        {
            public StructState TakeSnapshot() => default;
            public void RestoreSnapshot(StructState snapshot) { }
            private void Apply(Changed e) { }
        }

        public sealed partial class D : C, ISnapshotable<StructState>
        {
        }
        """);

    private static Task VerifyAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new Verify.Test { TestCode = source, CompilerDiagnostics = CompilerDiagnostics.None };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }
}
