using System.CommandLine;
using EventSourcery.Cli.Commands;

namespace EventSourcery.Cli;

/// <summary>The root command and its commands.</summary>
internal static class EventSourceryCommand
{
    public static RootCommand Create() => new(
        """
        Look into an EventSourcery SQLite store without the application's code: streams, events, the outbox and the
        projections' checkpoints. Exit codes: 0 ok, 1 usage error, 2 file missing or not an EventSourcery database,
        3 not found (stream, dead letter, checkpoint), 4 database busy, 5 other failure.
        """)
    {
        StreamsCommand.Create(),
        EventsCommand.Create(),
        TailCommand.Create(),
        OutboxCommand.Create(),
        CheckpointsCommand.Create(),
    };
}
