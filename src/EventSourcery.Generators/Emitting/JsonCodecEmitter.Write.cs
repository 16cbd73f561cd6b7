using EventSourcery.Generators.Models;

namespace EventSourcery.Generators.Emitting;

// Writing a value of any shape: the code that serializes one property.
internal sealed partial class JsonCodecEmitter
{
    /// <summary>Writes <paramref name="value"/>; <paramref name="owner"/> is the type and property arguments that name it in a write error.</summary>
    private void EmitWrite(TypeShape shape, string value, string owner)
    {
        if (shape.IsReferenceType)
        {
            var local = NextLocal("v");
            if (WriteStatement(shape, local, owner) is { } statement)
            {
                _writer.WriteLine($"if ({value} is {{ }} {local}) {statement} else writer.WriteNullValue();");
                return;
            }

            using (_writer.Block($"if ({value} is {{ }} {local})"))
            {
                EmitWriteNotNull(shape, local, owner);
            }

            using (_writer.Block("else"))
            {
                _writer.WriteLine("writer.WriteNullValue();");
            }
        }
        else
        {
            EmitWriteNotNull(shape, value, owner);
        }
    }

    /// <summary>The write of a value known not to be null as one statement, for the shapes that have one.</summary>
    private string? WriteStatement(TypeShape shape, string value, string owner) => shape.Kind switch
    {
        ShapeKind.Primitive => WritePrimitive(shape.CodecId, value, owner),
        ShapeKind.Enum or ShapeKind.Object => $"Write_{shape.CodecId}(writer, {value});",
        _ => null,
    };

    /// <summary>
    /// The property name and value written in one call of the writer (<c>writer.WriteNumber("total"u8, value.Total);</c>),
    /// for the value types it writes exactly as the name and value calls would; null for every other shape.
    /// </summary>
    private static string? NamedWrite(TypeShape shape, string name, string value) => shape.Kind != ShapeKind.Primitive ? null : shape.CodecId switch
    {
        "Boolean" => $"writer.WriteBoolean({name}, {value});",
        "Guid" or "DateTime" or "DateTimeOffset" => $"writer.WriteString({name}, {value});",
        "Byte" or "SByte" or "Int16" or "UInt16" or "Int32" or "UInt32" or "Int64" or "UInt64" or "Decimal" => $"writer.WriteNumber({name}, {value});",
        _ => null,
    };

    private void EmitWriteNotNull(TypeShape shape, string value, string owner)
    {
        switch (shape.Kind)
        {
            case ShapeKind.Primitive:
                _writer.WriteLine(WritePrimitive(shape.CodecId, value, owner));
                break;
            case ShapeKind.Enum:
            case ShapeKind.Object:
                _writer.WriteLine($"Write_{shape.CodecId}(writer, {value});");
                break;
            case ShapeKind.Nullable:
                var inner = NextLocal("n");
                if (WriteStatement(shape.Element!, inner, owner) is { } statement)
                {
                    _writer.WriteLine($"if ({value} is {{ }} {inner}) {statement} else writer.WriteNullValue();");
                    break;
                }

                using (_writer.Block($"if ({value} is {{ }} {inner})"))
                {
                    EmitWriteNotNull(shape.Element!, inner, owner);
                }

                using (_writer.Block("else"))
                {
                    _writer.WriteLine("writer.WriteNullValue();");
                }

                break;
            case ShapeKind.Collection when shape.Collection == CollectionKind.ImmutableArray:
                using (_writer.Block($"if ({value}.IsDefault) writer.WriteNullValue(); else"))
                {
                    EmitWriteItems(shape, value, owner);
                }

                break;
            case ShapeKind.Collection:
                EmitWriteItems(shape, value, owner);
                break;
            case ShapeKind.Dictionary:
                var entry = NextLocal("kv");
                _writer.WriteLine("writer.WriteStartObject();");
                using (_writer.Block($"foreach (var {entry} in {value})"))
                {
                    _writer.WriteLine(shape.Key!.CodecId == "String"
                        ? $"{_primitives}.WriteKey(writer, {entry}.Key, {owner});"
                        : $"writer.WritePropertyName({_primitives}.Key({entry}.Key));");
                    EmitWrite(shape.Element!, $"{entry}.Value", owner);
                }

                _writer.WriteLine("writer.WriteEndObject();");
                break;
        }
    }

    private void EmitWriteItems(TypeShape shape, string value, string owner)
    {
        var item = NextLocal("item");
        _writer.WriteLine("writer.WriteStartArray();");
        using (_writer.Block($"foreach (var {item} in {value})"))
        {
            EmitWrite(shape.Element!, item, owner);
        }

        _writer.WriteLine("writer.WriteEndArray();");
    }

    /// <summary>
    /// The statement writing a primitive. User text (strings, chars) and floating-point numbers go through checks that
    /// refuse what JSON cannot hold unchanged, naming <paramref name="owner"/>; other primitives are always valid.
    /// </summary>
    private string WritePrimitive(string primitive, string value, string owner) => primitive switch
    {
        "Boolean" => $"writer.WriteBooleanValue({value});",
        "String" or "Char" or "Single" or "Double" => $"{_primitives}.Write{primitive}(writer, {value}, {owner});",
        "Guid" or "DateTime" or "DateTimeOffset" => $"writer.WriteStringValue({value});",
        "DateOnly" or "TimeOnly" or "TimeSpan" or "Uri" => $"{_primitives}.Write{primitive}(writer, {value});",
        "ByteArray" => $"writer.WriteBase64StringValue({value});",
        _ => $"writer.WriteNumberValue({value});",
    };
}
