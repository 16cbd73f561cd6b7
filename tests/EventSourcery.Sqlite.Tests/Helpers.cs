namespace EventSourcery.Sqlite.Tests;

/// <summary>A clock that always says the same time.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

internal static class QueryPlan
{
    /// <summary>The detail column of <c>EXPLAIN QUERY PLAN</c> for <paramref name="sql"/> on the store's connection, one entry per step.</summary>
    public static async Task<List<string>> StepsAsync(SqliteEventStore store, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = store.Connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var steps = new List<string>();
        using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            steps.Add(reader.GetString(3));
        }

        return steps;
    }
}
