using BenchmarkDotNet.Running;

var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

// CI runs every benchmark once with --job dry so that none of them rots. BenchmarkDotNet reports a failed build,
// setup or benchmark in its output but still exits with 0, so turn any failure into a failing exit code.
var failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
return failed ? 1 : 0;
