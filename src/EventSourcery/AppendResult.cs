namespace EventSourcery;

/// <summary>What a successful append wrote.</summary>
/// <param name="StreamVersion">The stream's version after the append: the version of its last event.</param>
/// <param name="LastPosition">The global position of the last event written.</param>
public readonly record struct AppendResult(long StreamVersion, long LastPosition)
{
    /// <summary>The expectation that makes the next append succeed only if nobody else wrote in between.</summary>
    public ExpectedVersion NextExpectedVersion => ExpectedVersion.Exactly(StreamVersion);
}
