namespace EventSourcery.PostgreSql.Storage;

/// <summary>
/// An event row's three small columns (<c>schema_version</c>, <c>created_at_offset</c> and <c>created_at_ticks</c>)
/// as the server sends them to a read: one <c>bigint</c>, the schema version in the high 32 bits, the offset in the next
/// 16 and the ticks in the low 16, each as its two's complement.
/// </summary>
/// <remarks>
/// Every column of a result costs the server a send-function call per row and both sides a field of the row message:
/// on a 1,000-event load, 45–60 µs per column, against about 700 µs for raw Npgsql's whole five-column read. The
/// packing is exact for every value the three columns can hold, so a damaged row reads back as damaged (an offset of
/// -900 minutes is still -900 and still refused); a NULL in any of them makes the whole value NULL. The table keeps
/// three plain columns: only what a read sends is packed. See docs/decisions/0020.
/// </remarks>
internal static class PackedHeader
{
    /// <summary>The expression over the row of <paramref name="alias"/>.</summary>
    public static string Sql(string alias)
        => $"(({alias}.schema_version::int8 << 32) | (({alias}.created_at_offset::int8 & 65535) << 16) | ({alias}.created_at_ticks::int8 & 65535))";

    /// <summary>The <c>schema_version</c> column of <paramref name="packed"/>.</summary>
    public static int SchemaVersion(long packed) => (int)(packed >> 32);

    /// <summary>The <c>created_at_offset</c> column of <paramref name="packed"/>, in minutes.</summary>
    public static short OffsetMinutes(long packed) => unchecked((short)(packed >> 16));

    /// <summary>The <c>created_at_ticks</c> column of <paramref name="packed"/>.</summary>
    public static short Ticks(long packed) => unchecked((short)packed);
}
