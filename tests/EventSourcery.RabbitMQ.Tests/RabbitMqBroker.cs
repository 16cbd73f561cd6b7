using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RabbitMQ.Client;

namespace EventSourcery.RabbitMQ.Tests;

/// <summary>
/// A real RabbitMQ broker for the test run: Debian's <c>rabbitmq-server</c> as a node of its own (a private name, AMQP
/// and distribution ports on 127.0.0.1, its database and logs under the temp folder), stopped and deleted afterwards.
/// Run as root, Debian's script starts the node as the <c>rabbitmq</c> user, which then owns the folder. When the broker
/// cannot start, a local run skips the tests that need it, saying why; under CI (<c>CI=true</c>) it fails them.
/// </summary>
public sealed class RabbitMqBroker : IAsyncLifetime
{
    private const string Server = "/usr/sbin/rabbitmq-server";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"eventsourcery-rabbitmq-{Guid.NewGuid():N}");
    private readonly string _node = $"es{Guid.NewGuid():N}"[..14] + "@localhost";
    private Process? _process;
    private int _distributionPort;

    /// <summary>The AMQP port (127.0.0.1).</summary>
    public int Port { get; private set; }

    /// <summary>The broker's URI, as the default <c>guest</c> user (allowed from localhost only).</summary>
    public Uri Uri => new($"amqp://guest:guest@127.0.0.1:{Port}/");

    /// <summary>Why the broker is not running, or null when it is.</summary>
    public string? Unavailable { get; private set; } = "not started";

    public static bool UnderCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public async Task InitializeAsync()
    {
        try
        {
            if (!File.Exists(Server))
            {
                throw new InvalidOperationException($"{Server} is missing (Debian's rabbitmq-server package; .ci/run installs it)");
            }

            Directory.CreateDirectory(_directory);
            if (Environment.UserName == "root")
            {
                using var chown = Process.Start("chown", $"rabbitmq: {_directory}");
                await chown.WaitForExitAsync();
            }

            Port = FreePort();
            _distributionPort = FreePort();
            await StartAsync();
            Unavailable = null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception or IOException)
        {
            Unavailable = $"RabbitMQ could not start: {ex.Message}";
            if (UnderCi)
            {
                throw new InvalidOperationException(Unavailable + LogTail(), ex);
            }
        }
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>Stops the node (as a crash or an operator would: the process tree killed); its durable queues and persistent messages stay on disk.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        // The node's VM may outlive the script that started it: stop whatever runs under this node's name.
        using var kill = Process.Start("pkill", $"-f {_node}");
        await kill!.WaitForExitAsync();
        await WaitAsync(() => Task.FromResult(!IsListening()), TimeSpan.FromSeconds(30), "the broker to stop");
    }

    /// <summary>Starts the node again (same name, ports and database) and waits until it accepts connections.</summary>
    public async Task StartAsync()
    {
        var start = new ProcessStartInfo(Server)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.Environment["RABBITMQ_NODENAME"] = _node;
        start.Environment["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1";
        start.Environment["RABBITMQ_NODE_PORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["RABBITMQ_DIST_PORT"] = _distributionPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["RABBITMQ_MNESIA_BASE"] = Path.Combine(_directory, "mnesia");
        start.Environment["RABBITMQ_LOG_BASE"] = Path.Combine(_directory, "log");
        start.Environment["RABBITMQ_PID_FILE"] = Path.Combine(_directory, "node.pid");
        start.Environment["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(_directory, "enabled_plugins");
        start.Environment["RABBITMQ_CONFIG_FILE"] = Path.Combine(_directory, "rabbitmq");
        _process = Process.Start(start) ?? throw new InvalidOperationException("rabbitmq-server did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitAsync(() => Task.FromResult(_process.HasExited ? throw new InvalidOperationException($"rabbitmq-server exited with {_process.ExitCode}") : IsListening()), TimeSpan.FromSeconds(90), "the broker to listen");
        await WaitAsync(CanConnectAsync, TimeSpan.FromSeconds(60), "the broker to accept AMQP connections");
    }

    /// <summary>Skips the calling test, saying why, when the broker is not running (never under CI: it failed already).</summary>
    public void SkipIfUnavailable() => Skip.If(Unavailable is not null, Unavailable);

    private bool IsListening()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private async Task<bool> CanConnectAsync()
    {
        try
        {
            await using var connection = await new ConnectionFactory { Uri = Uri }.CreateConnectionAsync();
            return true;
        }
        catch (global::RabbitMQ.Client.Exceptions.BrokerUnreachableException)
        {
            return false;
        }
    }

    private static async Task WaitAsync(Func<Task<bool>> done, TimeSpan patience, string what)
    {
        var deadline = DateTime.UtcNow + patience;
        while (!await done())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"gave up waiting for {what} after {patience.TotalSeconds} s");
            }

            await Task.Delay(200);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private string LogTail()
    {
        var logs = Directory.Exists(Path.Combine(_directory, "log")) ? Directory.GetFiles(Path.Combine(_directory, "log"), "*.log") : [];
        return string.Concat(logs.Select(l => "\n" + string.Join("\n", File.ReadLines(l).TakeLast(15))));
    }
}

/// <summary>One broker for every test class of the collection.</summary>
[CollectionDefinition(Name)]
public sealed class RabbitMqTests : ICollectionFixture<RabbitMqBroker>
{
    public const string Name = "RabbitMQ";
}
