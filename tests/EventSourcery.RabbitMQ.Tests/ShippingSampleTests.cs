using System.Diagnostics;

namespace EventSourcery.RabbitMQ.Tests;

/// <summary>samples/Shipping, run as a user runs it (<c>dotnet Shipping.dll amqp://…</c>) against the test broker.</summary>
[Collection(RabbitMqTests.Name)]
public sealed class ShippingSampleTests(RabbitMqBroker broker)
{
    [SkippableFact]
    public async Task The_consumer_sample_projects_every_published_order_from_the_queue()
    {
        broker.SkipIfUnavailable();
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string? dll = null;
        for (var dir = output; dir is not null && dll is null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "samples", "Shipping", "bin", output.Parent!.Name, output.Name, "Shipping.dll");
            dll = File.Exists(candidate) ? candidate : null;
        }

        Assert.True(dll is not null, "samples/Shipping is not built");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(dll!);
        start.ArgumentList.Add(broker.Uri.ToString());
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        var text = await stdout;
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{text}\n{await stderr}");
        Assert.Contains("Published 6 events for 3 orders through the outbox", text, StringComparison.Ordinal);
        Assert.Contains("(6 messages, 0 duplicates)", text, StringComparison.Ordinal);
        Assert.Contains("  grace  5 item(s), paid  50.00, ready to ship", text, StringComparison.Ordinal);
        Assert.Contains("Every order reached the shipping board.", text, StringComparison.Ordinal);
    }
}
