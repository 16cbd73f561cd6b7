using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace EventSourcery.PostgreSql.Tests;

/// <summary>
/// A real PostgreSQL server for the test run: the machine's own binaries (<c>initdb</c>, <c>pg_ctl</c>), a data
/// directory under the temp folder, a private port on 127.0.0.1 and a socket in the data directory, durable settings
/// (fsync on), stopped and deleted afterwards. <c>initdb</c> refuses to run as root, so as root the server runs as the
/// <c>postgres</c> system user (through <c>runuser</c>). When the server cannot start, a local run skips the tests that
/// need it, saying why; under CI (<c>CI=true</c>) it fails them.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"eventsourcery-pg-{Guid.NewGuid():N}");
    private string? _binaries;
    private string _log = "";
    private string _options = "";

    /// <summary>The port the server listens on (127.0.0.1 only).</summary>
    public int Port { get; private set; }

    /// <summary>Why the server is not running, or null when it is.</summary>
    public string? Unavailable { get; private set; } = "not started";

    /// <summary>A connection string to the server's <c>postgres</c> database as the <c>postgres</c> superuser.</summary>
    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = "postgres",
        Pooling = false,
    }.ConnectionString;

    /// <summary>The data directory (for tests of the fixture itself).</summary>
    public string DataDirectory => _dataDirectory;

    /// <summary>Whether the tests run under CI, where a server that cannot start is a failure, not a skip.</summary>
    public static bool UnderCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public async Task InitializeAsync()
    {
        try
        {
            _binaries = FindBinaries() ?? throw new InvalidOperationException("no PostgreSQL binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin, on PATH or in EVENTSOURCERY_PG_BIN; .ci/run installs them");
            Directory.CreateDirectory(_dataDirectory);
            await RunAsync("chown", $"postgres: {_dataDirectory}", asPostgres: false, allowFailure: !IsRoot);
            await RunAsync(Path.Combine(_binaries, "initdb"), $"-D {_dataDirectory} -U postgres --auth=trust --encoding=UTF8 --no-instructions", asPostgres: IsRoot);
            Port = FreePort();
            _log = Path.Combine(_dataDirectory, "server.log");
            _options = $"-p {Port} -k {_dataDirectory} -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c max_connections=200";
            await RunAsync(Path.Combine(_binaries, "pg_ctl"), $"-D {_dataDirectory} -l {_log} -o \"{_options}\" -w -t 60 start", asPostgres: IsRoot);
            Unavailable = null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            Unavailable = $"PostgreSQL could not start: {ex.Message}";
            if (UnderCi)
            {
                throw new InvalidOperationException(Unavailable + LogTail(), ex);
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_binaries is not null && Unavailable is null)
        {
            await RunAsync(Path.Combine(_binaries, "pg_ctl"), $"-D {_dataDirectory} -m fast -w stop", asPostgres: IsRoot, allowFailure: true);
            Unavailable = "stopped";
        }

        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>
    /// Restarts the server the way an operator or a failover would (<c>pg_ctl restart -m fast</c>: every connection is
    /// dropped, in-flight transactions roll back), on the same port and data, and waits until it accepts connections.
    /// </summary>
    public async Task RestartAsync()
    {
        SkipIfUnavailable();
        await RunAsync(Path.Combine(_binaries!, "pg_ctl"), $"-D {_dataDirectory} -l {_log} -o \"{_options}\" -m fast -w -t 60 restart", asPostgres: IsRoot);
    }

    /// <summary>Skips the calling test, saying why, when the server is not running (never under CI: it failed already).</summary>
    public void SkipIfUnavailable() => Skip.If(Unavailable is not null, Unavailable);

    private static bool IsRoot => Environment.UserName == "root";

    private static string? FindBinaries()
    {
        // EVENTSOURCERY_PG_BIN names the folder of initdb and pg_ctl where they are elsewhere (another distribution).
        if (Environment.GetEnvironmentVariable("EVENTSOURCERY_PG_BIN") is { Length: > 0 } chosen)
        {
            return File.Exists(Path.Combine(chosen, "pg_ctl")) ? chosen : null;
        }

        var installed = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(b => File.Exists(Path.Combine(b, "pg_ctl")))
            : [];
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Where(b => b.Length > 0 && File.Exists(Path.Combine(b, "pg_ctl")));
        return installed.OrderByDescending(b => b, StringComparer.Ordinal).Concat(onPath).FirstOrDefault();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string program, string arguments, bool asPostgres, bool allowFailure = false)
    {
        var start = asPostgres
            ? new ProcessStartInfo(File.Exists("/usr/sbin/runuser") ? "/usr/sbin/runuser" : "runuser", $"-u postgres -- {program} {arguments}")
            : new ProcessStartInfo(program, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = Path.GetTempPath();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0 && !allowFailure)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} exited with {process.ExitCode}: {(await error).Trim()} {(await output).Trim()}");
        }
    }

    private string LogTail()
        => File.Exists(_log) ? "\n" + string.Join("\n", File.ReadLines(_log).TakeLast(20)) : "";
}

/// <summary>One server for every test class of the collection.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresTests : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
