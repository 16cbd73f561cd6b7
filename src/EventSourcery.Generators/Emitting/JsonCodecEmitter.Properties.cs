using System.Collections.Generic;
using System.Text;
using EventSourcery.Generators.Models;
using Microsoft.CodeAnalysis.CSharp;

namespace EventSourcery.Generators.Emitting;

// The loop over an object's properties in a Read_ method.
internal sealed partial class JsonCodecEmitter
{
    /// <summary>
    /// The loop over an object's properties as a table of their names and a switch: <c>JsonPrimitives.NextProperty</c>
    /// finds each property (its index in the table), skips any other and steps onto the value; the switch reads it into its local.
    /// <code>
    /// global::System.ReadOnlySpan&lt;byte&gt; names = "\u0007orderId\u000CcustomerName"u8;
    /// var property = -1;
    /// try
    /// {
    ///     while (JsonPrimitives.NextProperty(ref reader, names, ref property, type))
    ///     {
    ///         switch (property)
    ///         {
    ///             case 0: orderIdValue = …; present |= 1UL &lt;&lt; 0; break;
    ///             case 1: customerNameValue = …; present |= 1UL &lt;&lt; 1; break;
    ///         }
    ///     }
    /// }
    /// catch (global::System.Exception ex) when (property &gt;= 0 &amp;&amp; JsonPrimitives.IsReadError(ex))
    /// {
    ///     throw JsonPrimitives.InvalidProperty(type, names, property, ex);
    /// }
    /// </code>
    /// </summary>
    private void EmitPropertySwitch(ObjectCodecModel model, string type, List<int> read)
    {
        var properties = model.Properties;
        var names = new List<string>(read.Count);
        foreach (var i in read)
        {
            names.Add(properties[i].JsonName);
        }

        _writer.WriteLine($"global::System.ReadOnlySpan<byte> names = {NameTable(names)};");
        _writer.WriteLine("var property = -1;");
        using (_writer.Block("try"))
        {
            using (_writer.Block($"while ({_primitives}.NextProperty(ref reader, names, ref property, {TypeText(type)}))"))
            {
                using (_writer.Block("switch (property)"))
                {
                    for (var k = 0; k < read.Count; k++)
                    {
                        var i = read[k];
                        _writer.WriteLine($"case {k}: {ReadStatement(properties[i].Shape, _values[i])}{Presence(model, i)} break;");
                    }
                }
            }
        }

        using (_writer.Block($"catch (global::System.Exception ex) when (property >= 0 && {_primitives}.IsReadError(ex))"))
        {
            _writer.WriteLine($"throw {_primitives}.InvalidProperty({TypeText(type)}, names, property, ex);");
        }
    }

    /// <summary>
    /// The table of <c>JsonPrimitives.NextProperty</c> as a UTF-8 literal: each name's UTF-8 length in 6-bit groups,
    /// lowest first, 0x40 set on every group but the last (each written as <c>\u00XX</c>), then the name.
    /// </summary>
    internal static string NameTable(IEnumerable<string> names)
    {
        var table = new StringBuilder("\"");
        foreach (var name in names)
        {
            var length = Encoding.UTF8.GetByteCount(name);
            do
            {
                var group = length & 0x3F;
                length >>= 6;
                table.Append("\\u00").Append((length > 0 ? group | 0x40 : group).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            while (length > 0);

            var quoted = SymbolDisplay.FormatLiteral(name, quote: true);
            table.Append(quoted, 1, quoted.Length - 2);
        }

        return table.Append("\"u8").ToString();
    }

    /// <summary>
    /// The loop over an object's properties, each read into its local; with <paramref name="sealedData"/>, also the
    /// event's sealed personal data (<c>"$pd"</c>), opened and read by the <c>ReadPersonalProperty</c> local function.
    /// </summary>
    private void EmitPropertyLoop(ObjectCodecModel model, string type, List<int> read, bool sealedData)
    {
        var properties = model.Properties;
        using (_writer.Block("while (true)"))
        {
            _writer.WriteLine($"{_primitives}.Next(ref reader, {TypeText(type)});");
            _writer.WriteLine($"if (reader.TokenType == {_tokenType}.EndObject) break;");
            foreach (var i in read)
            {
                var test = $"{(i == read[0] ? "if" : "else if")} (reader.ValueTextEquals({Utf8(properties[i].JsonName)}))";
                _writer.WriteLine($"{test} {{ {PropertyReadStart(model, type, i)} {ReadStatement(properties[i].Shape, _values[i])}{Presence(model, i)} }}");
            }

            if (sealedData)
            {
                EmitOpenSealed(model, type, first: read.Count == 0);
            }

            // Any other property is skipped; an error inside it names none of the type's (where there is a property to name).
            var skip = $"{(sealedData ? "property = null; " : string.Empty)}{_primitives}.Next(ref reader, {TypeText(type)}); reader.Skip();";
            _writer.WriteLine(read.Count == 0 && !sealedData ? skip : $"else {{ {skip} }}");
        }
    }
}
