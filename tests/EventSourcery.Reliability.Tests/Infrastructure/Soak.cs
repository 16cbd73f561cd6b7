namespace EventSourcery.Reliability.Tests;

/// <summary>
/// Normal mode keeps the whole project around two minutes on two cores; <c>EVENTSOURCERY_SOAK=1</c> multiplies the
/// counts and kill rounds of the long tests by <see cref="Factor"/> (10) for a soak run.
/// </summary>
internal static class Soak
{
    public static bool Enabled { get; } = Environment.GetEnvironmentVariable("EVENTSOURCERY_SOAK") == "1";

    public static int Factor => Enabled ? 10 : 1;

    /// <summary><paramref name="normal"/> times <see cref="Factor"/>.</summary>
    public static int Scale(int normal) => normal * Factor;

    /// <summary>
    /// The seed of a randomized test: <c>EVENTSOURCERY_SEED</c> when set (to replay a failure), else
    /// <paramref name="fixedSeed"/> in normal mode (reproducible) or a fresh one in soak mode. Tests print it on failure.
    /// </summary>
    public static int Seed(int fixedSeed)
        => int.TryParse(Environment.GetEnvironmentVariable("EVENTSOURCERY_SEED"), out var seed) ? seed
            : Enabled ? Random.Shared.Next() : fixedSeed;
}

/// <summary>Trait names: <c>dotnet test --filter Category!=Long</c> skips the long tests.</summary>
internal static class Traits
{
    public const string Category = "Category";
    public const string Long = "Long";
}

/// <summary>Tests that start child processes or hammer one file run one at a time, not beside each other.</summary>
[CollectionDefinition(Name)]
public sealed class HeavyTests
{
    public const string Name = "heavy";
}
