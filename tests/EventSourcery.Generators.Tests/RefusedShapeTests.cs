using Microsoft.CodeAnalysis;

namespace EventSourcery.Generators.Tests;

/// <summary>
/// The refused half of the shape matrix (issue 19): a member that holds state the generated code would not store makes
/// the generated codec an <c>#error</c> naming the member, so the build fails even where ES0010 is silenced. The stored
/// half round-trips on every store in tests/EventSourcery.StoreContract/ShapeContract.cs.
/// </summary>
public sealed class RefusedShapeTests
{
    [Theory]
    [InlineData("public int Revision;", "field 'Revision' of 'Changed'")]
    [InlineData("public readonly int Priority; public Changed(int priority) => Priority = priority;", "field 'Priority' of 'Changed'")]
    [InlineData("private int _count;", "field '_count' of 'Changed'")]
    [InlineData("private readonly string _note = \"\";", "field '_note' of 'Changed'")]
    [InlineData("public int Total { get; } = 3;", "property 'Total' of 'Changed'")]
    [InlineData("private int Hidden { get; init; }", "property 'Hidden' of 'Changed'")]
    [InlineData("protected string Scope { get; set; } = \"\";", "property 'Scope' of 'Changed'")]
    [InlineData("public object Payload { get; init; } = 1;", "property 'Payload' of 'Changed'")]
    public void An_event_member_that_would_not_be_stored_fails_the_build_naming_it(string member, string named)
    {
        var errors = GeneratedErrors($$"""
            using EventSourcery;
            namespace Shapes;
            public sealed record Changed : Event
            {
                public Changed() { }
                {{member}}
            }
            """);

        Assert.Contains(errors, e => e.Contains(named, StringComparison.Ordinal) && e.Contains("would not be stored", StringComparison.Ordinal));
    }

    [Fact]
    public void A_field_inherited_from_an_abstract_base_event_fails_the_build_naming_it()
    {
        var errors = GeneratedErrors("""
            using EventSourcery;
            namespace Shapes;
            public abstract record Audited : Event { public string Who = ""; }
            public sealed record Changed(int By) : Audited;
            """);

        Assert.Contains(errors, e => e.Contains("field 'Who' of 'Audited' would not be stored", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("public int Revision;", "field 'Revision' of 'State'")]
    [InlineData("public readonly int Priority = 1;", "field 'Priority' of 'State'")]
    [InlineData("public int Total { get; } = 3;", "property 'Total' of 'State'")]
    [InlineData("public object Payload { get; init; } = 1;", "property 'Payload' of 'State'")]
    [InlineData("private long Hidden { get; set; }", "property 'Hidden' of 'State'")]
    public void A_snapshot_member_that_would_not_be_stored_fails_the_build_naming_it(string member, string named)
    {
        var errors = GeneratedErrors($$"""
            using EventSourcery;
            namespace Shapes;
            public sealed record Changed(int By) : Event;
            public sealed record State(int Count)
            {
                {{member}}
            }
            public sealed partial class Thing : Aggregate, ISnapshotable<State>
            {
                private State _state = new(0);
                public State TakeSnapshot() => _state;
                public void RestoreSnapshot(State snapshot) => _state = snapshot;
                private void Apply(Changed e) => _state = new(_state.Count + e.By);
            }
            """);

        Assert.Contains(errors, e => e.Contains(named, StringComparison.Ordinal) && e.Contains("would not be stored", StringComparison.Ordinal));
    }

    [Fact]
    public void A_field_of_a_type_an_event_holds_fails_the_build_naming_it()
    {
        var errors = GeneratedErrors("""
            using EventSourcery;
            namespace Shapes;
            public sealed class Address { public string Street { get; init; } = ""; public string City = ""; }
            public sealed record Moved(Address To) : Event;
            """);

        Assert.Contains(errors, e => e.Contains("field 'City' of 'Address' would not be stored", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("public int Total => 3;")]
    [InlineData("public const int Limit = 3;")]
    [InlineData("public static int Shared { get; set; }")]
    [InlineData("[System.Text.Json.Serialization.JsonIgnore] public int Cache;")]
    [InlineData("[System.Text.Json.Serialization.JsonIgnore] private int Hidden { get; set; }")]
    [InlineData("private int Computed => 3;")]
    public void A_member_that_holds_no_stored_state_builds(string member)
    {
        var result = GeneratorHarness.Run($$"""
            using EventSourcery;
            namespace Shapes;
            public sealed record Changed(int By) : Event
            {
                {{member}}
            }
            """);

        result.AssertClean();
    }

    [Theory]
    [InlineData("int")]
    [InlineData("IState")]
    [InlineData("Changed")]
    public void An_unstorable_snapshot_type_gets_no_implementation_and_only_the_compilers_CS0535_beside_ES0016(string type)
    {
        var result = GeneratorHarness.Run($$"""
            using EventSourcery;
            namespace Shapes;
            public sealed record Changed(int By) : Event;
            public interface IState { int Count { get; } }
            public sealed partial class Thing : Aggregate, ISnapshotable<{{type}}>
            {
                public {{type}} TakeSnapshot() => default!;
                public void RestoreSnapshot({{type}} snapshot) { }
                private void Apply(Changed e) { }
            }
            """);

        // The generator decides with the same shared rule as ES0016 (analyzer tests): nothing of ISnapshotable is generated.
        Assert.NotEmpty(result.Problems);
        Assert.All(result.Problems, p => Assert.Equal("CS0535", p.Id));
        Assert.DoesNotContain(result.Sources, s => s.Text.Contains("ISnapshotable", StringComparison.Ordinal));
    }

    private static List<string> GeneratedErrors(string source)
    {
        var result = GeneratorHarness.Run(source);
        return result.Problems
            .Where(p => p.Id == "CS1029" && p.Severity == DiagnosticSeverity.Error)
            .Select(p => p.GetMessage(System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
    }
}
