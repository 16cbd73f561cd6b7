namespace EventSourcery;

/// <summary>
/// What a writer expects of a stream's version when it appends: anything (<see cref="Any"/>), that the stream does
/// not exist yet (<see cref="NoStream"/>), or that its last event has exactly version n (<see cref="Exactly"/>).
/// <c>default(ExpectedVersion)</c> is <see cref="Any"/>. A store checks it atomically with the write and throws <see cref="ConcurrencyException"/> when it does not hold.
/// </summary>
public readonly struct ExpectedVersion : IEquatable<ExpectedVersion>
{
    private const long AnyValue = -1;
    private const long NoStreamValue = 0;

    // Stored as value + 1 so that default(ExpectedVersion) is Any, the safe reading of an omitted expectation.
    private readonly long _valuePlusOne;

    private ExpectedVersion(long value) => _valuePlusOne = value + 1;

    /// <summary>Append whatever the stream's version is (creating the stream if needed).</summary>
    public static ExpectedVersion Any => new(AnyValue);

    /// <summary>Append only if the stream has no events yet.</summary>
    public static ExpectedVersion NoStream => new(NoStreamValue);

    /// <summary>-1 for <see cref="Any"/>, 0 for <see cref="NoStream"/>, otherwise the expected version (≥ 1).</summary>
    public long Value => _valuePlusOne - 1;

    /// <summary>True for <see cref="Any"/>.</summary>
    public bool IsAny => Value == AnyValue;

    /// <summary>True for <see cref="NoStream"/>.</summary>
    public bool IsNoStream => Value == NoStreamValue;

    /// <summary>Append only if the stream's last event has version <paramref name="version"/> (versions start at 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="version"/> is less than 1.</exception>
    public static ExpectedVersion Exactly(long version)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        return new(version);
    }

    /// <summary>Whether a stream whose current version is <paramref name="actual"/> (null when missing) satisfies this expectation.</summary>
    public bool IsSatisfiedBy(long? actual) => Value switch
    {
        AnyValue => true,
        NoStreamValue => actual is null or 0,
        _ => actual == Value,
    };

    /// <inheritdoc />
    public bool Equals(ExpectedVersion other) => Value == other.Value;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ExpectedVersion other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Value.GetHashCode();

    /// <summary>Value equality.</summary>
    public static bool operator ==(ExpectedVersion left, ExpectedVersion right) => left.Equals(right);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(ExpectedVersion left, ExpectedVersion right) => !left.Equals(right);

    /// <summary><c>any</c>, <c>no stream</c> or the version number.</summary>
    public override string ToString() => Value switch
    {
        AnyValue => "any",
        NoStreamValue => "no stream",
        _ => Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
