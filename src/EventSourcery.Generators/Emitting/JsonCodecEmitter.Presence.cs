using System.Collections.Generic;
using System.Linq;
using EventSourcery.Generators.Models;

namespace EventSourcery.Generators.Emitting;

// What a reader remembers of which properties it read: bits of one `present` mask for the properties the JSON must
// have (checked by one JsonPrimitives.RequireProperties call), a named flag where a default or an optional property needs it.
internal sealed partial class JsonCodecEmitter
{
    /// <summary>Whether the reader being written keeps the properties it must have as bits of one `present` mask.</summary>
    private bool UsesPresenceMask => _bits.Any(b => b >= 0);

    /// <summary>The statement that records property <paramref name="index"/> as read (with a space before it), or nothing when nothing asks.</summary>
    private string Presence(ObjectCodecModel model, int index)
        => _bits[index] >= 0 ? $" present |= 1UL << {_bits[index]};"
            : NeedsPresenceFlag(model, index) ? $" {_has[index]} = true;"
            : string.Empty;

    /// <summary>Whether reading must remember if the property was present (to keep a default when it was not).</summary>
    private static bool NeedsPresenceFlag(ObjectCodecModel model, int index) => model.Properties[index].Assignment switch
    {
        // Read by `hasN ? pN : default` or by the missing-argument check.
        Assignment.Constructor => model.ConstructorArguments.Any(a => a.PropertyIndex == index
            && (a.DefaultExpression != DefaultValue || !model.Properties[index].Shape.AllowsNull)),
        Assignment.SetIfPresent or Assignment.WithIfPresent or Assignment.Accessor => true,
        Assignment.Initializer => model.Properties[index].IsRequired,
        _ => false,
    };

    /// <summary>
    /// The properties an object's JSON must have: a constructor argument with no default that cannot be null (a payload
    /// without it is corrupt, not an old version: give a new parameter a default to evolve an event), and a required property.
    /// </summary>
    private static List<int> RequiredProperties(ObjectCodecModel model)
    {
        var properties = model.Properties;
        var required = new List<int>();
        foreach (var argument in model.ConstructorArguments)
        {
            if (argument.PropertyIndex >= 0 && argument.DefaultExpression == DefaultValue && !properties[argument.PropertyIndex].Shape.AllowsNull)
            {
                required.Add(argument.PropertyIndex);
            }
        }

        required.AddRange(Enumerable.Range(0, properties.Count).Where(i => properties[i].Assignment == Assignment.Initializer && properties[i].IsRequired));
        return required;
    }

    /// <summary>
    /// Each property's bit in the `present` mask (its index among the properties read, the same as in the reader's
    /// table of names) when the JSON must have it, else -1; all -1 past 64 properties read (presence flags instead).
    /// </summary>
    private static int[] RequiredBits(ObjectCodecModel model, List<int> read)
    {
        var bits = Enumerable.Repeat(-1, model.Properties.Count).ToArray();
        if (read.Count <= 64)
        {
            foreach (var i in RequiredProperties(model))
            {
                bits[i] = read.IndexOf(i);
            }
        }

        return bits;
    }
}
