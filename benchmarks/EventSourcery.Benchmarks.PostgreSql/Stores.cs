using EventSourcery.Serialization;
using JasperFx;
using JasperFx.Events;
using Marten;
using Npgsql;

namespace EventSourcery.Benchmarks.PostgreSql;

/// <summary>The three sides of every benchmark on one server, each in a schema of its own, made fresh per benchmark class.</summary>
internal sealed class Stores : IAsyncDisposable
{
    private Stores(NpgsqlDataSource dataSource, PostgreSqlEventStore ours, DocumentStore marten, Raw raw)
    {
        DataSource = dataSource;
        Ours = ours;
        Marten = marten;
        Raw = raw;
    }

    public NpgsqlDataSource DataSource { get; }

    public PostgreSqlEventStore Ours { get; }

    public DocumentStore Marten { get; }

    public Raw Raw { get; }

    public static async Task<Stores> CreateAsync(string name, Action<StoreOptions>? configure = null)
    {
        var connectionString = Environment.GetEnvironmentVariable(PrivatePostgres.Variable)
            ?? throw new InvalidOperationException($"{PrivatePostgres.Variable} is not set: run the benchmarks through Program.cs, which starts the server.");
        var dataSource = NpgsqlDataSource.Create(connectionString);
        await using (var drop = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS es_{name} CASCADE; DROP SCHEMA IF EXISTS marten_{name} CASCADE;"))
        {
            await drop.ExecuteNonQueryAsync();
        }

        var ours = await PostgreSqlEventStore.OpenAsync(connectionString, new PostgreSqlEventStoreOptions { Schema = $"es_{name}" });
        var marten = DocumentStore.For(options =>
        {
            options.Connection(connectionString);
            options.DatabaseSchemaName = $"marten_{name}";
            options.Events.StreamIdentity = StreamIdentity.AsGuid;
            options.AutoCreateSchemaObjects = AutoCreate.All;
            options.UseSystemTextJsonForSerialization();
            options.Events.AddEventType<MartenItemAdded>();
            options.Events.AddEventType<MartenItemRemoved>();
            configure?.Invoke(options);
        });
        await marten.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await global::EventSourcery.Benchmarks.PostgreSql.Raw.CreateSchemaAsync(dataSource);
        return new Stores(dataSource, ours, marten, new Raw(dataSource, new EventSerializer(Serialization.EventRegistry.Default)));
    }

    /// <summary>
    /// Gathers the planner's statistics on every side's tables, as autovacuum does within a minute or so of a bulk load:
    /// measured right after one, the planner would still guess from empty tables (a sort of every remaining event for
    /// each page of a catch-up instead of walking the index).
    /// </summary>
    public async Task AnalyzeAsync()
    {
        await using var command = DataSource.CreateCommand("ANALYZE;");
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Ours.DisposeAsync();
        Marten.Dispose();
        await DataSource.DisposeAsync();
    }
}
