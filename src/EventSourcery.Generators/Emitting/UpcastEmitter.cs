using EventSourcery.Generators.Helpers;
using EventSourcery.Generators.Models;

namespace EventSourcery.Generators.Emitting;

/// <summary>Writes the typed readers of one event's older versions and the codecs of their old shapes.</summary>
internal static class UpcastEmitter
{
    /// <summary>
    /// Emits, for <c>OrderPlaced</c> with a typed v1 shape and two steps:
    /// <code>
    /// internal static class EventSourceryUpcasts_Shop_OrderPlaced
    /// {
    ///     internal static global::EventSourcery.Event Read_v1(ref Utf8JsonReader reader, in EventHeader header)
    ///     {
    ///         var step0 = Json.Read_Shop_OrderPlacedV1(ref reader);
    ///         var step1 = global::Shop.OrderUpcasts.Upcast(step0);
    ///         return global::Shop.OrderUpcasts.Upcast(step1);
    ///     }
    ///     private static class Json { /* the old shapes' codecs */ }
    /// }
    /// </code>
    /// The stored id, creation time and metadata are set on the result by <c>EventType</c>, whatever the steps set.
    /// </summary>
    public static string Emit(UpcastChainModel chain, string eventTypeName)
    {
        var writer = new IndentedTextWriter();
        writer.WriteLine(KnownNames.FileHeader);
        using (writer.Block("namespace EventSourcery.Generated"))
        {
            writer.WriteLine($"/// <summary>Reads the stored older versions of <see cref=\"{eventTypeName}\"/> through its upcasters.</summary>");
            writer.WriteLine(KnownNames.GeneratedCodeAttribute);
            writer.WriteLine(KnownNames.ExcludeFromCodeCoverageAttribute);
            using (writer.Block($"internal static class {chain.ClassName}"))
            {
                foreach (var reader in chain.Readers)
                {
                    writer.WriteLine($"/// <summary>Reads version {reader.Version}.</summary>");
                    using (writer.Block($"internal static global::EventSourcery.Event Read_v{reader.Version}(ref global::System.Text.Json.Utf8JsonReader reader, in global::EventSourcery.Serialization.EventHeader header)"))
                    {
                        writer.WriteLine($"var step0 = Json.Read_{reader.CodecId}(ref reader{(reader.IsEvent ? ", header" : string.Empty)});");
                        for (var i = 0; i < reader.Steps.Count; i++)
                        {
                            var call = $"{reader.Steps[i]}(step{i})";
                            writer.WriteLine(i == reader.Steps.Count - 1 ? $"return {call};" : $"var step{i + 1} = {call};");
                        }
                    }

                    writer.WriteLine();
                }

                writer.WriteLine("/// <summary>The JSON code of the old shapes and the types their properties use.</summary>");
                using (writer.Block("private static class Json"))
                {
                    JsonCodecEmitter.EmitMembers(writer, chain.Objects, chain.Enums);
                }
            }
        }

        return writer.ToString();
    }
}
