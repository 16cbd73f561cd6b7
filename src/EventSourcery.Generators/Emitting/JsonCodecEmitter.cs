using System.Collections.Generic;
using System.Linq;
using EventSourcery.Generators.Helpers;
using EventSourcery.Generators.Models;
using Microsoft.CodeAnalysis.CSharp;

namespace EventSourcery.Generators.Emitting;

/// <summary>
/// Writes the JSON codec of one type as a part of the assembly's internal codec class: straight-line
/// Utf8JsonWriter/Utf8JsonReader code, no reflection, no JsonSerializerOptions.
/// </summary>
internal sealed partial class JsonCodecEmitter
{
    private const string Json = "global::System.Text.Json";

    private const string QualifiedPrimitives = "global::EventSourcery.Serialization.JsonPrimitives";

    private const string Cipher = "global::EventSourcery.Serialization.PersonalDataCipher";
    private const string EventHeader = "global::EventSourcery.Serialization.EventHeader";
    private const string JsonWriter = Json + ".Utf8JsonWriter";
    private const string JsonReader = Json + ".Utf8JsonReader";
    private const string EventBase = "global::EventSourcery.Event";

    /// <summary>The default expression of a constructor parameter without a default value: the local's initial value.</summary>
    private const string DefaultValue = "default!";
    private readonly IndentedTextWriter _writer;
    private int _locals;

    // How the code names JsonPrimitives and JsonTokenType: through the aliases a codec file of its own declares
    // (EmitFile), or fully qualified where codecs are written into another file (EmitMembers: a user's namespace,
    // where an alias could meet a type of the same name). The writer, reader, EventHeader and Event stay qualified:
    // named once or twice per file, an alias would cost more bytes than it saves.
    private string _primitives = QualifiedPrimitives;
    private string _tokenType = Json + ".JsonTokenType";

    // The locals a reader keeps each property's value and presence in, named after the property (see LocalNames).
    private string[] _values = [];
    private string[] _has = [];

    // Which bit of the reader's `present` mask each property that must be in the JSON has (-1: none), and the table
    // of names those bits index (a Read_ method's `names`, or a literal where the reader has none).
    private int[] _bits = [];
    private string _bitNames = "names";

    // The type whose Read_ method is being written (its name is the method's 'type' constant), or null.
    private string? _readingType;

    private JsonCodecEmitter(IndentedTextWriter? writer = null) => _writer = writer ?? new IndentedTextWriter();

    /// <summary>Writes the codec methods of <paramref name="objects"/> and <paramref name="enums"/> into an open class of <paramref name="writer"/>.</summary>
    public static void EmitMembers(IndentedTextWriter writer, EquatableArray<ObjectCodecModel> objects, EquatableArray<EnumCodecModel> enums)
    {
        var emitter = new JsonCodecEmitter(writer);
        var first = true;
        foreach (var codec in objects)
        {
            if (!first)
            {
                writer.WriteLine();
            }

            emitter.EmitObject(codec);
            first = false;
        }

        foreach (var codec in enums)
        {
            if (!first)
            {
                writer.WriteLine();
            }

            emitter.EmitEnum(codec);
            first = false;
        }
    }

    public static string Emit(ObjectCodecModel model, string codecClass)
    {
        var emitter = new JsonCodecEmitter();
        emitter.EmitFile(codecClass, () => emitter.EmitObject(model));
        return emitter._writer.ToString();
    }

    public static string Emit(EnumCodecModel model, string codecClass)
    {
        var emitter = new JsonCodecEmitter();
        emitter.EmitFile(codecClass, () => emitter.EmitEnum(model));
        return emitter._writer.ToString();
    }

    private void EmitFile(string codecClass, System.Action body)
    {
        _writer.WriteLine(KnownNames.FileHeader);
        _writer.WriteLine("namespace EventSourcery.Generated;");
        _writer.WriteLine();
        (_primitives, _tokenType) = ("JsonPrimitives", "JsonTokenType");
        _writer.WriteLine($"using {_primitives} = {QualifiedPrimitives};");
        _writer.WriteLine($"using {_tokenType} = {Json}.JsonTokenType;");
        _writer.WriteLine();
        using (_writer.Block($"partial class {codecClass}"))
        {
            body();
        }
    }

    /// <summary>
    /// For <c>record NoteAdded(string Text) : Event</c> emits roughly:
    /// <code>
    /// internal static void Write_NoteAdded(Utf8JsonWriter writer, global::NoteAdded value)
    /// { writer.WriteStartObject(); writer.WritePropertyName("text"u8); JsonPrimitives.WriteString(writer, value.Text, "NoteAdded", "Text"); writer.WriteEndObject(); }
    /// internal static global::NoteAdded Read_NoteAdded(ref Utf8JsonReader reader, in EventHeader header)
    /// { /* loop over properties into locals */ return new global::NoteAdded(text) { Id = header.Id, CreatedAt = …, Metadata = … }; }
    /// </code>
    /// </summary>
    private void EmitObject(ObjectCodecModel model)
    {
        var type = model.TypeName;
        var id = model.CodecId;

        // A member that holds state but would not be stored stops the build here too, even with ES0010 silenced.
        foreach (var unstored in model.Unstored)
        {
            _writer.WriteLine($"#error EventSourcery: {unstored.Replace('\n', ' ')}");
        }

        // An event with personal data reads and writes it through a cipher; without one (Plain), in plain text.
        var personal = model.IsEvent && model.Properties.Any(p => p.PersonalMask is not null);
        var cipherParameter = personal ? $", {Cipher} cipher" : string.Empty;
        if (model.IsEvent)
        {
            EmitEventEntryPoints(model, personal);
        }

        using (_writer.Block($"internal static void Write_{id}({JsonWriter} writer, {type} value{cipherParameter})"))
        {
            _writer.WriteLine("writer.WriteStartObject();");
            foreach (var property in model.Properties.Where(p => !personal || p.PersonalMask is null))
            {
                if (NamedWrite(property.Shape, Utf8(property.JsonName), $"value.{Identifier(property.Name)}") is { } named)
                {
                    _writer.WriteLine(named);
                    continue;
                }

                _writer.WriteLine($"writer.WritePropertyName({Utf8(property.JsonName)});");
                EmitWrite(property.Shape, $"value.{Identifier(property.Name)}", $"{Quote(type)}, {Quote(property.Name)}");
            }

            if (personal)
            {
                _writer.WriteLine($"cipher.WriteSealed(writer, value, {PersonalMethod(model)});");
            }

            _writer.WriteLine("writer.WriteEndObject();");
        }

        _writer.WriteLine();
        var headerParameter = model.IsEvent ? $", in {EventHeader} header" : string.Empty;
        using (_writer.Block($"internal static {type} Read_{id}(ref {JsonReader} reader{headerParameter}{cipherParameter})"))
        {
            // Every error of the reader names the type: once, as a constant.
            _writer.WriteLine($"const string type = {Quote(type)};");
            _readingType = type;
            EmitExpectToken(type, "StartObject");
            var properties = model.Properties;
            (_values, _has) = LocalNames(properties);
            var read = Enumerable.Range(0, properties.Count).Where(i => properties[i].Assignment != Assignment.WriteOnly).ToList();
            _bits = RequiredBits(model, read);
            _bitNames = personal ? NameTable(read.Take(_bits.DefaultIfEmpty(-1).Max() + 1).Select(i => properties[i].JsonName)) : "names";
            foreach (var i in read)
            {
                var presence = _bits[i] < 0 && NeedsPresenceFlag(model, i) ? $" bool {_has[i]} = false;" : string.Empty;
                _writer.WriteLine($"{LocalType(properties[i].Shape)} {_values[i]} = default!;{presence}");
            }

            if (UsesPresenceMask)
            {
                _writer.WriteLine("ulong present = 0;");
            }

            // The property being read, so an error names it (and, through nested objects, the path to it).
            if (read.Count > 0 && !personal)
            {
                EmitPropertySwitch(model, type, read);
            }
            else if (read.Count > 0)
            {
                _writer.WriteLine("string? property = null;");
                EmitSealedReader(model, type, read);

                using (_writer.Block("try"))
                {
                    // Personal properties are read by ReadPersonalProperty, from "$pd" or from a value stored plain.
                    EmitPropertyLoop(model, type, read.Where(i => properties[i].PersonalMask is null).ToList(), sealedData: true);
                }

                using (_writer.Block($"catch (global::System.Exception ex) when (property is not null && {_primitives}.IsReadError(ex))"))
                {
                    _writer.WriteLine($"throw {_primitives}.InvalidProperty({TypeText(type)}, property, ex);");
                }
            }
            else
            {
                EmitPropertyLoop(model, type, read, sealedData: false);
            }

            EmitConstruction(model);
            _readingType = null;
        }

        EmitSetterAccessors(model);
        if (personal)
        {
            EmitPersonalMethods(model);
        }
    }

    /// <summary>The read of property <paramref name="index"/>, the reader on its name: names it for errors, reads its value into its local, marks it present.</summary>
    private void EmitPropertyRead(ObjectCodecModel model, string type, int index)
    {
        _writer.WriteLine(PropertyReadStart(model, type, index));
        EmitRead(model.Properties[index].Shape, _values[index]);
        if (Presence(model, index) is { Length: > 0 } presence)
        {
            _writer.WriteLine(presence.TrimStart());
        }
    }

    /// <summary>Names property <paramref name="index"/> for errors and steps the reader onto its value.</summary>
    private string PropertyReadStart(ObjectCodecModel model, string type, int index)
        => $"property = {Quote(model.Properties[index].JsonName)}; {_primitives}.Next(ref reader, {TypeText(type)});";

    private void EmitConstruction(ObjectCodecModel model)
    {
        var properties = model.Properties;

        // One check of every property the object cannot be made without, naming the first one missing: one call over
        // the `present` mask, or (past 64 properties read) a condition over their presence flags.
        if (UsesPresenceMask)
        {
            var mask = _bits.Where(b => b >= 0).Aggregate(0UL, (bits, bit) => bits | 1UL << bit);
            var literal = mask < 1UL << 16
                ? "0b" + System.Convert.ToString((long)mask, 2)
                : $"0x{mask.ToString("X", System.Globalization.CultureInfo.InvariantCulture)}UL";
            _writer.WriteLine($"{_primitives}.RequireProperties({TypeText(model.TypeName)}, {_bitNames}, present, {literal});");
        }
        else if (RequiredProperties(model) is { Count: > 0 } required)
        {
            var all = string.Join(" && ", required.Select(i => _has[i]));
            var missing = string.Concat(required.Take(required.Count - 1).Select(i => $"!{_has[i]} ? {Quote(properties[i].JsonName)} : ")) + Quote(properties[required[required.Count - 1]].JsonName);
            _writer.WriteLine(required.Count == 1
                ? $"if (!{all}) throw {_primitives}.MissingProperty({TypeText(model.TypeName)}, {missing});"
                : $"if (!({all})) throw {_primitives}.MissingProperty({TypeText(model.TypeName)}, {missing});");
        }

        var arguments = string.Join(", ", model.ConstructorArguments.Select(a =>
            a.PropertyIndex < 0 ? a.DefaultExpression
                : a.DefaultExpression == DefaultValue ? _values[a.PropertyIndex]
            : $"{_has[a.PropertyIndex]} ? {_values[a.PropertyIndex]} : {a.DefaultExpression}"));
        var initializers = Enumerable.Range(0, properties.Count)
            .Where(i => properties[i].Assignment == Assignment.Initializer)
            .Select(i => $"{Identifier(properties[i].Name)} = {_values[i]}")
            .ToList();
        if (model.IsEvent)
        {
            initializers.Add("Id = header.Id");
            initializers.Add("CreatedAt = header.CreatedAt");
            initializers.Add("Metadata = header.Metadata");
        }

        var initializer = initializers.Count == 0 ? string.Empty : $" {{ {string.Join(", ", initializers)} }}";
        if (properties.All(p => p.Assignment is not (Assignment.SetIfPresent or Assignment.WithIfPresent or Assignment.Accessor)))
        {
            // Nothing to set after construction.
            _writer.WriteLine($"return new {model.TypeName}({arguments}){initializer};");
            return;
        }

        _writer.WriteLine($"var result = new {model.TypeName}({arguments}){initializer};");

        for (var i = 0; i < properties.Count; i++)
        {
            if (properties[i].Assignment == Assignment.SetIfPresent)
            {
                _writer.WriteLine($"if ({_has[i]}) result.{Identifier(properties[i].Name)} = {_values[i]};");
            }
        }

        var withs = Enumerable.Range(0, properties.Count).Where(i => properties[i].Assignment == Assignment.WithIfPresent).ToList();
        if (withs.Count > 0)
        {
            var condition = string.Join(" || ", withs.Select(i => _has[i]));
            var assignments = string.Join(", ", withs.Select(i => $"{Identifier(properties[i].Name)} = {_has[i]} ? {_values[i]} : result.{Identifier(properties[i].Name)}"));
            _writer.WriteLine($"if ({condition}) result = result with {{ {assignments} }};");
        }

        // After `with`, which copies: a private or protected accessor keeps the declared initializer when absent.
        for (var i = 0; i < properties.Count; i++)
        {
            if (properties[i].Assignment == Assignment.Accessor)
            {
                var target = model.IsValueType ? "ref result" : "result";
                var accessor = properties[i].AccessorTypeParameters.Length == 0
                    ? SetterAccessor(model, properties[i])
                    : $"{SetterAccessor(model, properties[i])}<{properties[i].AccessorTypeArguments}>.Set";
                _writer.WriteLine($"if ({_has[i]}) {accessor}({target}, {_values[i]});");
            }
        }

        _writer.WriteLine("return result;");
    }

    private void EmitEnum(EnumCodecModel model)
    {
        var type = model.TypeName;
        var id = model.CodecId;
        using (_writer.Block($"internal static void Write_{id}({JsonWriter} writer, {type} value)"))
        {
            using (_writer.Block("switch (value)"))
            {
                foreach (var member in model.Members.Where(m => m.IsFirstOfValue))
                {
                    _writer.WriteLine($"case {type}.{Identifier(member.Name)}: writer.WriteStringValue({Utf8(member.Name)}); return;");
                }

                _writer.WriteLine("default: writer.WriteNumberValue((long)value); return;");
            }
        }

        _writer.WriteLine();
        using (_writer.Block($"internal static {type} Read_{id}(ref {JsonReader} reader)"))
        {
            _writer.WriteLine($"if (reader.TokenType == {_tokenType}.Number) return ({type})reader.GetInt64();");
            EmitExpectToken(type, "String");
            foreach (var member in model.Members)
            {
                _writer.WriteLine($"if (reader.ValueTextEquals({Utf8(member.Name)})) return {type}.{Identifier(member.Name)};");
            }

            _writer.WriteLine($"throw {_primitives}.UnknownEnumMember({Quote(type)}, reader.GetString());");
        }
    }

    private void EmitExpectToken(string type, string token)
        => _writer.WriteLine($"if (reader.TokenType != {_tokenType}.{token}) throw {_primitives}.UnexpectedToken({TypeText(type)}, {_tokenType}.{token}, reader.TokenType);");

    /// <summary>The type of a local holding the shape's value (nullable reference types keep their annotation).</summary>
    private static string LocalType(TypeShape shape) => shape.LocalTypeName;

    private string NextLocal(string prefix) => $"{prefix}{_locals++}";

    private static string Quote(string text) => SymbolDisplay.FormatLiteral(text.Replace("global::", string.Empty), quote: true);

    private static string Utf8(string text) => Quote(text) + "u8";
}
