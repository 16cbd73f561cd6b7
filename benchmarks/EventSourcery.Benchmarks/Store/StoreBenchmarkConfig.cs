using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace EventSourcery.Benchmarks.Store;

/// <summary>
/// The configuration of the store benchmarks: a short job (they touch the disk and fsync, so one launch, 3 warmup and
/// 10 measured iterations keep each class to minutes), memory diagnostics, the Min column, and per-event columns.
/// </summary>
/// <remarks>
/// The job is marked as the default one, so a job given on the command line (<c>--job dry</c> in CI) replaces it
/// rather than running beside it.
/// </remarks>
public class StoreBenchmarkConfig : ManualConfig
{
    public StoreBenchmarkConfig()
        : this(iterationCount: 10)
    {
    }

    protected StoreBenchmarkConfig(int iterationCount)
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(iterationCount).AsDefault());
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Min, new MinRatioColumn(), new PerEventColumn(PerEventColumn.Kind.EventsPerSecond), new PerEventColumn(PerEventColumn.Kind.BestEventsPerSecond), new PerEventColumn(PerEventColumn.Kind.AllocatedPerEvent));
    }
}

/// <summary>
/// For benchmarks dominated by a durable commit (an fsync each): their times swing with the disk activity of other
/// processes, so they get 20 measured iterations instead of 10.
/// </summary>
public class CommitBoundBenchmarkConfig : StoreBenchmarkConfig
{
    public CommitBoundBenchmarkConfig()
        : base(iterationCount: 20)
    {
    }
}

/// <summary>
/// How many events one benchmark operation writes or reads, when it is not a parameter (BatchSize, EventCount); with
/// <c>OperationsPerInvoke</c> counting events, it is 1. Without either, the per-event columns are left out.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class)]
public sealed class EventsPerOperationAttribute(int events) : Attribute
{
    public int Events { get; } = events;
}

/// <summary>Throughput and allocation per event, from the operation's time and allocation and its event count.</summary>
internal sealed class PerEventColumn(PerEventColumn.Kind kind) : IColumn
{
    public enum Kind
    {
        EventsPerSecond,
        BestEventsPerSecond,
        AllocatedPerEvent,
    }

    public string Id => $"{nameof(PerEventColumn)}.{kind}";

    public string ColumnName => kind switch
    {
        Kind.EventsPerSecond => "Events/s",
        Kind.BestEventsPerSecond => "Events/s (Min)",
        _ => "Alloc/event",
    };

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => (int)kind;

    public bool IsNumeric => true;

    public UnitType UnitType => kind == Kind.AllocatedPerEvent ? UnitType.Size : UnitType.Dimensionless;

    public string Legend => kind switch
    {
        Kind.EventsPerSecond => "Events per second, from Mean and the events per operation",
        Kind.BestEventsPerSecond => "Events per second, from Min (the fastest iteration)",
        _ => "Bytes allocated per event written or read",
    };

    /// <summary>Events per operation: the BatchSize or EventCount parameter, else [EventsPerOperation]; null when neither says.</summary>
    public static int? EventsPerOperation(BenchmarkCase benchmarkCase)
    {
        foreach (var name in new[] { "BatchSize", "EventCount" })
        {
            if (benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == name) is { Value: int count })
            {
                return count;
            }
        }

        return benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<EventsPerOperationAttribute>()?.Events
            ?? benchmarkCase.Descriptor.Type.GetCustomAttribute<EventsPerOperationAttribute>()?.Events;
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var report = summary[benchmarkCase];
        var statistics = report?.ResultStatistics;
        if (report is null || statistics is null)
        {
            return "NA";
        }

        if (EventsPerOperation(benchmarkCase) is not { } events)
        {
            return "-";
        }

        switch (kind)
        {
            case Kind.EventsPerSecond:
                return (events * 1e9 / statistics.Mean).ToString("N0", CultureInfo.InvariantCulture);
            case Kind.BestEventsPerSecond:
                return (events * 1e9 / statistics.Min).ToString("N0", CultureInfo.InvariantCulture);
            default:
                var bytes = report.GcStats.GetBytesAllocatedPerOperation(benchmarkCase);
                return bytes is null ? "NA" : ((double)bytes / events).ToString("N0", CultureInfo.InvariantCulture) + " B";
        }
    }

    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => EventsPerOperation(c) is not null);

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}

/// <summary>The ratio of the fastest iterations (Min) to the baseline's: the steadier comparison on a busy machine.</summary>
internal sealed class MinRatioColumn : IColumn
{
    public string Id => nameof(MinRatioColumn);

    public string ColumnName => "Ratio (Min)";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Baseline;

    public int PriorityInCategory => 10;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Min / baseline's Min";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var baseline = summary.GetBaseline(summary.GetLogicalGroupKey(benchmarkCase));
        var min = summary[benchmarkCase]?.ResultStatistics?.Min;
        var baselineMin = baseline is null ? null : summary[baseline]?.ResultStatistics?.Min;
        return min is { } m && baselineMin is { } b and > 0 ? (m / b).ToString("0.00", CultureInfo.InvariantCulture) : "?";
    }

    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => c.Descriptor.Baseline);

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}

/// <summary>A directory of database files for one benchmark process, deleted at cleanup.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "eventsourcery-benchmarks", $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still open (a failed setup); the OS temp cleaner gets it.
        }
    }
}

/// <summary>
/// A method's time relative to the same method at the smallest value of an integer parameter (the scale benchmark's
/// store size), from Mean and from Min: 1.20 means 20% slower than at the smallest size.
/// </summary>
internal sealed class RelativeToSmallestColumn(string parameter) : IColumn
{
    public string Id => $"{nameof(RelativeToSmallestColumn)}.{parameter}";

    public string ColumnName => "vs smallest (Mean / Min)";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 10;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => $"Mean and Min relative to the same method at the smallest {parameter}";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var smallest = summary.BenchmarksCases
            .Where(c => c.Descriptor == benchmarkCase.Descriptor && c.Job == benchmarkCase.Job)
            .MinBy(c => c.Parameters[parameter] is int size ? size : int.MaxValue);
        var own = summary[benchmarkCase]?.ResultStatistics;
        var reference = smallest is null ? null : summary[smallest]?.ResultStatistics;
        return own is null || reference is null
            ? "?"
            : string.Create(CultureInfo.InvariantCulture, $"{own.Mean / reference.Mean:0.00} / {own.Min / reference.Min:0.00}");
    }

    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => c.Parameters.Items.Any(p => p.Name == parameter));

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
