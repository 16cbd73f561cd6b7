using System.Linq;
using EventSourcery.Generators.Models;

namespace EventSourcery.Generators.Emitting;

// Personal data: the subject of an event, and the value methods a cipher encrypts and decrypts a property through.
internal sealed partial class JsonCodecEmitter
{
    /// <summary>The method that writes or reads one personal property's value (or the subject's) on its own: <c>WriteValue_Shop_CustomerRegistered_Email</c>.</summary>
    private static string PersonalValueMethod(string verb, ObjectCodecModel model, JsonPropertyModel property) => $"{verb}Value_{model.CodecId}_{property.Name.TrimStart('@')}";

    /// <summary>
    /// The event's entry points for its registration: <c>WriteEvent_…</c> over <c>Event</c>, and for an event with
    /// personal data, the overloads with a cipher (<c>Plain</c> for the one without) and its <c>SubjectOf_…</c>.
    /// </summary>
    private void EmitEventEntryPoints(ObjectCodecModel model, bool personal)
    {
        var (type, id) = (model.TypeName, model.CodecId);
        _writer.WriteLine(personal
            ? $"internal static void WriteEvent_{id}({Json}.Utf8JsonWriter writer, global::EventSourcery.Event value) => Write_{id}(writer, ({type})value, {Cipher}.Plain);"
            : $"internal static void WriteEvent_{id}({Json}.Utf8JsonWriter writer, global::EventSourcery.Event value) => Write_{id}(writer, ({type})value);");
        if (personal)
        {
            _writer.WriteLine($"internal static void WriteEvent_{id}({Json}.Utf8JsonWriter writer, global::EventSourcery.Event value, {Cipher} cipher) => Write_{id}(writer, ({type})value, cipher);");
            _writer.WriteLine($"internal static {type} Read_{id}(ref {Json}.Utf8JsonReader reader, in global::EventSourcery.Serialization.EventHeader header) => Read_{id}(ref reader, header, {Cipher}.Plain);");
            EmitSubjectOf(model);
        }

        _writer.WriteLine();
    }

    /// <summary>
    /// For <c>[DataSubject] Guid CustomerId</c> emits
    /// <c>internal static string? SubjectOf_Shop_CustomerRegistered(global::EventSourcery.Event value) => ((global::Shop.CustomerRegistered)value).CustomerId.ToString();</c>:
    /// the subject's id as the text its key is stored under (a Guid as JSON writes it; another type through its JSON).
    /// </summary>
    private void EmitSubjectOf(ObjectCodecModel model)
    {
        if (model.Properties.FirstOrDefault(p => p.IsSubject) is not { } subject)
        {
            return;
        }

        var value = $"(({model.TypeName})value).{Identifier(subject.Name)}";
        var shape = subject.Shape;
        var text = shape switch
        {
            { Kind: ShapeKind.Primitive, CodecId: "String" } => value,
            { Kind: ShapeKind.Primitive, CodecId: "Guid" } => value + ".ToString()",
            { Kind: ShapeKind.Nullable, Element: { Kind: ShapeKind.Primitive, CodecId: "Guid" } } => value + "?.ToString()",
            _ => $"global::EventSourcery.Serialization.PersonalDataShape.SubjectText({value}, {PersonalValueMethod("Write", model, subject)})",
        };
        _writer.WriteLine($"internal static string? SubjectOf_{model.CodecId}(global::EventSourcery.Event value) => {text};");
    }

    /// <summary>
    /// For each personal property (and a subject read through its JSON) emits a writer and a reader of its value alone:
    /// <c>WriteValue_…_Email(Utf8JsonWriter writer, string value)</c> and <c>ReadValue_…_Email(ref Utf8JsonReader reader)</c>.
    /// </summary>
    private void EmitPersonalValueMethods(ObjectCodecModel model)
    {
        foreach (var property in model.Properties)
        {
            var personal = property.PersonalMask is not null;
            var subjectAsJson = property.IsSubject && property.Shape is not ({ Kind: ShapeKind.Primitive, CodecId: "String" or "Guid" } or { Kind: ShapeKind.Nullable, Element: { Kind: ShapeKind.Primitive, CodecId: "Guid" } });
            if (!personal && !subjectAsJson)
            {
                continue;
            }

            var type = LocalType(property.Shape);
            _writer.WriteLine();
            using (_writer.Block($"private static void {PersonalValueMethod("Write", model, property)}({Json}.Utf8JsonWriter writer, {type} value)"))
            {
                EmitWrite(property.Shape, "value", $"{Quote(model.TypeName)}, {Quote(property.Name)}");
            }

            if (!personal)
            {
                continue;
            }

            _writer.WriteLine();
            using (_writer.Block($"private static {type} {PersonalValueMethod("Read", model, property)}(ref {Json}.Utf8JsonReader reader)"))
            {
                _writer.WriteLine($"{type} result = default!;");
                EmitRead(property.Shape, "result");
                _writer.WriteLine("return result;");
            }
        }
    }
}
