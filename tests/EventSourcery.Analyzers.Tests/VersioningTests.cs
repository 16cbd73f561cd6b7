using Microsoft.CodeAnalysis.Testing;
using Verify = EventSourcery.Analyzers.Tests.Verifiers.AnalyzerVerifier<EventSourcery.Analyzers.VersioningAnalyzer>;
using VerifyFix = EventSourcery.Analyzers.Tests.Verifiers.CodeFixVerifier<
    EventSourcery.Analyzers.VersioningAnalyzer,
    EventSourcery.CodeFixes.AddShippedVersionCodeFixProvider>;
using VerifyKeep = EventSourcery.Analyzers.Tests.Verifiers.CodeFixVerifier<
    EventSourcery.Analyzers.VersioningAnalyzer,
    EventSourcery.CodeFixes.KeepShippedShapeCodeFixProvider>;

namespace EventSourcery.Analyzers.Tests;

/// <summary>
/// ES0011–ES0015: upcaster chains, old shapes emitted, and the versions of EventSchemas.Shipped.txt held against the
/// compilation (still read, by a type that reads their shape, and every version listed).
/// </summary>
public class VersioningTests
{
    private const string File = "EventSchemas.Shipped.txt";

    private const string Order = """
        #nullable enable
        using EventSourcery;

        [EventName("order_placed", Version = 2)]
        public sealed record OrderPlaced(string OrderId, decimal Total, string? Note = null) : Event;

        [EventName("order_placed")]
        public sealed record OrderPlacedV1(string OrderId);

        public static class Upcasts
        {
            [Upcaster]
            public static OrderPlaced ToV2(OrderPlacedV1 old) => new(old.OrderId, 0m);
        }
        """;

    private const string Shipped = """
        # Event versions that have shipped
        order_placed v1 {orderId: string}
        order_placed v2 {note: string?; orderId: string; total: decimal}
        """;

    [Fact]
    public Task A_project_whose_shipped_versions_all_read_as_listed_has_no_report() => Run(Order, Shipped);

    [Fact]
    public Task Without_the_file_only_the_chain_rules_apply() => Run(Order, shipped: null);

    [Fact]
    public Task A_removed_event_is_reported_on_its_shipped_line() => Run(
        Order,
        Shipped + "\norder_cancelled v1 {orderId: string; reason: string}\n",
        Verify.Diagnostic("ES0011").WithSpan(File, 4, 1, 4, 53).WithArguments("'order_cancelled' v1 has shipped, but no type reads it any more: no event is stored under that name at that version or a later one, and no old shape or [Upcaster] reads it (a type renamed without [EventName], or removed)"));

    [Fact]
    public Task A_malformed_line_is_reported() => Run(
        Order,
        Shipped + "\norder_placed three {}\n",
        Verify.Diagnostic("ES0011").WithSpan(File, 4, 1, 4, 22).WithArguments("Line 4 of EventSchemas.Shipped.txt is not of the form 'name vN {json: Type; …}'"));

    [Fact]
    public Task A_removed_or_retyped_property_of_a_shipped_version_is_reported_on_the_type_that_reads_it() => Run(
        Order.Replace("public sealed record OrderPlaced(string OrderId, decimal Total, string? Note = null)", "public sealed record {|#0:OrderPlaced|}(string OrderId, int Total)").Replace("new(old.OrderId, 0m)", "new(old.OrderId, 0)"),
        Shipped,
        Verify.Diagnostic("ES0012").WithLocation(0).WithArguments("OrderPlaced", "order_placed", "2", "'note' was removed, 'total' changed from decimal to int"));

    [Fact]
    public Task A_property_that_payloads_must_hold_added_without_a_new_version_is_reported() => Run(
        Order.Replace("string? Note = null) : Event", "string? Note, string Channel) : Event").Replace("public sealed record OrderPlaced(", "public sealed record {|#0:OrderPlaced|}(").Replace("new(old.OrderId, 0m)", "new(old.OrderId, 0m, null, \"web\")"),
        Shipped,
        Verify.Diagnostic("ES0012").WithLocation(0).WithArguments("OrderPlaced", "order_placed", "2", "'channel' was added and payloads must hold it (give it a default)"));

    [Fact]
    public Task A_nullable_property_made_non_nullable_is_reported_and_an_optional_one_added_is_not() => Run(
        Order.Replace("string? Note = null) : Event", "string Note = \"\", int Priority = 0) : Event").Replace("public sealed record OrderPlaced(", "public sealed record {|#0:OrderPlaced|}("),
        Shipped,
        Verify.Diagnostic("ES0012").WithLocation(0).WithArguments("OrderPlaced", "order_placed", "2", "'note' no longer accepts null (string? to string)"));

    [Fact]
    public Task An_old_version_read_by_the_current_type_without_an_upcaster_is_held_to_its_shape() => Run(
        """
        #nullable enable
        using EventSourcery;

        [EventName("parcel_weighed", Version = 2)]
        public sealed record {|#0:ParcelWeighed|}(string ParcelId, decimal Grams) : Event;
        """,
        """
        parcel_weighed v1 {parcelId: string; weight: decimal}
        parcel_weighed v2 {grams: decimal; parcelId: string}
        """,
        Verify.Diagnostic("ES0012").WithLocation(0).WithArguments("ParcelWeighed", "parcel_weighed", "1", "'weight' was removed, 'grams' was added and payloads must hold it (give it a default)"));

    [Fact]
    public Task A_version_a_json_step_reads_is_not_compared_with_any_type() => Run(
        """
        using System.Text.Json.Nodes;
        using EventSourcery;

        [EventName("parcel_weighed", Version = 2)]
        public sealed record ParcelWeighed(string ParcelId, decimal Grams) : Event;

        public static class Upcasts
        {
            [Upcaster(typeof(ParcelWeighed), 1)]
            public static JsonObject RenameWeight(JsonObject payload) => payload;
        }
        """,
        """
        parcel_weighed v1 {parcelId: string; weight: decimal}
        parcel_weighed v2 {grams: decimal; parcelId: string}
        """);

    [Fact]
    public Task A_json_steps_stored_name_comes_from_its_own_events_shape_one_version_up_not_another_events() => Run(
        """
        using System.Text.Json.Nodes;
        using EventSourcery;

        [EventName("parcel_weighed", Version = 3)]
        public sealed record ParcelWeighed(string ParcelId, decimal Grams) : Event;

        [EventName("parcel_weighed", Version = 2)]
        public sealed record ParcelWeighedV2(string ParcelId, decimal Grams);

        [EventName("invoice_issued", Version = 3)]
        public sealed record InvoiceIssued(string Number) : Event;

        [EventName("InvoiceRaised", Version = 2)]
        public sealed record InvoiceRaisedV2(string Number);

        public static class Upcasts
        {
            [Upcaster(typeof(ParcelWeighed), 1)]
            public static JsonObject Weight(JsonObject payload) => payload;

            [Upcaster]
            public static ParcelWeighed Parcel(ParcelWeighedV2 old) => new(old.ParcelId, old.Grams);

            [Upcaster]
            public static InvoiceIssued Invoice(InvoiceRaisedV2 old) => new(old.Number);
        }
        """,
        """
        parcel_weighed v1 {parcelId: string; weight: decimal}
        parcel_weighed v2 {grams: decimal; parcelId: string}
        parcel_weighed v3 {grams: decimal; parcelId: string}
        InvoiceRaised v2 {number: string}
        invoice_issued v3 {number: string}
        """);

    [Fact]
    public Task Unlisted_versions_are_reported_on_their_types() => Run(
        Order.Replace("public sealed record OrderPlaced(", "public sealed record {|#0:OrderPlaced|}(").Replace("public sealed record OrderPlacedV1(", "public sealed record {|#1:OrderPlacedV1|}("),
        "# nothing has shipped yet\n",
        Verify.Diagnostic("ES0015").WithLocation(0).WithArguments("OrderPlaced", "order_placed", "2"),
        Verify.Diagnostic("ES0015").WithLocation(1).WithArguments("OrderPlacedV1", "order_placed", "1"));

    [Fact]
    public Task A_step_that_skips_a_version_and_two_steps_for_one_version_are_reported_on_the_methods() => Run(
        """
        using System.Text.Json.Nodes;
        using EventSourcery;

        [EventName("order_placed", Version = 3)]
        public sealed record OrderPlaced(string OrderId) : Event;

        [EventName("order_placed")]
        public sealed record OrderPlacedV1(string OrderId);

        public static class Upcasts
        {
            [Upcaster]
            public static OrderPlaced {|#0:Skip|}(OrderPlacedV1 old) => new(old.OrderId);

            [Upcaster(typeof(OrderPlaced), 1)]
            public static JsonObject {|#1:Again|}(JsonObject payload) => payload;
        }
        """,
        shipped: null,
        Verify.Diagnostic("ES0013").WithLocation(0).WithArguments("'Skip' reads 'order_placed' v1 and returns 'OrderPlaced' v3: a step goes up one version"),
        Verify.Diagnostic("ES0013").WithLocation(0).WithArguments("'Skip' and 'Again' both read v1 of 'OrderPlaced': one step reads each version"),
        Verify.Diagnostic("ES0013").WithLocation(1).WithArguments("'Again' and 'Skip' both read v1 of 'OrderPlaced': one step reads each version"));

    [Fact]
    public Task An_unnamed_old_shape_a_chain_to_nowhere_and_a_json_step_at_the_current_version_are_reported() => Run(
        """
        using System.Text.Json.Nodes;
        using EventSourcery;

        [EventName("order_placed", Version = 2)]
        public sealed record OrderPlaced(string OrderId) : Event;

        public sealed record Unnamed(string OrderId);

        [EventName("order_placed")]
        public sealed record OrderPlacedV1(string OrderId);

        public sealed record Draft(string OrderId);

        public static class Upcasts
        {
            [Upcaster]
            public static OrderPlaced {|#0:FromUnnamed|}(Unnamed old) => new(old.OrderId);

            [Upcaster]
            public static Draft {|#1:ToDraft|}(OrderPlacedV1 old) => new(old.OrderId);

            [Upcaster(typeof(OrderPlaced), 2)]
            public static JsonObject {|#2:Current|}(JsonObject payload) => payload;
        }
        """,
        shipped: null,
        Verify.Diagnostic("ES0013").WithLocation(0).WithArguments("The old shape 'Unnamed' of 'FromUnnamed' has no [EventName(name, Version = n)]: the stored name and version it reads"),
        Verify.Diagnostic("ES0013").WithLocation(1).WithArguments("'ToDraft' returns 'Draft', which is neither an event nor the old shape of another [Upcaster]"),
        Verify.Diagnostic("ES0013").WithLocation(2).WithArguments("'Current' reads v2 of 'OrderPlaced', whose current version is v2: a step reads a version below it"));

    [Fact]
    public Task Emitting_an_old_shape_is_reported_and_emitting_the_current_event_is_not() => Run(
        """
        using EventSourcery;

        [EventName("order_placed", Version = 2)]
        public sealed record OrderPlaced(string OrderId) : Event;

        [EventName("order_placed")]
        public sealed record OrderPlacedV1(string OrderId) : Event;

        public static class Upcasts
        {
            [Upcaster]
            public static OrderPlaced ToV2(OrderPlacedV1 old) => new(old.OrderId);
        }

        public sealed partial class Order : Aggregate
        {
            public void Place() => Emit(new OrderPlaced("o-1"));

            public void PlaceTheOldWay() => {|#0:Emit(new OrderPlacedV1("o-1"))|};

            private void Apply(OrderPlaced e) { }

            private void Apply(OrderPlacedV1 e) { }

            protected override void Dispatch(Event @event) { }
        }
        """,
        shipped: null,
        Verify.Diagnostic("ES0014").WithLocation(0).WithArguments("OrderPlacedV1"));

    [Fact]
    public Task The_fix_adds_the_versions_line_sorted_among_the_others() => new VerifyFix.Test
    {
        CodeFixTestBehaviors = CodeFixTestBehaviors.SkipLocalDiagnosticCheck,
        TestState =
        {
            Sources = { Order.Replace("public sealed record OrderPlaced(", "public sealed record {|ES0015:OrderPlaced|}(") },
            AdditionalFiles = { (File, "# shipped\norder_placed v1 {orderId: string}\n") },
        },
        FixedState =
        {
            Sources = { Order },
            AdditionalFiles = { (File, "# shipped\norder_placed v1 {orderId: string}\norder_placed v2 {note: string?; orderId: string; total: decimal}\n") },
        },
    }.RunAsync();

    [Fact]
    public Task Fix_all_adds_every_unlisted_version_in_one_edit() => new VerifyFix.Test
    {
        CodeFixTestBehaviors = CodeFixTestBehaviors.SkipLocalDiagnosticCheck,
        TestState =
        {
            Sources = { Order.Replace("public sealed record OrderPlaced(", "public sealed record {|ES0015:OrderPlaced|}(").Replace("public sealed record OrderPlacedV1(", "public sealed record {|ES0015:OrderPlacedV1|}(") },
            AdditionalFiles = { (File, "# shipped\n") },
        },
        FixedState =
        {
            Sources = { Order },
            AdditionalFiles = { (File, "# shipped\norder_placed v1 {orderId: string}\norder_placed v2 {note: string?; orderId: string; total: decimal}\n") },
        },
    }.RunAsync();

    [Fact]
    public Task The_fix_keeps_the_shipped_shape_as_an_old_version_and_upcasts_it_copying_what_both_store() => new VerifyKeep.Test
    {
        CodeFixTestBehaviors = CodeFixTestBehaviors.SkipLocalDiagnosticCheck,
        TestState =
        {
            Sources =
            {
                """
                #nullable enable
                using EventSourcery;

                namespace Billing;

                /// <summary>An invoice.</summary>
                [EventName("invoice_issued")]
                public sealed record {|#0:InvoiceIssued|}(string Number, decimal Amount, string? Note = null, string Currency = "EUR") : Event;
                """,
            },
            AdditionalFiles = { (File, "invoice_issued v1 {amount: decimal; legacy_code: int; number: string}\n") },
            ExpectedDiagnostics = { Verify.Diagnostic("ES0012").WithLocation(0).WithArguments("InvoiceIssued", "invoice_issued", "1", "'legacy_code' was removed") },
        },
        FixedState =
        {
            Sources =
            {
                """
                #nullable enable
                using EventSourcery;

                namespace Billing;

                /// <summary>An invoice.</summary>
                [EventName("invoice_issued", Version = 2)]
                public sealed record InvoiceIssued(string Number, decimal Amount, string? Note = null, string Currency = "EUR") : Event;

                /// <summary>Version 1 of 'invoice_issued' as it shipped (EventSchemas.Shipped.txt), kept to read the events stored with it.</summary>
                [EventName("invoice_issued", Version = 1)]
                public sealed record InvoiceIssuedV1(decimal Amount, [property: System.Text.Json.Serialization.JsonPropertyName("legacy_code")] int LegacyCode, string Number);

                /// <summary>Reads version 1 of 'invoice_issued' as version 2.</summary>
                public static class InvoiceIssuedUpcasts
                {
                    [Upcaster]
                    public static InvoiceIssued FromV1(InvoiceIssuedV1 old) => new(Number: old.Number, Amount: old.Amount);
                }

                """,
            },
            AdditionalFiles = { (File, "invoice_issued v1 {amount: decimal; legacy_code: int; number: string}\n") },
            ExpectedDiagnostics =
            {
                // The new version is not listed yet: it has not shipped.
                Verify.Diagnostic("ES0015").WithSpan(8, 22, 8, 35).WithArguments("InvoiceIssued", "invoice_issued", "2"),
            },
        },
    }.RunAsync();

    [Fact]
    public Task The_fixs_upcaster_leaves_out_a_value_the_shipped_version_did_not_store_so_the_build_asks_for_it() => new VerifyKeep.Test
    {
        CodeFixTestBehaviors = CodeFixTestBehaviors.SkipLocalDiagnosticCheck,
        TestState =
        {
            Sources =
            {
                """
                #nullable enable
                using EventSourcery;

                public sealed record {|#0:InvoiceIssued|}(string Number, string Currency) : Event;
                """,
            },
            AdditionalFiles = { (File, "InvoiceIssued v1 {number: string}\n") },
            ExpectedDiagnostics = { Verify.Diagnostic("ES0012").WithLocation(0).WithArguments("InvoiceIssued", "InvoiceIssued", "1", "'currency' was added and payloads must hold it (give it a default)") },
        },
        FixedState =
        {
            Sources =
            {
                """
                #nullable enable
                using EventSourcery;

                [EventName("InvoiceIssued", Version = 2)]
                public sealed record InvoiceIssued(string Number, string Currency) : Event;

                /// <summary>Version 1 of 'InvoiceIssued' as it shipped (EventSchemas.Shipped.txt), kept to read the events stored with it.</summary>
                [EventName("InvoiceIssued", Version = 1)]
                public sealed record InvoiceIssuedV1(string Number);

                /// <summary>Reads version 1 of 'InvoiceIssued' as version 2.</summary>
                public static class InvoiceIssuedUpcasts
                {
                    [Upcaster]
                    public static InvoiceIssued FromV1(InvoiceIssuedV1 old) => {|CS7036:new(Number: old.Number /* version 1 stored no 'currency': pass the value events stored before version 2 read with */)|};
                }

                """,
            },
            AdditionalFiles = { (File, "InvoiceIssued v1 {number: string}\n") },
            ExpectedDiagnostics = { Verify.Diagnostic("ES0015").WithSpan(5, 22, 5, 35).WithArguments("InvoiceIssued", "InvoiceIssued", "2") },
        },
    }.RunAsync();

    private static Task Run(string source, string? shipped, params DiagnosticResult[] expected)
    {
        var test = new Verify.Test { TestCode = source };
        if (shipped is not null)
        {
            test.TestState.AdditionalFiles.Add((File, shipped));
        }

        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }
}
