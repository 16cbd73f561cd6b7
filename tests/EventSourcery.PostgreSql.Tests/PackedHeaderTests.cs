using EventSourcery.PostgreSql.Storage;
using Npgsql;

namespace EventSourcery.PostgreSql.Tests;

/// <summary>
/// The server packs an event row's schema version, creation-time offset and ticks into one bigint for reads
/// (<see cref="PackedHeader"/>), and the client unpacks exactly what the columns hold: every extreme of their types,
/// so a damaged row still reads as damaged rather than as some other valid value.
/// </summary>
[Collection(PostgresTests.Name)]
public sealed class PackedHeaderTests(PostgresServer server)
{
    public static TheoryData<int, short, short> Columns => new()
    {
        { 1, 0, 0 },
        { 3, 9, -570 },
        { 2, 5, 840 },
        { 1, 0, -840 },
        { 0, 10, -900 },
        { int.MaxValue, short.MaxValue, short.MaxValue },
        { int.MinValue, short.MinValue, short.MinValue },
        { -1, -1, -1 },
        { int.MinValue, short.MaxValue, short.MinValue },
        { int.MaxValue, short.MinValue, short.MaxValue },
    };

    [SkippableTheory]
    [MemberData(nameof(Columns))]
    public async Task The_server_packs_and_the_client_unpacks_every_value_the_columns_can_hold(int schemaVersion, short ticks, short offset)
    {
        server.SkipIfUnavailable();
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT {PackedHeader.Sql("t")} FROM (SELECT @schema_version::int4 AS schema_version, @ticks::int2 AS created_at_ticks, @offset::int2 AS created_at_offset) AS t",
            connection);
        command.Parameters.AddWithValue("schema_version", schemaVersion);
        command.Parameters.AddWithValue("ticks", ticks);
        command.Parameters.AddWithValue("offset", offset);

        var packed = (long)(await command.ExecuteScalarAsync())!;

        Assert.Equal((schemaVersion, ticks, offset), (PackedHeader.SchemaVersion(packed), PackedHeader.Ticks(packed), PackedHeader.OffsetMinutes(packed)));
    }

    [SkippableFact]
    public async Task A_null_in_any_column_makes_the_whole_value_null()
    {
        server.SkipIfUnavailable();
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"""
            SELECT count(*) FILTER (WHERE {PackedHeader.Sql("t")} IS NULL)
            FROM (VALUES (NULL::int4, 0::int2, 0::int2), (1, NULL, 0), (1, 0, NULL)) AS t(schema_version, created_at_ticks, created_at_offset)
            """,
            connection);

        Assert.Equal(3L, await command.ExecuteScalarAsync());
    }
}
