using EventSourcery.Generators.Models;

namespace EventSourcery.Generators.Emitting;

// Reading a value of any shape: the code that deserializes one property.
internal sealed partial class JsonCodecEmitter
{
    private void EmitRead(TypeShape shape, string target)
    {
        if (ReadStatement(shape, target) is { } statement)
        {
            _writer.WriteLine(statement);
            return;
        }

        if (shape.IsReferenceType || shape.Kind == ShapeKind.Nullable)
        {
            using (_writer.Block($"if (reader.TokenType == {_tokenType}.Null)"))
            {
                _writer.WriteLine($"{target} = default!;");
            }

            using (_writer.Block("else"))
            {
                EmitReadNotNull(shape, target);
            }
        }
        else
        {
            EmitReadNotNull(shape, target);
        }
    }

    /// <summary>
    /// The read of a value into <paramref name="target"/> as one statement, for the shapes that read in one expression:
    /// a value that may be null (null for <c>Nullable&lt;T&gt;</c>, whose conditional takes the local's type; default!
    /// for a reference), or a value type checked not to be null on the way in. Null for every other shape.
    /// </summary>
    private string? ReadStatement(TypeShape shape, string target)
    {
        var nullable = shape.Kind == ShapeKind.Nullable;
        if (shape.IsReferenceType || nullable)
        {
            return ReadExpression(nullable ? shape.Element! : shape) is { } read
                ? $"{target} = reader.TokenType == {_tokenType}.Null ? {(nullable ? "null" : "default!")} : {read};"
                : null;
        }

        return shape.Kind is ShapeKind.Primitive or ShapeKind.Enum or ShapeKind.Object
            ? $"{target} = {ReadExpression(shape, $"{_primitives}.NotNull(ref reader, {Quote(shape.TypeName)})")};"
            : null;
    }

    private void EmitReadNotNull(TypeShape shape, string target)
    {
        switch (shape.Kind)
        {
            case ShapeKind.Primitive:
            case ShapeKind.Enum:
            case ShapeKind.Object:
                // A value type cannot be null: the reader is checked on the way in.
                var source = shape.IsReferenceType ? "reader" : $"{_primitives}.NotNull(ref reader, {Quote(shape.TypeName)})";
                _writer.WriteLine($"{target} = {ReadExpression(shape, source)};");
                break;
            case ShapeKind.Nullable:
                var inner = NextLocal("n");
                _writer.WriteLine($"{LocalType(shape.Element!)} {inner} = default!;");
                EmitReadNotNull(shape.Element!, inner);
                _writer.WriteLine($"{target} = {inner};");
                break;
            case ShapeKind.Collection:
                EmitReadCollection(shape, target);
                break;
            case ShapeKind.Dictionary:
                EmitReadDictionary(shape, target);
                break;
        }
    }

    private void EmitReadCollection(TypeShape shape, string target)
    {
        var element = shape.Element!;
        var list = NextLocal("list");
        var item = NextLocal("item");
        var elementType = LocalType(element);
        EmitExpectToken(shape.TypeName, "StartArray");
        _writer.WriteLine($"var {list} = new global::System.Collections.Generic.List<{elementType}>();");
        using (_writer.Block("while (true)"))
        {
            _writer.WriteLine($"{_primitives}.Next(ref reader, {Quote(shape.TypeName)});");
            _writer.WriteLine($"if (reader.TokenType == {_tokenType}.EndArray) break;");
            _writer.WriteLine($"{elementType} {item} = default!;");
            EmitRead(element, item);
            _writer.WriteLine($"{list}.Add({item});");
        }

        _writer.WriteLine(shape.Collection switch
        {
            CollectionKind.Array => $"{target} = {list}.ToArray();",
            CollectionKind.HashSet => $"{target} = new global::System.Collections.Generic.HashSet<{elementType}>({list});",
            CollectionKind.ImmutableArray => $"{target} = global::System.Collections.Immutable.ImmutableArray.CreateRange({list});",
            _ => $"{target} = {list};",
        });
    }

    private void EmitReadDictionary(TypeShape shape, string target)
    {
        var dictionary = NextLocal("dict");
        var key = NextLocal("key");
        var value = NextLocal("value");
        var keyType = LocalType(shape.Key!);
        var valueType = LocalType(shape.Element!);
        EmitExpectToken(shape.TypeName, "StartObject");
        _writer.WriteLine($"var {dictionary} = new global::System.Collections.Generic.Dictionary<{keyType}, {valueType}>();");
        using (_writer.Block("while (true)"))
        {
            _writer.WriteLine($"{_primitives}.Next(ref reader, {Quote(shape.TypeName)});");
            _writer.WriteLine($"if (reader.TokenType == {_tokenType}.EndObject) break;");
            _writer.WriteLine($"var {key} = {ReadKey(shape.Key!.CodecId)};");
            _writer.WriteLine($"{_primitives}.Next(ref reader, {Quote(shape.TypeName)});");
            _writer.WriteLine($"{valueType} {value} = default!;");
            EmitRead(shape.Element!, value);
            _writer.WriteLine($"{dictionary}[{key}] = {value};");
        }

        _writer.WriteLine($"{target} = {dictionary};");
    }

    /// <summary>The read of a token known not to be null, as one expression, for the shapes that have one.</summary>
    /// <param name="shape">The value's shape.</param>
    /// <param name="reader">The reader as the expression names it: <c>reader</c>, or a call that checks it first and returns it by reference.</param>
    private string? ReadExpression(TypeShape shape, string reader = "reader") => shape.Kind switch
    {
        ShapeKind.Primitive => ReadPrimitive(shape.CodecId, reader),
        ShapeKind.Enum or ShapeKind.Object => $"Read_{shape.CodecId}(ref {reader})",
        _ => null,
    };

    private string ReadKey(string primitive) => primitive switch
    {
        "Int32" => $"{_primitives}.ReadInt32Key(ref reader)",
        "Int64" => $"{_primitives}.ReadInt64Key(ref reader)",
        "Guid" => $"{_primitives}.ReadGuidKey(ref reader)",
        _ => "reader.GetString()!",
    };

    private string ReadPrimitive(string primitive, string reader) => primitive switch
    {
        "String" => $"{reader}.GetString()!",
        "ByteArray" => $"{reader}.GetBytesFromBase64()",
        "Char" or "DateOnly" or "TimeOnly" or "TimeSpan" or "Uri" => $"{_primitives}.Read{primitive}(ref {reader})",
        _ => $"{reader}.Get{primitive}()",
    };
}
