using System.CommandLine;
using Microsoft.Data.Sqlite;
using EventSourcery.Cli.Store;

namespace EventSourcery.Cli.Commands;

/// <summary>Runs a command's action and turns what it throws into a message on standard error and an exit code.</summary>
internal static class CommandRunner
{
    /// <summary>The exit code of a command stopped by Ctrl+C (other than <c>tail</c>, for which stopping is the normal end).</summary>
    public const int Interrupted = 130;

    public static void SetAction(Command command, Argument<string> file, Func<ParseResult, CancellationToken, Task<int>> action)
    {
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            try
            {
                return await action(parseResult, cancellationToken).ConfigureAwait(false);
            }
            catch (CliException ex)
            {
                return Fail(ex.ExitCode, ex.Message);
            }
            catch (SqliteException ex) when (StoreFile.Translate(ex, parseResult.GetValue(file) ?? "") is { } known)
            {
                return Fail(known.ExitCode, known.Message);
            }
            catch (SqliteException ex)
            {
                return Fail(ExitCodes.Failed, $"SQLite error {ex.SqliteErrorCode}: {ex.Message}");
            }
            catch (Npgsql.NpgsqlException ex) when (StoreFile.Translate(ex, parseResult.GetValue(file) ?? "") is { } known)
            {
                return Fail(known.ExitCode, known.Message);
            }
            catch (Npgsql.NpgsqlException ex) when (!cancellationToken.IsCancellationRequested)
            {
                return Fail(ExitCodes.Failed, ex is Npgsql.PostgresException postgres ? $"PostgreSQL error {postgres.SqlState}: {postgres.MessageText}" : ex.Message);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return Interrupted;
            }
            catch (IOException ex)
            {
                return Fail(ExitCodes.Failed, ex.Message);
            }
        });
    }

    private static int Fail(int exitCode, string message)
    {
        Console.Error.WriteLine($"eventsourcery: {message}");
        return exitCode;
    }
}
