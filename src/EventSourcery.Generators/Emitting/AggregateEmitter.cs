using EventSourcery.Generators.Helpers;
using EventSourcery.Generators.Models;

namespace EventSourcery.Generators.Emitting;

/// <summary>Writes the dispatch and factory part of one partial aggregate.</summary>
internal static class AggregateEmitter
{
    /// <summary>
    /// Emits, for an aggregate with Apply(TurnedOn) and Apply(TurnedOff):
    /// <code>
    /// partial class LightSwitch : global::EventSourcery.IAggregateFactory&lt;global::LightSwitch&gt;
    /// {
    ///     static global::LightSwitch global::EventSourcery.IAggregateFactory&lt;global::LightSwitch&gt;.Create() => new global::LightSwitch();
    ///     protected override void Dispatch(global::EventSourcery.Event @event)
    ///     {
    ///         switch (@event)
    ///         {
    ///             case global::TurnedOn e: Apply(e); return;   // derived event types before their bases
    ///             case global::TurnedOff e: Apply(e); return;
    ///             default: throw global::EventSourcery.UnhandledEventException.NoApply(this, @event); // or base.Dispatch
    ///         }
    ///     }
    /// }
    /// </code>
    /// </summary>
    public static string Emit(AggregateModel model)
    {
        var writer = new IndentedTextWriter();
        writer.WriteLine(KnownNames.FileHeader);
        var type = model.Hierarchy.FullyQualifiedName;
        var factory = $"global::EventSourcery.IAggregateFactory<{type}>";
        using (SourceHelpers.OpenHierarchy(writer, model.Hierarchy, model.EmitFactory ? $" : {factory}" : string.Empty))
        {
            if (model.Snapshot is { } snapshot)
            {
                EmitSnapshot(writer, snapshot);
                writer.WriteLine();
            }

            if (model.EmitFactory)
            {
                writer.WriteLine("/// <summary>Creates an empty aggregate for the repository to replay into (no reflection).</summary>");
                writer.WriteLine(KnownNames.GeneratedCodeAttribute);
                writer.WriteLine(KnownNames.ExcludeFromCodeCoverageAttribute);
                writer.WriteLine($"static {type} {factory}.Create() => new {type}();");
            }

            // With no Apply of its own, a derived aggregate keeps its base aggregate's dispatch.
            if (model.ApplyCases.Count > 0 || !model.FallsBackToBase)
            {
                if (model.EmitFactory)
                {
                    writer.WriteLine();
                }

                EmitDispatch(writer, model);
            }
        }

        return writer.ToString();
    }

    /// <summary>
    /// Implements ISnapshotable for an aggregate declaring ISnapshotable&lt;CounterSnapshot&gt;:
    /// <code>
    /// string global::EventSourcery.ISnapshotable.SnapshotType => "Demo.CounterSnapshot";
    /// string global::EventSourcery.ISnapshotable.SnapshotFingerprint => "…";
    /// void global::EventSourcery.ISnapshotable.WriteSnapshot(Utf8JsonWriter writer) => EventSourcerySnapshotJson.Write_…(writer, ((ISnapshotable&lt;CounterSnapshot&gt;)this).TakeSnapshot());
    /// void global::EventSourcery.ISnapshotable.ReadSnapshot(ReadOnlySpan&lt;byte&gt; json) { /* read, then RestoreSnapshot */ }
    /// private static class EventSourcerySnapshotJson { /* the snapshot type's codecs */ }
    /// </code>
    /// </summary>
    private static void EmitSnapshot(IndentedTextWriter writer, SnapshotModel snapshot)
    {
        const string Snapshotable = "global::EventSourcery.ISnapshotable";
        var typed = $"global::EventSourcery.ISnapshotable<{snapshot.TypeName}>";
        var displayName = snapshot.TypeName.Replace("global::", string.Empty);
        writer.WriteLine(KnownNames.GeneratedCodeAttribute);
        writer.WriteLine(KnownNames.ExcludeFromCodeCoverageAttribute);
        writer.WriteLine($"string {Snapshotable}.SnapshotType => \"{displayName}\";");
        writer.WriteLine();
        writer.WriteLine(KnownNames.GeneratedCodeAttribute);
        writer.WriteLine(KnownNames.ExcludeFromCodeCoverageAttribute);
        writer.WriteLine($"string {Snapshotable}.SnapshotFingerprint => \"{snapshot.Fingerprint}\";");
        writer.WriteLine();
        writer.WriteLine(KnownNames.GeneratedCodeAttribute);
        writer.WriteLine(KnownNames.ExcludeFromCodeCoverageAttribute);
        writer.WriteLine($"void {Snapshotable}.WriteSnapshot(global::System.Text.Json.Utf8JsonWriter writer) => EventSourcerySnapshotJson.Write_{snapshot.CodecId}(writer, (({typed})this).TakeSnapshot());");
        writer.WriteLine();
        writer.WriteLine(KnownNames.GeneratedCodeAttribute);
        writer.WriteLine(KnownNames.ExcludeFromCodeCoverageAttribute);
        using (writer.Block($"void {Snapshotable}.ReadSnapshot(global::System.ReadOnlySpan<byte> utf8Json)"))
        {
            writer.WriteLine("var reader = new global::System.Text.Json.Utf8JsonReader(utf8Json);");
            writer.WriteLine($"global::EventSourcery.Serialization.JsonPrimitives.Next(ref reader, \"{displayName}\");");
            writer.WriteLine($"(({typed})this).RestoreSnapshot(EventSourcerySnapshotJson.Read_{snapshot.CodecId}(ref reader));");
        }

        writer.WriteLine();
        writer.WriteLine("/// <summary>The JSON code of the snapshot type and the types its properties use.</summary>");
        writer.WriteLine(KnownNames.GeneratedCodeAttribute);
        writer.WriteLine(KnownNames.ExcludeFromCodeCoverageAttribute);
        using (writer.Block("private static class EventSourcerySnapshotJson"))
        {
            JsonCodecEmitter.EmitMembers(writer, snapshot.Objects, snapshot.Enums);
        }
    }

    private static void EmitDispatch(IndentedTextWriter writer, AggregateModel model)
    {
        writer.WriteLine("/// <summary>Calls the Apply overload matching the event's type.</summary>");
        writer.WriteLine(KnownNames.GeneratedCodeAttribute);
        writer.WriteLine(KnownNames.ExcludeFromCodeCoverageAttribute);
        using (writer.Block("protected override void Dispatch(global::EventSourcery.Event @event)"))
        {
            using (writer.Block("switch (@event)"))
            {
                foreach (var eventType in model.ApplyCases)
                {
                    writer.WriteLine($"case {eventType} e:");
                    writer.WriteLine("    Apply(e);");
                    writer.WriteLine("    return;");
                }

                writer.WriteLine("default:");
                if (model.FallsBackToBase)
                {
                    writer.WriteLine("    base.Dispatch(@event);");
                    writer.WriteLine("    return;");
                }
                else
                {
                    writer.WriteLine("    throw global::EventSourcery.UnhandledEventException.NoApply(this, @event);");
                }
            }
        }
    }
}
