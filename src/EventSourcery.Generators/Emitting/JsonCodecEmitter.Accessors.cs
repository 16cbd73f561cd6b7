using System.Linq;
using EventSourcery.Generators.Models;

namespace EventSourcery.Generators.Emitting;

// Private and protected setters, reached through [UnsafeAccessor] methods rather than reflection.
internal sealed partial class JsonCodecEmitter
{
    /// <summary>
    /// For <c>public string Author { get; private init; }</c> emits:
    /// <code>
    /// [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "set_Author")]
    /// private static extern void SetAccessor_NoteAdded_Author(global::NoteAdded target, string value);
    /// </code>
    /// (<c>ref</c> target for a struct): the reader sets private and protected accessors without reflection.
    /// </summary>
    private void EmitSetterAccessors(ObjectCodecModel model)
    {
        const string UnsafeAccessor = "[global::System.Runtime.CompilerServices.UnsafeAccessor(global::System.Runtime.CompilerServices.UnsafeAccessorKind.Method, Name = ";
        foreach (var property in model.Properties.Where(p => p.Assignment == Assignment.Accessor))
        {
            _writer.WriteLine();
            var target = model.IsValueType ? $"ref {property.DeclaringTypeName}" : property.DeclaringTypeName;
            if (property.AccessorTypeParameters.Length == 0)
            {
                _writer.WriteLine($"{UnsafeAccessor}{Quote("set_" + property.Name)})]");
                _writer.WriteLine($"private static extern void {SetterAccessor(model, property)}({target} target, {LocalType(property.Shape)} value);");
                continue;
            }

            // A setter declared on a generic type is reached through a generic class with that type's parameters.
            using (_writer.Block($"private static class {SetterAccessor(model, property)}<{property.AccessorTypeParameters}>"))
            {
                _writer.WriteLine($"{UnsafeAccessor}{Quote("set_" + property.Name)})]");
                _writer.WriteLine($"internal static extern void Set({target} target, {property.AccessorValueType} value);");
            }
        }
    }

    private static string SetterAccessor(ObjectCodecModel model, JsonPropertyModel property) => $"SetAccessor_{model.CodecId}_{property.Name}";
}
