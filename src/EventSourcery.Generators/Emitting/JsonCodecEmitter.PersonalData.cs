using System.Linq;
using EventSourcery.Generators.Models;

namespace EventSourcery.Generators.Emitting;

// Personal data: the subject of an event, and the value methods a cipher encrypts and decrypts a property through.
internal sealed partial class JsonCodecEmitter
{
    /// <summary>The method that writes or reads one personal property's value (or the subject's) on its own: <c>WriteValue_Shop_CustomerRegistered_Email</c>.</summary>
    private static string PersonalValueMethod(string verb, ObjectCodecModel model, JsonPropertyModel property) => $"{verb}Value_{model.CodecId}_{property.Name.TrimStart('@')}";

    /// <summary>
    /// For an event with personal data, the entry points of its registration: <c>WriteEvent_…</c> over <c>Event</c>, with
    /// a cipher and without (<c>Plain</c>), <c>Read_…</c> without a cipher, and its <c>SubjectOf_…</c>. An event
    /// without is registered through its <c>Write_…</c> and <c>Read_…</c> themselves.
    /// </summary>
    private void EmitEventEntryPoints(ObjectCodecModel model, bool personal)
    {
        // An event without personal data is registered through its Write_ and Read_ methods themselves (EventType.Create<T>).
        if (!personal)
        {
            return;
        }

        var (type, id) = (model.TypeName, model.CodecId);
        _writer.WriteLine($"internal static void WriteEvent_{id}({JsonWriter} writer, {EventBase} value) => Write_{id}(writer, ({type})value, {Cipher}.Plain);");
        _writer.WriteLine($"internal static void WriteEvent_{id}({JsonWriter} writer, {EventBase} value, {Cipher} cipher) => Write_{id}(writer, ({type})value, cipher);");
        _writer.WriteLine($"internal static {type} Read_{id}(ref {JsonReader} reader, in {EventHeader} header) => Read_{id}(ref reader, header, {Cipher}.Plain);");
        EmitSubjectOf(model);
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
        _writer.WriteLine($"internal static string? SubjectOf_{model.CodecId}({EventBase} value) => {text};");
    }

    /// <summary>The method that writes an event's personal properties, each as a name and a value: <c>WritePersonalData_Shop_CustomerRegistered</c>.</summary>
    private static string PersonalMethod(ObjectCodecModel model) => $"WritePersonalData_{model.CodecId}";

    /// <summary>
    /// The branches of the property loop that read personal data: a property stored plain (before it was marked), and
    /// the sealed <c>"$pd"</c>, opened and read property by property (or masked):
    /// <code>
    /// else if (ReadPersonalProperty(ref reader)) { }
    /// else if (reader.ValueTextEquals("$pd"u8))
    /// {
    ///     property = "$pd"; JsonPrimitives.Next(ref reader, type);
    ///     using var personalData = cipher.Open(ref reader);
    ///     if (personalData.IsMasked) { emailValue = "redacted"; hasEmail = true; }
    ///     else { /* a reader over personalData.Json, each property through ReadPersonalProperty */ }
    /// }
    /// </code>
    /// </summary>
    private void EmitOpenSealed(ObjectCodecModel model, string type, bool first)
    {
        var marked = Enumerable.Range(0, model.Properties.Count).Where(i => model.Properties[i].PersonalMask is not null && model.Properties[i].Assignment != Assignment.WriteOnly).ToList();
        using (_writer.Block($"{(first ? "if" : "else if")} (ReadPersonalProperty(ref reader))"))
        {
            _writer.WriteLine("// stored plain, before the property was marked");
        }

        using (_writer.Block("else if (reader.ValueTextEquals(\"$pd\"u8))"))
        {
            _writer.WriteLine("property = \"$pd\";");
            _writer.WriteLine($"{_primitives}.Next(ref reader, {TypeText(type)});");
            _writer.WriteLine("using var personalData = cipher.Open(ref reader);");
            using (_writer.Block("if (personalData.IsMasked)"))
            {
                foreach (var i in marked)
                {
                    _writer.WriteLine($"{_values[i]} = {model.Properties[i].PersonalMask};");
                    if (Presence(model, i) is { Length: > 0 } presence)
                    {
                        _writer.WriteLine(presence.TrimStart());
                    }
                }
            }

            using (_writer.Block("else"))
            {
                _writer.WriteLine($"var personalReader = new {JsonReader}(personalData.Json);");
                _writer.WriteLine($"{_primitives}.Next(ref personalReader, {TypeText(type)});");
                using (_writer.Block("while (true)"))
                {
                    _writer.WriteLine($"{_primitives}.Next(ref personalReader, {TypeText(type)});");
                    _writer.WriteLine($"if (personalReader.TokenType == {_tokenType}.EndObject) break;");
                    using (_writer.Block("if (!ReadPersonalProperty(ref personalReader))"))
                    {
                        _writer.WriteLine($"{_primitives}.Next(ref personalReader, {TypeText(type)});");
                        _writer.WriteLine("personalReader.Skip();");
                    }
                }
            }
        }
    }

    /// <summary>
    /// The local function that reads one personal property into the reader's locals, the reader on its name, as the
    /// main loop reads any other: <c>bool ReadPersonalProperty(ref Utf8JsonReader reader) { … }</c>, false for a
    /// name that is not one of them.
    /// </summary>
    private void EmitSealedReader(ObjectCodecModel model, string type, System.Collections.Generic.List<int> read)
    {
        using (_writer.Block($"bool ReadPersonalProperty(ref {JsonReader} reader)"))
        {
            foreach (var i in read.Where(i => model.Properties[i].PersonalMask is not null))
            {
                using (_writer.Block($"if (reader.ValueTextEquals({Utf8(model.Properties[i].JsonName)}))"))
                {
                    EmitPropertyRead(model, type, i);
                    _writer.WriteLine("return true;");
                }
            }

            _writer.WriteLine("return false;");
        }
    }

    /// <summary>
    /// Emits <c>WritePersonalData_…(Utf8JsonWriter writer, T value)</c>, which writes the marked properties as names and
    /// values for the cipher to seal, and for a subject read through its JSON, <c>WriteValue_…_Subject</c>.
    /// </summary>
    private void EmitPersonalMethods(ObjectCodecModel model)
    {
        _writer.WriteLine();
        using (_writer.Block($"private static void {PersonalMethod(model)}({JsonWriter} writer, {model.TypeName} value)"))
        {
            foreach (var property in model.Properties.Where(p => p.PersonalMask is not null))
            {
                _writer.WriteLine($"writer.WritePropertyName({Utf8(property.JsonName)});");
                EmitWrite(property.Shape, $"value.{Identifier(property.Name)}", $"{Quote(model.TypeName)}, {Quote(property.Name)}");
            }
        }

        if (model.Properties.FirstOrDefault(p => p.IsSubject) is { } subject && !SubjectIsText(subject.Shape))
        {
            _writer.WriteLine();
            using (_writer.Block($"private static void {PersonalValueMethod("Write", model, subject)}({JsonWriter} writer, {LocalType(subject.Shape)} value)"))
            {
                EmitWrite(subject.Shape, "value", $"{Quote(model.TypeName)}, {Quote(subject.Name)}");
            }
        }
    }

    /// <summary>Whether a subject of this shape is keyed by its own text (a string, or a Guid as JSON writes it) rather than through its JSON.</summary>
    private static bool SubjectIsText(TypeShape shape)
        => shape is { Kind: ShapeKind.Primitive, CodecId: "String" or "Guid" } or { Kind: ShapeKind.Nullable, Element: { Kind: ShapeKind.Primitive, CodecId: "Guid" } };
}
