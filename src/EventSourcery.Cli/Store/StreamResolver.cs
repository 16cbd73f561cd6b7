using System.Data;

namespace EventSourcery.Cli.Store;

/// <summary>
/// Finds the stream a person names on the command line, in one tenant view. Accepted, in this order:
/// the guid (<c>0198…</c>, any category), the id as <c>StreamId.ToString()</c> writes it (<c>category-guid</c>), the
/// name given to <c>StreamId.FromName</c> (any category), or <c>category:name</c>.
/// </summary>
internal static class StreamResolver
{
    private const int GuidLength = 36;

    /// <exception cref="CliException">No stream matches (exit code 3), or several do (1, listing them).</exception>
    public static async Task<StreamRecord> ResolveAsync(StoreConnection store, string tenant, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        var matches = new List<StreamRecord>();
        if (TryParseId(text, out var guid, out var category))
        {
            // By identity: the unique index on (tenant_id, category, stream_id) serves both forms.
            matches = await QueryAsync(store, $"""
                SELECT {StreamRecord.Columns} FROM {store.Streams} s
                WHERE s.tenant_id = @tenant AND s.stream_id = @guid AND (@category IS NULL OR s.category = @category)
                ORDER BY s.stream_key;
                """, tenant, text, guid, category, cancellationToken).ConfigureAwait(false);
        }

        if (matches.Count == 0)
        {
            // By name: the name alone in any category, or category:name for a split of the text at any ':' (categories
            // may hold ':' themselves, so every split is tried). Names have no index: this reads the view's streams.
            matches = await QueryAsync(store, $"""
                SELECT {StreamRecord.Columns} FROM {store.Streams} s
                WHERE s.tenant_id = @tenant AND s.name IS NOT NULL
                  AND (s.name = @text OR (s.category <> '' AND s.category || ':' || s.name = @text))
                ORDER BY s.stream_key;
                """, tenant, text, null, null, cancellationToken).ConfigureAwait(false);
        }

        return matches.Count switch
        {
            1 => matches[0],
            0 => throw CliException.NotFound($"No stream '{text}' in the {View(tenant)}. Give the stream's guid, its id as category-guid, its name, or category:name (see the streams command)."),
            _ => throw CliException.Usage($"'{text}' names {matches.Count} streams in the {View(tenant)}: {string.Join(", ", matches.Select(m => m.Id))}. Give one of these ids."),
        };
    }

    /// <summary>"default view" or "tenant view 'acme'", for messages.</summary>
    public static string View(string tenant) => tenant.Length == 0 ? "default view" : $"tenant view '{tenant}'";

    private static bool TryParseId(string text, out Guid guid, out string? category)
    {
        category = null;
        if (Guid.TryParseExact(text, "D", out guid))
        {
            return true;
        }

        // StreamId.ToString(): "{category}-{guid}". The guid has a fixed length, so the category is everything before it.
        if (text.Length > GuidLength + 1 && text[^(GuidLength + 1)] == '-' && Guid.TryParseExact(text[^GuidLength..], "D", out guid))
        {
            category = text[..^(GuidLength + 1)];
            return true;
        }

        return false;
    }

    private static async Task<List<StreamRecord>> QueryAsync(StoreConnection store, string sql, string tenant, string text, Guid? guid, string? category, CancellationToken cancellationToken)
    {
        await using var command = store.Command(sql);
        StoreConnection.Add(command, "@tenant", tenant, DbType.String);
        StoreConnection.Add(command, "@text", text, DbType.String);

        store.AddGuid(command, "@guid", guid);
        StoreConnection.Add(command, "@category", category, DbType.String);
        var rows = new List<StreamRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(StreamRecord.Read(reader));
        }

        return rows;
    }
}
