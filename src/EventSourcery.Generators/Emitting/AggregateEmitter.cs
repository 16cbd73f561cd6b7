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
            if (model.EmitFactory)
            {
                writer.WriteLine("/// <summary>Creates an empty aggregate for the repository to replay into (no reflection).</summary>");
                writer.WriteLine(KnownNames.GeneratedCodeAttribute);
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

    private static void EmitDispatch(IndentedTextWriter writer, AggregateModel model)
    {
        writer.WriteLine("/// <summary>Calls the Apply overload matching the event's type.</summary>");
        writer.WriteLine(KnownNames.GeneratedCodeAttribute);
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
