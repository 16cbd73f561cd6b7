namespace EventSourcery.Generators.Tests;

/// <summary>
/// A codec's reader keeps each property in locals named after it (<c>orderIdValue</c>, <c>hasOrderId</c>); names that
/// would meet each other or the reader's own locals still compile.
/// </summary>
public sealed class LocalNameTests
{
    [Fact]
    public void Locals_are_named_after_the_properties()
    {
        var result = GeneratorHarness.Run("""
            using EventSourcery;
            namespace Shop;
            public sealed record OrderPlaced(string OrderId, int Quantity = 1) : Event;
            """);

        result.AssertClean();
        var codec = result.Source("EventSourcery.Json.Shop_OrderPlaced.g.cs");
        Assert.Contains("string orderIdValue = default!;", codec, StringComparison.Ordinal);
        Assert.Contains("bool hasQuantity = false;", codec, StringComparison.Ordinal);
        Assert.Contains("new global::Shop.OrderPlaced(orderIdValue, hasQuantity ? quantityValue : (int)(1))", codec, StringComparison.Ordinal);
    }

    [Fact]
    public void Properties_whose_locals_would_meet_get_numbered_locals_and_keyword_names_compile()
    {
        var result = GeneratorHarness.Run("""
            using EventSourcery;
            namespace Shop;
            public enum Kind { @class, @event }
            public sealed record Tangled(string Foo, string Foo1, string Reader, string Header, string Property, string Result, string Value, string Item, Kind Kind, string Names, string Present) : Event
            {
                public string foo { get; init; } = "";
                public string @class { get; init; } = "";
            }
            """);

        result.AssertClean();
        var codec = result.Source("EventSourcery.Json.Shop_Tangled.g.cs");
        Assert.Contains("string fooValue = default!;", codec, StringComparison.Ordinal);
        Assert.Contains("string foo1Value = default!;", codec, StringComparison.Ordinal);
        Assert.Contains("string fooValue2 = default!;", codec, StringComparison.Ordinal); // fooValue1 would go with hasFoo1, which Foo1 has
        Assert.Contains("bool hasFoo2 = false;", codec, StringComparison.Ordinal);
        Assert.Contains("string classValue = default!;", codec, StringComparison.Ordinal);
    }
}
