using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;

namespace EventSourcery.Benchmarks.PostgreSql;

/// <summary>
/// One launch, 3 warm-up and 15 measured iterations (every operation is a round trip to the server and most end in a
/// durable commit), memory diagnostics and the Min column; the default job, so <c>--job dry</c> replaces it in CI.
/// </summary>
public sealed class PgBenchmarkConfig : ManualConfig
{
    public PgBenchmarkConfig()
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(15).AsDefault());
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Min);
        WithOptions(ConfigOptions.DisableOptimizationsValidator);
    }
}
