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

    /// <summary>The method that writes an event's personal properties, each as a name and a value: <c>WritePersonalData_Shop_CustomerRegistered</c>.</summary>
    private static string PersonalMethod(ObjectCodecModel model) => $"WritePersonalData_{model.CodecId}";

    /// <summary>
    /// The branch of the property loop that reads the sealed personal data:
    /// <code>
    /// else if (reader.ValueTextEquals("$pd"u8))
    /// {
    ///     property = "$pd"; JsonPrimitives.Next(ref reader, type);
    ///     using var personalData = cipher.Open(ref reader);
    ///     if (personalData.IsMasked) { emailValue = "redacted"; hasEmail = true; }
    ///     else { var personalReader = new Utf8JsonReader(personalData.Json); ReadPersonalData(ref personalReader); }
    /// }
    /// </code>
    /// </summary>
    private void EmitOpenSealed(ObjectCodecModel model, string type, System.Collections.Generic.List<int> read)
    {
        using (_writer.Block($"{(read.Count == 0 ? "if" : "else if")} (reader.ValueTextEquals(\"$pd\"u8))"))
        {
            _writer.WriteLine("property = \"$pd\";");
            _writer.WriteLine($"{_primitives}.Next(ref reader, {TypeText(type)});");
            _writer.WriteLine("using var personalData = cipher.Open(ref reader);");
            using (_writer.Block("if (personalData.IsMasked)"))
            {
                foreach (var i in read.Where(i => model.Properties[i].PersonalMask is not null))
                {
                    _writer.WriteLine($"{_values[i]} = {model.Properties[i].PersonalMask};");
                    if (NeedsPresenceFlag(model, i))
                    {
                        _writer.WriteLine($"{_has[i]} = true;");
                    }
                }
            }

            using (_writer.Block("else"))
            {
                _writer.WriteLine($"var personalReader = new {Json}.Utf8JsonReader(personalData.Json);");
                _writer.WriteLine("ReadPersonalData(ref personalReader);");
            }
        }
    }

    /// <summary>
    /// The local function that reads the opened personal data (a JSON object of the marked properties) into the
    /// reader's locals, as the main loop reads a property: <c>void ReadPersonalData(ref Utf8JsonReader reader) { … }</c>.
    /// </summary>
    private void EmitSealedReader(ObjectCodecModel model, string type, System.Collections.Generic.List<int> read)
    {
        var marked = read.Where(i => model.Properties[i].PersonalMask is not null).ToList();
        using (_writer.Block($"void ReadPersonalData(ref {Json}.Utf8JsonReader reader)"))
        {
            _writer.WriteLine($"{_primitives}.Next(ref reader, {TypeText(type)});");
            EmitExpectToken(type, "StartObject");
            EmitPropertyLoop(model, type, marked, sealedData: false);
        }
    }

    /// <summary>
    /// Emits <c>WritePersonalData_…(Utf8JsonWriter writer, T value)</c>, which writes the marked properties as names and
    /// values for the cipher to seal, and for a subject read through its JSON, <c>WriteValue_…_Subject</c>.
    /// </summary>
    private void EmitPersonalMethods(ObjectCodecModel model)
    {
        _writer.WriteLine();
        using (_writer.Block($"private static void {PersonalMethod(model)}({Json}.Utf8JsonWriter writer, {model.TypeName} value)"))
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
            using (_writer.Block($"private static void {PersonalValueMethod("Write", model, subject)}({Json}.Utf8JsonWriter writer, {LocalType(subject.Shape)} value)"))
            {
                EmitWrite(subject.Shape, "value", $"{Quote(model.TypeName)}, {Quote(subject.Name)}");
            }
        }
    }

    /// <summary>Whether a subject of this shape is keyed by its own text (a string, or a Guid as JSON writes it) rather than through its JSON.</summary>
    private static bool SubjectIsText(TypeShape shape)
        => shape is { Kind: ShapeKind.Primitive, CodecId: "String" or "Guid" } or { Kind: ShapeKind.Nullable, Element: { Kind: ShapeKind.Primitive, CodecId: "Guid" } };
}
