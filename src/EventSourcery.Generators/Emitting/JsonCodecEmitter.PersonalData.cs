using System.Collections.Generic;
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
    /// The <c>"$pd"</c> case of the property switch: the sealed personal data opened, and read property by property
    /// through the same table (or masked):
    /// <code>
    /// case 6:
    /// {
    ///     using var personalData = cipher.Open(ref reader);
    ///     if (personalData.IsMasked) { emailValue = "redacted"; hasEmail = true; }
    ///     else { /* a reader over personalData.Json, each property through ReadPersonalProperty */ }
    ///     break;
    /// }
    /// </code>
    /// </summary>
    private void EmitOpenSealed(ObjectCodecModel model, string type, int sealedIndex, List<int> read, List<int> marked)
    {
        _writer.WriteLine($"case {sealedIndex}:");
        using (_writer.Block())
        {
            _writer.WriteLine("using var personalData = cipher.Open(ref reader);");
            using (_writer.Block("if (personalData.IsMasked)"))
            {
                foreach (var k in marked)
                {
                    var i = read[k];
                    _writer.WriteLine($"{_values[i]} = {model.Properties[i].PersonalMask};");
                    if (NeedsPresenceFlag(model, i))
                    {
                        _writer.WriteLine($"{_has[i]} = true;");
                    }
                }
            }

            using (_writer.Block("else"))
            {
                _writer.WriteLine($"var personalReader = new {JsonReader}(personalData.Json);");
                _writer.WriteLine($"{_primitives}.Next(ref personalReader, {TypeText(type)});");
                _writer.WriteLine($"while ({_primitives}.NextProperty(ref personalReader, names, ref property, {TypeText(type)})) ReadPersonalProperty(ref personalReader, property);");
                _writer.WriteLine($"property = {sealedIndex}; // an error after the sealed data is the sealed data's");
            }

            _writer.WriteLine("break;");
        }
    }

    /// <summary>
    /// The local function that reads one marked property into the reader's locals, the reader on its value, found by its
    /// index in the table: <c>void ReadPersonalProperty(ref Utf8JsonReader reader, int index) { switch (index) { … } }</c>.
    /// The main loop calls it for a marked property stored plain, the sealed data's loop for each property in it.
    /// </summary>
    private void EmitPersonalPropertyReader(ObjectCodecModel model, List<int> read, List<int> marked)
    {
        using (_writer.Block($"void ReadPersonalProperty(ref {JsonReader} reader, int index)"))
        {
            using (_writer.Block("switch (index)"))
            {
                foreach (var k in marked)
                {
                    var i = read[k];
                    var present = NeedsPresenceFlag(model, i) ? $" {_has[i]} = true;" : string.Empty;
                    _writer.WriteLine($"case {k}: {ReadStatement(model.Properties[i].Shape, _values[i])}{present} break;");
                }

                // In the sealed data, a property the event does not mark (any more) is skipped.
                _writer.WriteLine("default: reader.Skip(); break;");
            }
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
