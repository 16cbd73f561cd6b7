using EventSourcery.Generators.Models;

namespace EventSourcery.Generators.Emitting;

// Reading a value of any shape: the code that deserializes one property.
internal sealed partial class JsonCodecEmitter
{
    private void EmitRead(TypeShape shape, string target) => _writer.WriteLine(ReadStatement(shape, target));

    /// <summary>The read of a value of any shape into <paramref name="target"/>, the reader on the value's first token.</summary>
    private string ReadStatement(TypeShape shape, string target) => $"{target} = {ValueExpression(shape)};";

    /// <summary>
    /// The read of a value of any shape as one expression: null (for <c>Nullable&lt;T&gt;</c>, whose conditional takes
    /// the target's type) or default! (for a reference) on a null token, otherwise the value; a value type is checked
    /// not to be null on the way in.
    /// </summary>
    private string ValueExpression(TypeShape shape)
    {
        var nullable = shape.Kind == ShapeKind.Nullable;
        return shape.IsReferenceType || nullable
            ? $"reader.TokenType == {_tokenType}.Null ? {(nullable ? "null" : "default!")} : {NotNullExpression(nullable ? shape.Element! : shape, tokenChecked: true)}"
            : NotNullExpression(shape, tokenChecked: false);
    }

    /// <summary>
    /// The read of a value whose token is not null (or, for a value type, checked so). Collections and dictionaries go
    /// through <c>JsonPrimitives.ReadList</c> and <c>ReadDictionary</c> with a static lambda per item, so their loop is
    /// written once in the runtime rather than in every codec.
    /// </summary>
    /// <param name="shape">The value's shape.</param>
    /// <param name="tokenChecked">Whether the token is known not to be null already (no check for a value type then).</param>
    private string NotNullExpression(TypeShape shape, bool tokenChecked)
    {
        switch (shape.Kind)
        {
            case ShapeKind.Nullable:
                return NotNullExpression(shape.Element!, tokenChecked);
            case ShapeKind.Collection:
                var elementType = LocalType(shape.Element!);
                var list = $"{_primitives}.ReadList<{elementType}>(ref reader, {Quote(shape.TypeName)}, {ItemReader(shape.Element!)})";
                return shape.Collection switch
                {
                    CollectionKind.Array => $"{list}.ToArray()",
                    CollectionKind.HashSet => $"new global::System.Collections.Generic.HashSet<{elementType}>({list})",
                    CollectionKind.ImmutableArray => $"global::System.Collections.Immutable.ImmutableArray.CreateRange({list})",
                    _ => list,
                };
            case ShapeKind.Dictionary:
                return $"{_primitives}.ReadDictionary<{LocalType(shape.Key!)}, {LocalType(shape.Element!)}>(ref reader, {Quote(shape.TypeName)}, "
                    + $"static (ref {JsonReader} reader) => {ReadKey(shape.Key!.CodecId)}, {ItemReader(shape.Element!)})";
            default:
                return ReadExpression(shape, shape.IsReferenceType || tokenChecked ? "reader" : $"{_primitives}.NotNull(ref reader, {Quote(shape.TypeName)})")!;
        }
    }

    /// <summary>A static lambda that reads one item of a collection or one value of a dictionary.</summary>
    private string ItemReader(TypeShape shape) => $"static (ref {JsonReader} reader) => {ValueExpression(shape)}";

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
