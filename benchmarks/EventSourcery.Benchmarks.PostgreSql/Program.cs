using BenchmarkDotNet.Running;
using EventSourcery.Benchmarks.PostgreSql;

// EventSourcery's PostgreSQL store beside Marten and raw Npgsql. Every benchmark runs against one server: the one
// EVENTSOURCERY_BENCH_PG names, or a private one started here (fsync on) and stopped at the end.
await using var server = await PrivatePostgres.StartAsync();
Console.WriteLine($"PostgreSQL: {await PrivatePostgres.DescribeAsync(server.ConnectionString)}");

var summaries = BenchmarkSwitcher.FromAssembly(typeof(PrivatePostgres).Assembly).Run(args);

// As in the SQLite benchmarks: BenchmarkDotNet exits with 0 after a failed benchmark; CI's dry run must not.
var failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
return failed ? 1 : 0;
