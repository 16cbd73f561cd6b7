using System.Linq;
using EventSourcery.Generators.Helpers;
using EventSourcery.Generators.Models;

namespace EventSourcery.Generators.Emitting;

/// <summary>
/// Writes the assembly's <c>JsonSerializerContext</c> of its events: each event, and each type their properties use, as a <c>JsonTypeInfo&lt;T&gt;</c> whose
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
    public static string Emit(RegistryModel model, EquatableArray<ObjectCodecModel> objects, EquatableArray<EnumCodecModel> enums)
    {
        // Every type with a codec: the events, then the records, classes, structs and enums their properties use.
        var types = model.Entries.Select(e => (e.TypeName, e.CodecId, IsEvent: true))
            .Concat(objects.Select(o => (o.TypeName, o.CodecId, IsEvent: false)))
            .Concat(enums.Select(e => (e.TypeName, e.CodecId, IsEvent: false)))
            .ToList();
        var name = $"EventJsonContext_{model.AssemblyId}";
        var writer = new IndentedTextWriter();
        writer.WriteLine(KnownNames.FileHeader.TrimEnd('\n'));
        writer.WriteLine("#pragma warning disable CS1591 // one metadata property per type, named after it: documented on the class");
        writer.WriteLine();
        using (writer.Block("namespace EventSourcery.Generated"))
        {
            writer.WriteLine($"using Metadata = {Metadata};");
            writer.WriteLine("using EventJson = global::EventSourcery.Serialization;");
            writer.WriteLine();
            writer.WriteLine("/// <summary>");
            writer.WriteLine("/// This assembly's events for System.Text.Json, through their generated codecs: the JSON of an event is the payload the");
            writer.WriteLine("/// store keeps (personal data in plain text). Reading one gives a new event (a fresh id and creation time). Each type");
            writer.WriteLine("/// with a codec has a property named as its codec is: its full name with dots as underscores.");
            writer.WriteLine("/// </summary>");
            writer.WriteLine(KnownNames.GeneratedCodeAttribute);
            writer.WriteLine(KnownNames.ExcludeFromCodeCoverageAttribute);
            using (writer.Block($"public sealed class {name} : {Json}.Serialization.JsonSerializerContext, Metadata.IJsonTypeInfoResolver"))
            {
                writer.WriteLine("/// <summary>The context over default options.</summary>");
                writer.WriteLine($"public static {name} Default {{ get; }} = new {name}(new {Json}.JsonSerializerOptions());");
                writer.WriteLine();
                writer.WriteLine("/// <summary>A context over <paramref name=\"options\"/>, which it becomes the type resolver of.</summary>");
                writer.WriteLine($"public {name}({Json}.JsonSerializerOptions options) : base(options) {{ }}");
                writer.WriteLine();
                writer.WriteLine("/// <inheritdoc />");
                writer.WriteLine($"protected override {Json}.JsonSerializerOptions? GeneratedSerializerOptions => null;");
                // The metadata of each type with a codec, named as its codec is (the type's full name, dots as underscores).
                writer.WriteLine();
                foreach (var (typeName, codecId, _) in types)
                {
                    writer.WriteLine($"public Metadata.JsonTypeInfo<{typeName}> {codecId} => Get<{typeName}>();");
                }

                writer.WriteLine();
                writer.WriteLine("/// <inheritdoc />");
                using (writer.Block("public override Metadata.JsonTypeInfo? GetTypeInfo(global::System.Type type)"))
                {
                    writer.WriteLine("Options.TryGetTypeInfo(type, out var typeInfo);");
                    writer.WriteLine("return typeInfo;");
                }

                writer.WriteLine();
                using (writer.Block($"Metadata.JsonTypeInfo? Metadata.IJsonTypeInfoResolver.GetTypeInfo(global::System.Type type, {Json}.JsonSerializerOptions options)"))
                {
                    foreach (var (typeName, codecId, isEvent) in types)
                    {
                        if (!isEvent)
                        {
                            writer.WriteLine($"if (type == typeof({typeName})) return Create(options, new EventJson.CodecJsonConverter<{typeName}>({model.CodecClass}.Write_{codecId}, {model.CodecClass}.Read_{codecId}));");
                        }
                    }

                    writer.WriteLine("// Each event through its registration (EventType.Create<T>); Event, RecordedEvent and their lists: any registered event, with its type's name.");
                    writer.WriteLine("return EventJson.EventJsonTypeInfoResolver.Default.GetTypeInfo(type, options);");
                }

                writer.WriteLine();
                writer.WriteLine("private Metadata.JsonTypeInfo<T> Get<T>() => (Metadata.JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));");
                writer.WriteLine();
                using (writer.Block($"private Metadata.JsonTypeInfo<T> Create<T>({Json}.JsonSerializerOptions options, {Json}.Serialization.JsonConverter<T> converter)"))
                {
                    writer.WriteLine("var typeInfo = Metadata.JsonMetadataServices.CreateValueInfo<T>(options, converter);");
                    writer.WriteLine("typeInfo.OriginatingResolver = this;");
                    writer.WriteLine("return typeInfo;");
                }
            }
        }

        return writer.ToString();
    }
}
