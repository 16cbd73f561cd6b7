using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace EventSourcery.Benchmarks.PostgreSql;

/// <summary>
/// The benchmarks' PostgreSQL server: the one <c>EVENTSOURCERY_BENCH_PG</c> names, or else a private one this process
/// starts from the machine's binaries (initdb and pg_ctl, as the <c>postgres</c> user when root), with fsync on,
/// listening on a free port on 127.0.0.1 (every side connects with the same string: a pool of 50, and Npgsql's automatic
/// statement preparation, <c>Max Auto Prepare=64</c>), deleted when <see cref="DisposeAsync"/> stops it. BenchmarkDotNet's child
/// processes find it through the environment variable, which <see cref="StartAsync"/> sets.
/// </summary>
internal sealed class PrivatePostgres : IAsyncDisposable
{
    public const string Variable = "EVENTSOURCERY_BENCH_PG";

    private readonly string? _dataDirectory;
    private readonly string? _binaries;

    private PrivatePostgres(string connectionString, string? dataDirectory, string? binaries)
    {
        ConnectionString = connectionString;
        _dataDirectory = dataDirectory;
        _binaries = binaries;
    }

    public string ConnectionString { get; }

    /// <summary>The server's settings that matter to the numbers, for the report.</summary>
    public static async Task<string> DescribeAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT version() || '; fsync=' || current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit') || ', shared_buffers=' || current_setting('shared_buffers') || ', wal_level=' || current_setting('wal_level')", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    public static async Task<PrivatePostgres> StartAsync()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given)
        {
            return new PrivatePostgres(given, null, null);
        }

        var binaries = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(b => File.Exists(Path.Combine(b, "pg_ctl"))).OrderDescending().FirstOrDefault()
            : null;
        if (binaries is null)
        {
            throw new InvalidOperationException($"No PostgreSQL binaries under /usr/lib/postgresql; install the server or set {Variable} to a connection string.");
        }

        var data = Path.Combine(Path.GetTempPath(), $"eventsourcery-bench-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(data);
        var root = Environment.UserName == "root";
        if (root)
        {
            await RunAsync("chown", $"postgres: {data}", asPostgres: false);
        }

        await RunAsync(Path.Combine(binaries, "initdb"), $"-D {data} -U postgres --auth=trust --encoding=UTF8 --no-instructions", root);
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var options = $"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c max_connections=200";
        await RunAsync(Path.Combine(binaries, "pg_ctl"), $"-D {data} -l {data}/server.log -o \"{options}\" -w -t 60 start", root);
        var connectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Maximum Pool Size=50;Max Auto Prepare=64";
        Environment.SetEnvironmentVariable(Variable, connectionString);
        return new PrivatePostgres(connectionString, data, binaries);
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataDirectory is null)
        {
            return;
        }

        await RunAsync(Path.Combine(_binaries!, "pg_ctl"), $"-D {_dataDirectory} -m fast -w stop", Environment.UserName == "root");
        Directory.Delete(_dataDirectory, recursive: true);
    }

    private static async Task RunAsync(string program, string arguments, bool asPostgres)
    {
        var start = asPostgres ? new ProcessStartInfo("runuser", $"-u postgres -- {program} {arguments}") : new ProcessStartInfo(program, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = Path.GetTempPath();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var error = process.StandardError.ReadToEndAsync();
        _ = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} exited with {process.ExitCode}: {await error}");
        }
    }
}
