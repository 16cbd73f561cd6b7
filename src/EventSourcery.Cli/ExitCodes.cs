namespace EventSourcery.Cli;

/// <summary>The tool's exit codes (documented in docs/operations.md, "The command line").</summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Ok = 0;

    /// <summary>The command line is wrong: an unknown command or option, a missing or malformed argument.</summary>
    public const int Usage = 1;

    /// <summary>The file does not exist, is not a SQLite database, or lacks one of the store's tables (the message names it).</summary>
    public const int NotAStore = 2;

    /// <summary>What the command names is not in the store: a stream, a dead letter, a checkpoint.</summary>
    public const int NotFound = 3;

    /// <summary>Another connection held the database's lock for longer than the busy timeout.</summary>
    public const int Busy = 4;

    /// <summary>Anything else went wrong (the message says what).</summary>
    public const int Failed = 5;
}
