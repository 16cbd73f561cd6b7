using System.Text;
using EventSourcery.Generators.Emitting;
using EventSourcery.Serialization;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace EventSourcery.Generators.Tests;

/// <summary>The table of property names a generated reader passes to JsonPrimitives.NextProperty, as C# reads the literal.</summary>
public sealed class NameTableTests
{
    [Fact]
    public void The_literal_holds_every_name_as_the_runtime_reads_it()
    {
        string[] names = ["orderId", "a\"b\\c", "\0\n\t", new('x', 63), new('y', 64), "é😀" + new string('z', 5000), "", "\u0040\u007F"];
        var literal = JsonCodecEmitter.NameTable(names);

        // The literal as the compiler reads it: a u8 string, whose bytes are its text in UTF-8.
        var expression = Assert.IsType<LiteralExpressionSyntax>(SyntaxFactory.ParseExpression(literal));
        Assert.Equal(SyntaxKind.Utf8StringLiteralExpression, expression.Kind());
        Assert.Empty(expression.GetDiagnostics());
        var table = Encoding.UTF8.GetBytes(expression.Token.ValueText);

        for (var i = 0; i < names.Length; i++)
        {
            Assert.Equal(names[i], JsonPrimitives.PropertyName(table, i));
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => JsonPrimitives.PropertyName(table, names.Length));
        Assert.StartsWith("\"\\u0007orderId\\u0005a\\\"b\\\\c", literal, StringComparison.Ordinal); // readable: lengths as \u00XX, names as C# writes them
    }
}
