using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Verify = EventSourcery.Analyzers.Tests.Verifiers.AnalyzerVerifier<EventSourcery.Analyzers.EventAnalyzer>;

namespace EventSourcery.Analyzers.Tests;

/// <summary>ES0008: event properties must be serializable by the generated metadata.</summary>
public class SerializationTests
{
    [Fact]
    public Task AcceptsEverySupportedShape() => Verify.VerifyAsync("""
        using System;
        using System.Collections.Generic;
        using System.Collections.Immutable;
        using EventSourcery;

        public enum Colour { Red, Green }

        public sealed record Money(decimal Amount, string Currency);

        public struct Point
        {
            public int X { get; set; }
            public int Y { get; set; }
        }

        public sealed class Node
        {
            public string Name { get; init; } = "";
            public Node? Next { get; init; }
            public List<Node> Children { get; init; } = new();
        }

        public sealed record Wrapper<T>(T Value, IReadOnlyList<T> Values);

        public sealed record EverythingHappened(
            bool Flag, byte B, sbyte Sb, short S, ushort Us, int I, uint Ui, long L, ulong Ul, float F, double D,
            decimal M, char C, string Text, Guid Id2, DateTime When, DateTimeOffset At, DateOnly Day, TimeOnly Time,
            TimeSpan Span, Uri Link, byte[] Bytes, Colour Colour, int? MaybeInt, Colour? MaybeColour, DateTimeOffset? MaybeAt,
            int[] Numbers, List<string> Names, IList<Guid> Ids, IReadOnlyList<Money> Prices, ICollection<long> Longs,
            IReadOnlyCollection<char> Chars, IEnumerable<Colour> Colours, HashSet<string> Tags, ISet<int> Set,
            IReadOnlySet<Guid> ReadOnlySet, ImmutableArray<Point> Points, Dictionary<string, int> ByName,
            IDictionary<int, Money> ByNumber, IReadOnlyDictionary<long, List<string>> ByLong, Dictionary<Guid, Node?> ById,
            Money Total, Point Origin, Node Tree, Wrapper<Money> Wrapped, Money[][] Jagged) : Event
        {
            public static object Shared { get; } = new();
            private object Hidden => Shared;
            public object {|#0:Indexed|} => Hidden;
            [System.Text.Json.Serialization.JsonIgnore]
            public object Ignored { get; init; } = new();
        }
        """,
        // "Indexed" is a public computed property: the generator writes it, so it must be supported.
        Verify.Diagnostic("ES0008").WithLocation(0).WithArguments("Indexed", "EverythingHappened", "object", "'object' has no fixed shape to write"));

    [Fact]
    public Task ReportsUnsupportedTypesNamingTheOffendingType() => Verify.VerifyAsync("""
        using System;
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using EventSourcery;

        public interface IShape { }
        public abstract class Shape { }
        public sealed class Circle : Shape { public IShape? Inner { get; init; } }

        public sealed record SomethingHappened : Event
        {
            public object {|#0:Payload|} { get; init; } = new();
            public dynamic? {|#1:Dynamic|} { get; init; }
            public Type? {|#2:Kind|} { get; init; }
            public Func<int>? {|#3:Callback|} { get; init; }
            public IShape? {|#4:Shape|} { get; init; }
            public Shape? {|#5:Abstract|} { get; init; }
            public Task? {|#6:Pending|} { get; init; }
            public IntPtr {|#7:Handle|} { get; init; }
            public ReadOnlySpan<byte> {|#8:Span|} => default;
            public Memory<byte> {|#9:Memory|} { get; init; }
            public List<object> {|#10:Items|} { get; init; } = new();
            public Dictionary<Uri, string> {|#11:ByUri|} { get; init; } = new();
            public Circle? {|#12:Circle|} { get; init; }
            public int[,]? {|#13:Grid|} { get; init; }
            public (int, string) {|#14:Pair|} { get; init; }
            public Version? {|#15:Version|} { get; init; }
        }
        """,
        Verify.Diagnostic("ES0008").WithLocation(0).WithArguments("Payload", "SomethingHappened", "object", "'object' has no fixed shape to write"),
        Verify.Diagnostic("ES0008").WithLocation(1).WithArguments("Dynamic", "SomethingHappened", "dynamic?", "'dynamic' has no fixed shape to write"),
        Verify.Diagnostic("ES0008").WithLocation(2).WithArguments("Kind", "SomethingHappened", "Type?", "'Type' is not one of the framework types the generator supports"),
        Verify.Diagnostic("ES0008").WithLocation(3).WithArguments("Callback", "SomethingHappened", "Func<int>?", "'Func<int>' is a delegate"),
        Verify.Diagnostic("ES0008").WithLocation(4).WithArguments("Shape", "SomethingHappened", "IShape?", "'IShape' is an interface, not a concrete type"),
        Verify.Diagnostic("ES0008").WithLocation(5).WithArguments("Abstract", "SomethingHappened", "Shape?", "'Shape' is abstract, not a concrete type"),
        Verify.Diagnostic("ES0008").WithLocation(6).WithArguments("Pending", "SomethingHappened", "Task?", "'Task' is not one of the framework types the generator supports"),
        Verify.Diagnostic("ES0008").WithLocation(7).WithArguments("Handle", "SomethingHappened", "nint", "'nint' is not one of the framework types the generator supports"),
        Verify.Diagnostic("ES0008").WithLocation(8).WithArguments("Span", "SomethingHappened", "ReadOnlySpan<byte>", "'ReadOnlySpan<byte>' is a ref struct"),
        Verify.Diagnostic("ES0008").WithLocation(9).WithArguments("Memory", "SomethingHappened", "Memory<byte>", "'Memory<byte>' is not one of the framework types the generator supports"),
        Verify.Diagnostic("ES0008").WithLocation(10).WithArguments("Items", "SomethingHappened", "List<object>", "'object' has no fixed shape to write"),
        Verify.Diagnostic("ES0008").WithLocation(11).WithArguments("ByUri", "SomethingHappened", "Dictionary<Uri, string>", "dictionary key type 'Uri' is not string, int, long or Guid"),
        Verify.Diagnostic("ES0008").WithLocation(12).WithArguments("Circle", "SomethingHappened", "Circle?", "'IShape' is an interface, not a concrete type"),
        Verify.Diagnostic("ES0008").WithLocation(13).WithArguments("Grid", "SomethingHappened", "int[,]?", "'int[,]' is a multi-dimensional array"),
        Verify.Diagnostic("ES0008").WithLocation(14).WithArguments("Pair", "SomethingHappened", "(int, string)", "'(int, string)' is not one of the framework types the generator supports"),
        Verify.Diagnostic("ES0008").WithLocation(15).WithArguments("Version", "SomethingHappened", "Version?", "'Version' is not one of the framework types the generator supports"));

    [Fact]
    public Task ReportsOpenTypeParametersOfAGenericEvent() => Verify.VerifyAsync("""
        using System.Collections.Generic;
        using EventSourcery;

        public sealed record ValueChanged<T>(T {|#0:Value|}, List<T> {|#1:History|}) : Event;
        """,
        Verify.Diagnostic("ES0008").WithLocation(0).WithArguments("Value", "ValueChanged", "T", "'T' is an open type parameter"),
        Verify.Diagnostic("ES0008").WithLocation(1).WithArguments("History", "ValueChanged", "List<T>", "'T' is an open type parameter"));

    [Fact]
    public Task ReportsEventsInsideEvents() => Verify.VerifyAsync("""
        using System.Collections.Generic;
        using EventSourcery;

        public sealed record PaymentFailed(string Reason) : Event;
        public sealed record RetryScheduled(PaymentFailed {|#0:Cause|}, List<PaymentFailed> {|#1:Earlier|}, System.Guid CauseId) : Event;
        """,
        Verify.Diagnostic("ES0008").WithLocation(0).WithArguments("Cause", "RetryScheduled", "PaymentFailed", "'PaymentFailed' is an event; an event inside another event would lose its own id, time and metadata (store its id instead)"),
        Verify.Diagnostic("ES0008").WithLocation(1).WithArguments("Earlier", "RetryScheduled", "List<PaymentFailed>", "'PaymentFailed' is an event; an event inside another event would lose its own id, time and metadata (store its id instead)"));

    [Fact]
    public Task ChecksPropertiesOfAbstractBasesWhereTheyAreDeclared() => Verify.VerifyAsync("""
        using EventSourcery;

        public abstract record OrderEvent : Event
        {
            public object? {|ES0008:Context|} { get; init; }
        }

        public sealed record OrderPlaced(string Customer) : OrderEvent;
        public sealed record OrderShipped(string Carrier) : OrderEvent;
        """);

    [Fact]
    public Task ReportsPointersAndFunctionPointers()
    {
        var test = new Verify.Test
        {
            TestCode = """
                using EventSourcery;

                public sealed unsafe record MemoryMapped : Event
                {
                    public int* {|#0:Address|} => null;
                    public delegate*<void> {|#1:Callback|} => null;
                }
                """,
        };
        test.SolutionTransforms.Add((solution, projectId) =>
        {
            var options = (CSharpCompilationOptions)solution.GetProject(projectId)!.CompilationOptions!;
            return solution.WithProjectCompilationOptions(projectId, options.WithAllowUnsafe(true));
        });
        test.ExpectedDiagnostics.Add(Verify.Diagnostic("ES0008").WithLocation(0).WithArguments("Address", "MemoryMapped", "int*", "'int*' is a pointer"));
        test.ExpectedDiagnostics.Add(Verify.Diagnostic("ES0008").WithLocation(1).WithArguments("Callback", "MemoryMapped", "delegate*<void>", "'delegate*<void>' is a function pointer"));
        return test.RunAsync();
    }
}
