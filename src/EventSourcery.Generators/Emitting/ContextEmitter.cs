using System.Linq;
using EventSourcery.Generators.Helpers;
using EventSourcery.Generators.Models;

namespace EventSourcery.Generators.Emitting;

/// <summary>
/// Writes the assembly's <c>JsonSerializerContext</c> of its events: each event as a <c>JsonTypeInfo&lt;T&gt;</c> whose
/// converter is the generated codec, so <c>JsonSerializer</c>, ASP.NET Core and <c>HttpClient</c> read and write events
/// without reflection, in the format the store keeps them (personal data in plain text); and through
/// <c>EventJsonTypeInfoResolver</c>, <c>Event</c>, <c>RecordedEvent</c> and their lists.
/// </summary>
internal static class ContextEmitter
{
    private const string Metadata = "global::System.Text.Json.Serialization.Metadata";
    private const string Json = "global::System.Text.Json";

    /// <summary>
    /// Emits, for an assembly <c>MyApp</c> with events <c>Demo.TurnedOn</c> and <c>Demo.TurnedOff</c>:
    /// <code>
    /// public sealed class EventJsonContext_MyApp : JsonSerializerContext, IJsonTypeInfoResolver
    /// {
    ///     public static EventJsonContext_MyApp Default { get; }
    ///     public JsonTypeInfo&lt;global::Demo.TurnedOn&gt; Demo_TurnedOn { get; }   // one per event
    ///     …
    /// }
    /// </code>
    /// </summary>
    public static string Emit(RegistryModel model)
    {
        var name = $"EventJsonContext_{model.AssemblyId}";
        var writer = new IndentedTextWriter();
        writer.WriteLine(KnownNames.FileHeader);
        using (writer.Block("namespace EventSourcery.Generated"))
        {
            writer.WriteLine("/// <summary>");
            writer.WriteLine("/// This assembly's events for System.Text.Json, through their generated codecs: the JSON of an event is the payload the");
            writer.WriteLine("/// store keeps (personal data in plain text). Reading one gives a new event (a fresh id and creation time).");
            writer.WriteLine("/// </summary>");
            writer.WriteLine(KnownNames.GeneratedCodeAttribute);
            writer.WriteLine(KnownNames.ExcludeFromCodeCoverageAttribute);
            using (writer.Block($"public sealed class {name} : {Json}.Serialization.JsonSerializerContext, {Metadata}.IJsonTypeInfoResolver"))
            {
                writer.WriteLine("/// <summary>The context over default options.</summary>");
                writer.WriteLine($"public static {name} Default {{ get; }} = new {name}(new {Json}.JsonSerializerOptions());");
                writer.WriteLine();
                writer.WriteLine("/// <summary>A context over <paramref name=\"options\"/>, which it becomes the type resolver of.</summary>");
                writer.WriteLine($"public {name}({Json}.JsonSerializerOptions options) : base(options) {{ }}");
                writer.WriteLine();
                writer.WriteLine("/// <inheritdoc />");
                writer.WriteLine($"protected override {Json}.JsonSerializerOptions? GeneratedSerializerOptions => null;");
                foreach (var entry in model.Entries)
                {
                    writer.WriteLine();
                    writer.WriteLine($"/// <summary>The metadata of <see cref=\"{entry.TypeName.Replace("global::", string.Empty)}\"/>, through its generated codec.</summary>");
                    writer.WriteLine($"public {Metadata}.JsonTypeInfo<{entry.TypeName}> {entry.CodecId} => ({Metadata}.JsonTypeInfo<{entry.TypeName}>)Options.GetTypeInfo(typeof({entry.TypeName}));");
                }

                writer.WriteLine();
                writer.WriteLine("/// <inheritdoc />");
                using (writer.Block($"public override {Metadata}.JsonTypeInfo? GetTypeInfo(global::System.Type type)"))
                {
                    writer.WriteLine("Options.TryGetTypeInfo(type, out var typeInfo);");
                    writer.WriteLine("return typeInfo;");
                }

                writer.WriteLine();
                using (writer.Block($"{Metadata}.JsonTypeInfo? {Metadata}.IJsonTypeInfoResolver.GetTypeInfo(global::System.Type type, {Json}.JsonSerializerOptions options)"))
                {
                    foreach (var entry in model.Entries)
                    {
                        writer.WriteLine($"if (type == typeof({entry.TypeName})) return Create(options, new Converter_{entry.CodecId}());");
                    }

                    writer.WriteLine("// Event, RecordedEvent and their lists: any registered event, with its type's name.");
                    writer.WriteLine("return global::EventSourcery.Serialization.EventJsonTypeInfoResolver.Default.GetTypeInfo(type, options);");
                }

                writer.WriteLine();
                using (writer.Block($"private {Metadata}.JsonTypeInfo<T> Create<T>({Json}.JsonSerializerOptions options, {Json}.Serialization.JsonConverter<T> converter)"))
                {
                    writer.WriteLine($"var typeInfo = {Metadata}.JsonMetadataServices.CreateValueInfo<T>(options, converter);");
                    writer.WriteLine("typeInfo.OriginatingResolver = this;");
                    writer.WriteLine("return typeInfo;");
                }

                foreach (var entry in model.Entries)
                {
                    writer.WriteLine();
                    EmitConverter(writer, model, entry);
                }
            }
        }

        return writer.ToString();
    }

    private static void EmitConverter(IndentedTextWriter writer, RegistryModel model, RegistryEntry entry)
    {
        var type = entry.TypeName;
        var plain = entry.PersonalData is null ? string.Empty : ", global::EventSourcery.Serialization.PersonalDataCipher.Plain";
        using (writer.Block($"private sealed class Converter_{entry.CodecId} : {Json}.Serialization.JsonConverter<{type}>"))
        {
            writer.WriteLine($"public override {type} Read(ref {Json}.Utf8JsonReader reader, global::System.Type typeToConvert, {Json}.JsonSerializerOptions options)");
            writer.WriteLine($"    => {model.CodecClass}.Read_{entry.CodecId}(ref reader, global::EventSourcery.Serialization.EventHeader.New());");
            writer.WriteLine();
            writer.WriteLine($"public override void Write({Json}.Utf8JsonWriter writer, {type} value, {Json}.JsonSerializerOptions options)");
            writer.WriteLine($"    => {model.CodecClass}.Write_{entry.CodecId}(writer, value{plain});");
        }
    }
}
