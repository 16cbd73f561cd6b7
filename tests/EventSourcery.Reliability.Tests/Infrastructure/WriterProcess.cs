using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Threading.Channels;

namespace EventSourcery.Reliability.Tests;

/// <summary>
/// A running EventSourcery.Reliability.Writer (<c>dotnet EventSourcery.Reliability.Writer.dll mode --name value …</c>),
/// with its stdout lines, its stderr, and ways to wait for "ready", talk to it and kill it with SIGKILL.
/// </summary>
internal sealed class WriterProcess : IAsyncDisposable
{
    private static readonly SemaphoreSlim BuildGate = new(1, 1);
    private static string? _dll;

    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _stderr = new();
    private int _disposed;

    private WriterProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _lines.Writer.TryComplete();
            }
            else
            {
                _lines.Writer.TryWrite(e.Data);
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(e.Data);
                }
            }
        };
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts the Writer with <paramref name="args"/> (building it first if its dll is not where the build puts it).</summary>
    public static async Task<WriterProcess> StartAsync(params string[] args)
    {
        var dll = await LocateAsync();
        var info = new ProcessStartInfo(DotNetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var process = new Process { StartInfo = info };
        var writer = new WriterProcess(process);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return writer;
    }

    /// <summary>Waits for the "ready" line (the store is open); fails with the child's stderr if it exits or hangs.</summary>
    public Task WaitForReadyAsync(TimeSpan? timeout = null) => WaitForLineAsync("ready", timeout);

    /// <summary>
    /// For a Writer started with <c>--warm true</c>: waits until it has warmed up ("warm"), lets it go, and waits until
    /// its store is open ("ready").
    /// </summary>
    public async Task GoAsync()
    {
        await WaitForLineAsync("warm");
        await SendLineAsync("go");
        await WaitForLineAsync("ready");
    }

    /// <summary>Waits for the line <paramref name="expected"/> on the child's stdout, skipping others.</summary>
    public async Task WaitForLineAsync(string expected, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            while (await _lines.Reader.WaitToReadAsync(cts.Token))
            {
                while (_lines.Reader.TryRead(out var line))
                {
                    if (line == expected)
                    {
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The writer (pid {Id}) did not say '{expected}' in time. stderr:\n{StandardError}");
        }

        await _process.WaitForExitAsync();
        throw new InvalidOperationException($"The writer (pid {Id}) exited with {_process.ExitCode} before it said '{expected}'. stderr:\n{StandardError}");
    }

    public async Task SendLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>SIGKILL (what <see cref="Process.Kill(bool)"/> sends on Linux): no finally block, no flush, no dispose runs.</summary>
    public async Task KillAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>Waits for a normal exit and returns the exit code; fails (after killing it) if it takes too long.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
            throw new TimeoutException($"The writer (pid {Id}) did not exit within {timeout}. stderr:\n{StandardError}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    /// <summary>
    /// The Writer's dll: where <c>dotnet build</c> of this test project put it (the test project references the Writer
    /// project so that it is built first), or, when it is not there (a custom output path), built once into a
    /// temporary directory.
    /// </summary>
    private static async Task<string> LocateAsync()
    {
        await BuildGate.WaitAsync();
        try
        {
            if (_dll is not null)
            {
                return _dll;
            }

            var metadata = typeof(WriterProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value);
            var project = metadata["ReliabilityWriterProject"]!;
            var configuration = metadata["ReliabilityWriterConfiguration"]!;
            var built = Path.Combine(Path.GetDirectoryName(project)!, "bin", configuration, "net10.0", "EventSourcery.Reliability.Writer.dll");
            if (File.Exists(built))
            {
                return _dll = built;
            }

            var output = Path.Combine(Path.GetTempPath(), $"eventsourcery-reliability-writer-{Guid.NewGuid():N}");
            var info = new ProcessStartInfo(DotNetHost()) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { "build", project, "-c", configuration, "-o", output, "--nologo" })
            {
                info.ArgumentList.Add(arg);
            }

            using var build = Process.Start(info)!;
            var stdout = build.StandardOutput.ReadToEndAsync();
            var stderr = build.StandardError.ReadToEndAsync();
            await build.WaitForExitAsync();
            if (build.ExitCode != 0)
            {
                throw new InvalidOperationException($"dotnet build of the Writer failed:\n{await stdout}\n{await stderr}");
            }

            return _dll = Path.Combine(output, "EventSourcery.Reliability.Writer.dll");
        }
        finally
        {
            BuildGate.Release();
        }
    }

    /// <summary>The dotnet host running this test (so the child gets the same runtime), or "dotnet" from PATH.</summary>
    private static string DotNetHost()
    {
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}
