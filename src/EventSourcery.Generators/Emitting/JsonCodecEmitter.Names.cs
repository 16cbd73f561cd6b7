using EventSourcery.Generators.Helpers;
using EventSourcery.Generators.Models;

namespace EventSourcery.Generators.Emitting;

// The names generated code uses: members as C# spells them, the reader's locals, the type in errors.
internal sealed partial class JsonCodecEmitter
{
    /// <summary>A member's name as C# source names it: a keyword (a property declared <c>@class</c>) gets its <c>@</c> back.</summary>
    private static string Identifier(string name)
        => Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetKeywordKind(name) != Microsoft.CodeAnalysis.CSharp.SyntaxKind.None ? "@" + name : name;

    /// <summary>
    /// The locals a reader keeps each property in, named after it: <c>orderIdValue</c> and <c>hasOrderId</c> for
    /// <c>OrderId</c>. They cannot meet the reader's other locals (<c>reader</c>, <c>header</c>, <c>type</c>, <c>property</c>, <c>names</c>, <c>present</c>,
    /// <c>result</c>, and the numbered <c>list0</c>, <c>item0</c>, … of nested values); two properties whose names
    /// differ only in their first letter's case get a number after the second.
    /// </summary>
    private static (string[] Values, string[] Has) LocalNames(EquatableArray<JsonPropertyModel> properties)
    {
        var values = new string[properties.Count];
        var has = new string[properties.Count];
        var taken = new System.Collections.Generic.HashSet<string>(System.StringComparer.Ordinal);
        for (var i = 0; i < properties.Count; i++)
        {
            var name = properties[i].Name.TrimStart('@');
            var camel = char.ToLowerInvariant(name[0]) + name.Substring(1);
            var pascal = char.ToUpperInvariant(name[0]) + name.Substring(1);
            var suffix = string.Empty;
            for (var n = 1; taken.Contains(camel + "Value" + suffix) || taken.Contains("has" + pascal + suffix); n++)
            {
                suffix = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            values[i] = camel + "Value" + suffix;
            has[i] = "has" + pascal + suffix;
            taken.Add(values[i]);
            taken.Add(has[i]);
        }

        return (values, has);
    }

    /// <summary>How the code names <paramref name="typeName"/> in an error: the reader's <c>type</c> constant for the type it reads, or else a string literal.</summary>
    private string TypeText(string typeName) => typeName == _readingType ? "type" : Quote(typeName);
}
