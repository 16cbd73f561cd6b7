using System.Text.Json;
using System.Data.Common;

namespace EventSourcery.Cli.Store;

/// <summary>A row of <c>es_streams</c>, as the tool shows it.</summary>
/// <param name="Key">The row's <c>stream_key</c> (what <c>es_events</c> refers to).</param>
/// <param name="Guid">The stream's guid.</param>
/// <param name="Category">The category, or null for an uncategorized stream (stored as '').</param>
/// <param name="Tenant">The tenant, or null for the default view (stored as '').</param>
/// <param name="Name">The name the id was made from with <c>StreamId.FromName</c>, or null.</param>
/// <param name="Version">The stream's version (its last event's).</param>
internal sealed record StreamRecord(long Key, Guid Guid, string? Category, string? Tenant, string? Name, long Version)
{
    /// <summary>The columns <see cref="Read"/> expects, in order, from <c>es_streams</c> aliased <c>s</c>.</summary>
    public const string Columns = "s.stream_key, s.stream_id, s.category, s.tenant_id, s.name, s.version";

    /// <summary>The stream's id as <c>StreamId.ToString()</c> writes it: <c>category-guid</c>, or the guid alone.</summary>
    public string Id => new StreamId(Guid, Category).ToString();

    /// <summary>Reads the row from <see cref="Columns"/> at <paramref name="first"/>.</summary>
    public static StreamRecord Read(DbDataReader reader, int first = 0) => new(
        reader.GetInt64(first),
        StoreConnection.ReadGuid(reader, first + 1),
        NullIfEmpty(reader.GetString(first + 2)),
        NullIfEmpty(reader.GetString(first + 3)),
        reader.IsDBNull(first + 4) ? null : reader.GetString(first + 4),
        StoreConnection.Int64(reader, first + 5));

    /// <summary>Writes the stream's properties (id, guid, name, category, tenant, version) into the current JSON object.</summary>
    public void WriteProperties(Utf8JsonWriter writer)
    {
        writer.WriteString("id", Id);
        writer.WriteString("guid", Guid);
        writer.WriteString("name", Name);
        writer.WriteString("category", Category);
        writer.WriteString("tenant", Tenant);
        writer.WriteNumber("version", Version);
    }

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;
}
