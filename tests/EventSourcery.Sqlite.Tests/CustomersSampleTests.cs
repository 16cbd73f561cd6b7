using System.Diagnostics;

namespace EventSourcery.Sqlite.Tests;

/// <summary>samples/Customers, run as a user runs it: personal data stored encrypted, then one customer shredded.</summary>
public sealed class CustomersSampleTests
{
    [Fact]
    public async Task The_sample_stores_ciphertext_and_masks_only_the_shredded_customer()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string? dll = null;
        for (var dir = output; dir is not null && dll is null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "samples", "Customers", "bin", output.Parent!.Name, output.Name, "Customers.dll");
            dll = File.Exists(candidate) ? candidate : null;
        }

        Assert.True(dll is not null, "samples/Customers is not built");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(dll!);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        var text = (await stdout).ReplaceLineEndings("\n");
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{text}\n{await stderr}");
        var (before, after) = (text[..text.IndexOf("Shredding Ada", StringComparison.Ordinal)], text[text.IndexOf("Shredding Ada", StringComparison.Ordinal)..]);
        Assert.Contains("1. CustomerSignedUp  email=ada@example.com    plan=basic", before, StringComparison.Ordinal);
        Assert.Contains("\"$pd\":\"5VBE", before, StringComparison.Ordinal); // the stored payload holds ciphertext
        Assert.DoesNotContain("ada@example.com\",", before, StringComparison.Ordinal);
        Assert.Contains("key deleted = True; again = False", after, StringComparison.Ordinal);
        Assert.Contains("1. CustomerSignedUp  email=(erased)           plan=basic", after, StringComparison.Ordinal);
        Assert.Contains("2. PlanChanged       phone=(erased)           plan=gold", after, StringComparison.Ordinal);
        Assert.Contains("3. CustomerSignedUp  email=grace@example.com  plan=basic", after, StringComparison.Ordinal);
        Assert.Contains("A new event about Ada is refused: DataSubjectShreddedException", after, StringComparison.Ordinal);
    }
}
