using System.Text;
using System.Text.Json;
using EventSourcery.Serialization;

namespace EventSourcery.Tests;

/// <summary>
/// <see cref="JsonPrimitives.NextProperty"/>, the loop of every generated reader: it finds each listed property in any
/// order, skips the others whatever their value, and names a property by its index for an error.
/// </summary>
public sealed class JsonPropertyTableTests
{
    private static readonly string[] Names = ["orderId", "customerName", "lines"];

    [Theory]
    [InlineData("""{"orderId":1,"customerName":2,"lines":3}""", "0=1 1=2 2=3")]
    [InlineData("""{"lines":3,"orderId":1,"customerName":2}""", "2=3 0=1 1=2")]
    [InlineData("""{"customerName":2,"customerName":5}""", "1=2 1=5")]
    [InlineData("""{"other":{"orderId":9,"x":[1,{"lines":2}]},"orderId":1,"more":[[]],"lines":3,"last":null}""", "0=1 2=3")]
    [InlineData("""{"\u006FrderId":1,"customer\u004Eame":2}""", "0=1 1=2")]
    [InlineData("""{"OrderId":1,"orderid":2,"orderId ":3}""", "")]
    [InlineData("{}", "")]
    public void Listed_properties_are_found_in_any_order_and_any_other_is_skipped(string json, string expected)
    {
        Assert.Equal(expected, ReadAll(json, Table(Names)));
    }

    [Fact]
    public void Names_of_any_length_and_any_characters_are_found_and_named()
    {
        // 63 bytes fit one length group, 64 take two, 4,096 take three; é and 😀 are two and four UTF-8 bytes.
        string[] names = [new('a', 63), new('b', 64), "é" + new string('c', 100), string.Concat(Enumerable.Repeat("😀", 1024)), "", "x"];
        var table = Table(names);
        var json = "{" + string.Join(",", names.Select((n, i) => $"\"{n}\":{i}").Reverse()) + "}";

        Assert.Equal("5=5 4=4 3=3 2=2 1=1 0=0", ReadAll(json, table));
        for (var i = 0; i < names.Length; i++)
        {
            Assert.Equal(names[i], JsonPrimitives.PropertyName(table, i));
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => JsonPrimitives.PropertyName(table, names.Length));
    }

    [Fact]
    public void JSON_that_ends_inside_the_object_names_the_type_and_leaves_the_index_of_the_property_it_ended_in()
    {
        var (error, property) = ErrorAfterTheFirstProperty("""{"orderId":1,"lines":""", isFinalBlock: false);

        Assert.NotNull(error);
        Assert.Contains("Shop.OrderPlaced", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, property); // a generated reader names 'lines' in its error
    }

    [Fact]
    public void An_error_inside_a_property_it_skips_is_not_blamed_on_the_property_before_it()
    {
        var (error, property) = ErrorAfterTheFirstProperty("""{"orderId":1,"other":[1,}""", isFinalBlock: true);

        Assert.NotNull(error);
        Assert.Equal(-1, property); // a generated reader names no property: 'orderId' was read without error
    }

    [Fact]
    public void A_read_error_names_the_property_by_its_index()
    {
        var error = JsonPrimitives.InvalidProperty("Shop.OrderPlaced", Table(Names), 1, new FormatException("not a number"));
        Assert.Equal("'customerName' of Shop.OrderPlaced: not a number", error.Message);
    }

    /// <summary>
    /// Reads <paramref name="json"/>'s first property (which must be 'orderId'), then the next one: the error that
    /// read threw, if any, and the index it left (a reader is a ref struct, so Assert.Throws cannot hold it).
    /// </summary>
    private static (JsonException? Error, int Property) ErrorAfterTheFirstProperty(string json, bool isFinalBlock)
    {
        var table = Table(Names);
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json), isFinalBlock, default);
        reader.Read();
        var property = -1;
        Assert.True(JsonPrimitives.NextProperty(ref reader, table, ref property, "Shop.OrderPlaced"));
        Assert.Equal(0, property);
        try
        {
            JsonPrimitives.NextProperty(ref reader, table, ref property, "Shop.OrderPlaced");
            return (null, property);
        }
        catch (JsonException e)
        {
            return (e, property);
        }
    }

    /// <summary>Each property found, as index=value, the values being numbers.</summary>
    private static string ReadAll(string json, byte[] table)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        var found = new List<string>();
        var property = -1;
        while (JsonPrimitives.NextProperty(ref reader, table, ref property, "Shop.OrderPlaced"))
        {
            found.Add($"{property}={reader.GetInt32()}");
        }

        Assert.Equal(JsonTokenType.EndObject, reader.TokenType);
        Assert.False(reader.Read());
        return string.Join(" ", found);
    }

    /// <summary>A table as the generator writes it (its own test checks that it does): each name's UTF-8 length in 6-bit groups, then the name.</summary>
    private static byte[] Table(IEnumerable<string> names)
    {
        var table = new List<byte>();
        foreach (var name in names)
        {
            var bytes = Encoding.UTF8.GetBytes(name);
            var length = bytes.Length;
            do
            {
                var group = length & 0x3F;
                length >>= 6;
                table.Add((byte)(length > 0 ? group | 0x40 : group));
            }
            while (length > 0);

            table.AddRange(bytes);
        }

        return [.. table];
    }
}
