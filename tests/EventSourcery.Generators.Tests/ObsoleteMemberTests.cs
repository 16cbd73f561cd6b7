namespace EventSourcery.Generators.Tests;

/// <summary>
/// Members marked <c>[Obsolete]</c> are still stored and read: the generated code that touches them must not warn
/// (CS0612/CS0618), or a warnings-as-errors build breaks the moment a team deprecates a property (issue 17).
/// </summary>
public sealed class ObsoleteMemberTests
{
    [Fact]
    public void Obsolete_event_and_snapshot_members_compile_without_warnings_in_the_generated_code()
    {
        var result = GeneratorHarness.Run("""
            using System;
            using EventSourcery;
            namespace Deprecated;

            public sealed record PriceChanged(decimal Amount) : Event
            {
                [Obsolete("Use Amount.")]
                public decimal OldAmount { get; init; }

                [Obsolete]
                public string Currency { get; init; } = "EUR";
            }

            public sealed record TillState([property: Obsolete("Kept for old snapshots.")] decimal Total);

            public sealed partial class Till : Aggregate, ISnapshotable<TillState>
            {
                private decimal _total;
                public void Change(decimal amount) => Emit(new PriceChanged(amount));
                public TillState TakeSnapshot() => new(_total);
            #pragma warning disable CS0618 // the user's own use of the member
                public void RestoreSnapshot(TillState state) => _total = state.Total;
            #pragma warning restore CS0618
                private void Apply(PriceChanged e) => _total = e.Amount;
            }
            """);

        result.AssertClean();
        Assert.Contains(result.Sources, s => s.Text.Contains("OldAmount", StringComparison.Ordinal));
    }

    [Fact]
    public void Everything_marked_as_generated_code_is_excluded_from_code_coverage()
    {
        var result = GeneratorHarness.Run("""
            using EventSourcery;
            namespace Coverage;
            public sealed record Counted(int By) : Event;
            public sealed record CounterState(int Total);
            public sealed partial class Counter : Aggregate, ISnapshotable<CounterState>
            {
                private int _total;
                public void Count(int by) => Emit(new Counted(by));
                public CounterState TakeSnapshot() => new(_total);
                public void RestoreSnapshot(CounterState state) => _total = state.Total;
                private void Apply(Counted e) => _total += e.By;
            }
            """);

        result.AssertClean();
        var generated = result.Sources.Sum(s => Count(s.Text, "GeneratedCode("));
        var excluded = result.Sources.Sum(s => Count(s.Text, "[global::System.Diagnostics.CodeAnalysis.ExcludeFromCodeCoverage]"));
        Assert.True(generated > 0);
        Assert.Equal(generated, excluded);

        static int Count(string text, string what) => text.Split(what).Length - 1;
    }
}
