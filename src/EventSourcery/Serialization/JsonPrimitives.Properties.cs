using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace EventSourcery.Serialization;

// An object's properties found by a table of their names, so that a generated codec's loop is one call and a switch.
public static partial class JsonPrimitives
{
    /// <summary>
    /// Moves the reader to the next property of the object it is in that <paramref name="names"/> lists, skipping any
    /// other, and onto that property's value; sets <paramref name="property"/> to the property's index in the table
    /// before stepping onto the value, so that an error reading it can name it. Returns false on the object's end.
    /// Names are compared from the one after <paramref name="property"/> on, then from the first: JSON in the order a
    /// codec writes it costs one comparison per property.
    /// </summary>
    /// <param name="reader">The reader, on the object's start or on the last token of the previous property's value.</param>
    /// <param name="names">
    /// The table: for each property, its name's UTF-8 length then the name's UTF-8 bytes. The length is written in
    /// 6-bit groups, lowest first, one byte each; a byte with 0x40 set is followed by another group.
    /// </param>
    /// <param name="property">
    /// The index of the property read last, -1 before the first; on return, the index of the one found. While a property
    /// the table does not list is skipped it is -1, so an error in that property's value names none of the listed ones.
    /// </param>
    /// <param name="typeName">The type being read, for the error when the JSON ends inside the object.</param>
    /// <exception cref="JsonException">The JSON ends inside the object.</exception>
    public static bool NextProperty(ref Utf8JsonReader reader, ReadOnlySpan<byte> names, ref int property, string typeName)
    {
        while (true)
        {
            Next(ref reader, typeName);
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return false;
            }

            var index = IndexOfName(ref reader, names, property);
            if (index >= 0)
            {
                property = index;
                Next(ref reader, typeName);
                return true;
            }

            // Not one of the type's: an error inside its value is no listed property's (-1), and the search starts over.
            property = -1;
            Next(ref reader, typeName);
            reader.Skip();
        }
    }

    /// <summary>The name at <paramref name="index"/> in a table of <see cref="NextProperty"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The table has no name at <paramref name="index"/>.</exception>
    public static string PropertyName(ReadOnlySpan<byte> names, int index)
    {
        var offset = 0;
        for (var i = 0; offset < names.Length; i++)
        {
            var length = NameLength(names, ref offset);
            if (i == index)
            {
                return Encoding.UTF8.GetString(names.Slice(offset, length));
            }

            offset += length;
        }

        throw new ArgumentOutOfRangeException(nameof(index), index, "The table of property names has no name at this index.");
    }

    /// <summary>Reading property <paramref name="index"/> of a table of <see cref="NextProperty"/>, of <paramref name="typeName"/>, failed.</summary>
    public static JsonException InvalidProperty(string typeName, ReadOnlySpan<byte> names, int index, Exception inner)
        => InvalidProperty(typeName, PropertyName(names, index), inner);

    /// <summary>
    /// Checks that an object's JSON had every property it cannot be made without: bit <c>k</c> of
    /// <paramref name="required"/> stands for the name at index <c>k</c> of <paramref name="names"/> (a table of
    /// <see cref="NextProperty"/>), and the same bit of <paramref name="present"/> is set when the property was read.
    /// </summary>
    /// <exception cref="JsonException">A required property is missing; the first one missing is named.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void RequireProperties(string typeName, ReadOnlySpan<byte> names, ulong present, ulong required)
    {
        if ((present & required) != required)
        {
            ThrowMissing(typeName, names, required & ~present);
        }
    }

    [DoesNotReturn]
    private static void ThrowMissing(string typeName, ReadOnlySpan<byte> names, ulong missing)
        => throw MissingProperty(typeName, PropertyName(names, BitOperations.TrailingZeroCount(missing)));

    /// <summary>The index of the property name the reader is on in <paramref name="names"/>, or -1.</summary>
    private static int IndexOfName(ref Utf8JsonReader reader, ReadOnlySpan<byte> names, int previous)
    {
        // The names after the previous one first: properties usually come in the order they were written.
        var offset = 0;
        var index = 0;
        while (offset < names.Length)
        {
            var length = NameLength(names, ref offset);
            if (index > previous && reader.ValueTextEquals(names.Slice(offset, length)))
            {
                return index;
            }

            offset += length;
            index++;
        }

        // Then the ones up to the previous one (a property out of order, or a repeated one).
        offset = 0;
        for (index = 0; index <= previous && offset < names.Length; index++)
        {
            var length = NameLength(names, ref offset);
            if (reader.ValueTextEquals(names.Slice(offset, length)))
            {
                return index;
            }

            offset += length;
        }

        return -1;
    }

    private static int NameLength(ReadOnlySpan<byte> names, ref int offset)
    {
        var length = 0;
        var shift = 0;
        byte group;
        do
        {
            group = names[offset++];
            length |= (group & 0x3F) << shift;
            shift += 6;
        }
        while ((group & 0x40) != 0);

        return length;
    }
}
