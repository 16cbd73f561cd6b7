using Microsoft.Data.Sqlite;

namespace EventSourcery.Cli.Tests;

/// <summary>Exit code 2: the file is missing, is not SQLite, or lacks the store's tables; and the tool never creates a file.</summary>
public sealed class StoreFileTests
{
    /// <summary>Each command, with {file} where the file goes (at the end when it is not given).</summary>
    public static TheoryData<string> EveryCommand() => new()
    {
        "streams",
        "events {file} alice",
        "tail",
        "outbox",
        "outbox retry {file} --all",
        "checkpoints",
        "checkpoints reset {file} lit-switches",
    };

    [Theory]
    [MemberData(nameof(EveryCommand))]
    public async Task A_missing_file_is_exit_code_2_and_is_not_created(string command)
    {
        var path = Path.Combine(Path.GetTempPath(), $"eventsourcery-cli-missing-{Guid.NewGuid():N}.db");

        var result = await Cli.RunAsync(Args(command, path));

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("does not exist", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Theory]
    [MemberData(nameof(EveryCommand))]
    public async Task A_sqlite_file_without_the_stores_tables_names_the_missing_table(string command)
    {
        var path = Path.Combine(Path.GetTempPath(), $"eventsourcery-cli-other-{Guid.NewGuid():N}.db");
        try
        {
            await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
            {
                await connection.OpenAsync();
                await using var create = connection.CreateCommand();
                create.CommandText = "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);";
                await create.ExecuteNonQueryAsync();
            }

            var result = await Cli.RunAsync(Args(command, path));

            Assert.True(result.ExitCode == 2, result.ToString());
            Assert.Matches("not an EventSourcery database: it has no table es_(streams|events|outbox)", result.Error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_file_that_is_not_sqlite_is_exit_code_2()
    {
        var path = Path.Combine(Path.GetTempPath(), $"eventsourcery-cli-text-{Guid.NewGuid():N}.db");
        await File.WriteAllTextAsync(path, "These are not the pages of a SQLite database, only some text that is long enough to have a header.");
        try
        {
            var result = await Cli.RunAsync("streams", path);

            Assert.True(result.ExitCode == 2, result.ToString());
            Assert.Contains("not an EventSourcery database", result.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task An_unknown_command_or_a_missing_argument_is_a_usage_error()
    {
        Assert.Equal(1, (await Cli.RunAsync("snapshots", "x.db")).ExitCode);
        Assert.Equal(1, (await Cli.RunAsync("events", "x.db")).ExitCode);
        Assert.Equal(1, (await Cli.RunAsync()).ExitCode);
    }

    private static string[] Args(string command, string path)
    {
        var words = command.Split(' ');
        return words.Contains("{file}") ? [.. words.Select(a => a == "{file}" ? path : a)] : [.. words, path];
    }
}
