using System.Linq;
using EventSourcery.Generators.Helpers;
using EventSourcery.Generators.Models;
using Microsoft.CodeAnalysis.CSharp;

namespace EventSourcery.Generators.Emitting;

/// <summary>Writes the assembly's event registry, its module initializer and the codec class declaration.</summary>
internal static class RegistryEmitter
{
    /// <summary>
    /// Emits:
    /// <code>
    /// [assembly: GeneratedEventTypes(typeof(global::EventSourcery.Generated.EventTypes_MyApp))]
    /// public static class EventTypes_MyApp
    /// {
    ///     public static IReadOnlyList&lt;EventType&gt; All { get; } = [ EventType.Create&lt;global::TurnedOn&gt;("TurnedOn", 1, Write_…, Read_…), … ];
    ///     public static void Register() { EventRegistry.Register(All); global::EventSourcery.Generated.EventTypes_Domain.Register(); }
    ///     [ModuleInitializer] internal static void Initialize() => Register();
    /// }
    /// internal static partial class EventSourceryJson_MyApp { }
    /// </code>
    /// </summary>
    public static string Emit(RegistryModel model)
    {
        const string EventType = "global::EventSourcery.Serialization.EventType";
        var writer = new IndentedTextWriter();
        writer.WriteLine(KnownNames.FileHeader);
        writer.WriteLine($"[assembly: global::EventSourcery.Serialization.GeneratedEventTypesAttribute(typeof(global::EventSourcery.Generated.{model.RegistryClass}))]");
        writer.WriteLine();
        using (writer.Block("namespace EventSourcery.Generated"))
        {
            writer.WriteLine("/// <summary>The event types this assembly declares, registered with EventRegistry.Default when the assembly loads.</summary>");
            writer.WriteLine(KnownNames.GeneratedCodeAttribute);
            writer.WriteLine(KnownNames.ExcludeFromCodeCoverageAttribute);
            writer.WriteLine("[global::System.ComponentModel.EditorBrowsable(global::System.ComponentModel.EditorBrowsableState.Never)]");
            using (writer.Block($"public static class {model.RegistryClass}"))
            {
                writer.WriteLine("/// <summary>This assembly's event types with their stable names, schema versions and JSON codecs.</summary>");
                using (writer.Block($"public static global::System.Collections.Generic.IReadOnlyList<{EventType}> All {{ get; }} = new {EventType}[]", ";"))
                {
                    foreach (var entry in model.Entries)
                    {
                        var name = SymbolDisplay.FormatLiteral(entry.StableName, quote: true);
                        // An event with personal data is written in plain text here through its WriteEvent_ adapter (the cipher's writer takes a cipher).
                        var write = entry.PersonalData is null ? "Write_" : "WriteEvent_";
                        var line = $"{EventType}.Create<{entry.TypeName}>({name}, {entry.SchemaVersion}, {model.CodecClass}.{write}{entry.CodecId}, {model.CodecClass}.Read_{entry.CodecId}";
                        var personalData = PersonalDataArgument(entry, model.CodecClass);
                        if (entry.OlderVersions.Count == 0)
                        {
                            writer.WriteLine(line + (personalData.Length == 0 ? string.Empty : ", personalData: " + personalData) + "),");
                            continue;
                        }

                        using (writer.Block(line + ", new global::EventSourcery.Serialization.EventVersion[]", (personalData.Length == 0 ? string.Empty : ", " + personalData) + "),"))
                        {
                            foreach (var older in entry.OlderVersions)
                            {
                                var olderName = SymbolDisplay.FormatLiteral(older.Name, quote: true);
                                writer.WriteLine($"global::EventSourcery.Serialization.EventVersion.{(older.IsJson ? "Json" : "Typed")}({olderName}, {older.Version}, {older.Reader}),");
                            }
                        }
                    }
                }

                writer.WriteLine();
                writer.WriteLine("/// <summary>Registers this assembly's event types and those of the generated assemblies it references.</summary>");
                using (writer.Block("public static void Register()"))
                {
                    writer.WriteLine("global::EventSourcery.Serialization.EventRegistry.Register(All);");
                    foreach (var referenced in model.ReferencedRegistries)
                    {
                        writer.WriteLine($"{referenced}.Register();");
                    }
                }

                writer.WriteLine();
                writer.WriteLine("[global::System.Runtime.CompilerServices.ModuleInitializer]");
                writer.WriteLine("internal static void Initialize() => Register();");
            }

            writer.WriteLine();
            writer.WriteLine("/// <summary>The generated JSON codecs of this assembly's events and the types their properties use.</summary>");
            writer.WriteLine(KnownNames.GeneratedCodeAttribute);
            writer.WriteLine(KnownNames.ExcludeFromCodeCoverageAttribute);
            writer.WriteLine($"internal static partial class {model.CodecClass}");
            writer.WriteLine("{");
            writer.WriteLine("}");
        }

        return writer.ToString();
    }

    /// <summary>
    /// For an event with personal data: <c>new PersonalDataShape("CustomerId", "customerId", SubjectOf_…,
    /// new[] { "Email" }, WriteEvent_…, Read_…)</c>; empty for one without.
    /// </summary>
    private static string PersonalDataArgument(RegistryEntry entry, string codecClass)
    {
        if (entry.PersonalData is not { } personal)
        {
            return string.Empty;
        }

        var subject = personal.SubjectName is { } name
            ? $"{Literal(name)}, {Literal(personal.SubjectJsonName!)}, {codecClass}.SubjectOf_{entry.CodecId}"
            : "null, null, static _ => null";
        var properties = string.Join(", ", personal.Properties.Select(Literal));
        return $"new global::EventSourcery.Serialization.PersonalDataShape({subject}, new[] {{ {properties} }}, {codecClass}.WriteEvent_{entry.CodecId}, {codecClass}.Read_{entry.CodecId})";
    }

    private static string Literal(string text) => SymbolDisplay.FormatLiteral(text, quote: true);
}
