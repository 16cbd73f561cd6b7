using EventSourcery.PostgreSql.Storage;
using EventSourcery.Relational.Schema;
using EventSourcery.Relational.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace EventSourcery.PostgreSql.Tests;

/// <summary>
/// A store that owns its connections creates its tables from <see cref="PostgreSqlSchema"/> rather than from EF Core's
/// model at run time (decision 0017): these hold the two equal.
/// </summary>
[Collection(PostgresTests.Name)]
public sealed class PostgreSqlSchemaTests(PostgresServer server) : IAsyncLifetime
{
    private readonly PgStores _stores = new(server);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _stores.DisposeAsync().AsTask();

    [Theory]
    [InlineData("public")]
    [InlineData("lightswitch")]
    [InlineData("Light \"Switch\" o'clock")]
    public void The_owned_stores_statements_are_what_EF_Core_generates_from_the_model_table_by_table(string schema)
    {
        using var context = ShopContext.Create("Host=localhost", schema);

        // EF Core quotes a schema only where PostgreSQL needs it; the script always quotes it. Otherwise word for word.
        var efSchema = context.GetService<ISqlGenerationHelper>().DelimitIdentifier(schema);
        string AsScript(string statement) => statement
            .Replace(efSchema + ".", PostgreSqlStorage.Quote(schema) + ".", StringComparison.Ordinal)
            .Replace("CREATE SCHEMA " + efSchema + ";", "CREATE SCHEMA " + PostgreSqlStorage.Quote(schema) + ";", StringComparison.Ordinal)
            .Trim();

        foreach (var table in Tables.All)
        {
            var fromModel = SchemaCreator.CreateStatements(context, new HashSet<string> { table }).Select(AsScript);
            Assert.Equal(fromModel, PostgreSqlSchema.CreateStatements(schema, new HashSet<string> { table }).Select(s => s.Trim()));
        }
    }

    [SkippableFact]
    public async Task The_owned_stores_tables_match_those_a_users_context_creates_in_the_catalog()
    {
        var store = await _stores.OpenStoreAsync();
        var userSchema = PgStores.NewSchema();
        await using (var context = ShopContext.Create(_stores.ConnectionString, userSchema))
        {
            await new PostgreSqlDbContextEventStore(context, new PostgreSqlEventStoreOptions { Schema = userSchema }).ReadHeadPositionAsync();
        }

        async Task<string> CatalogAsync(string schema)
        {
            var catalog = await _stores.ExecuteAsync($"""
                SELECT
                  (SELECT string_agg(table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || is_identity || ' ' || coalesce(column_default, '-'), E'\n' ORDER BY table_name, ordinal_position)
                   FROM information_schema.columns WHERE table_schema = '{schema}')
                  || E'\n' ||
                  (SELECT string_agg(indexname || ' ' || indexdef, E'\n' ORDER BY indexname) FROM pg_indexes WHERE schemaname = '{schema}')
                  || E'\n' ||
                  (SELECT string_agg(c.conname || ' ' || pg_get_constraintdef(c.oid), E'\n' ORDER BY c.conname)
                   FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = '{schema}')
                """);
            return ((string)catalog!).Replace(schema, "<schema>", StringComparison.Ordinal);
        }

        var owned = await CatalogAsync(store.Schema);
        Assert.Contains("es_events.position bigint NO YES", owned, StringComparison.Ordinal);
        Assert.Contains("ux_es_events_stream_version CREATE UNIQUE INDEX", owned, StringComparison.Ordinal);
        Assert.Equal(await CatalogAsync(userSchema), owned);
    }
}
