namespace EventSourcery.Reliability.Tests;

/// <summary>Every kind of value the generated codecs handle, for the round-trip properties.</summary>
public sealed record Scribbled(
    string Text,
    string? MaybeText,
    char Letter,
    int Small,
    long Number,
    ulong Big,
    double Real,
    float Ratio,
    decimal Money,
    DateTimeOffset At,
    DateTimeOffset? MaybeAt,
    DateTime When,
    TimeSpan Span,
    Guid Ref,
    byte[] Bytes,
    IReadOnlyList<string> Tags,
    IReadOnlyDictionary<string, string> Map) : Event;

/// <summary>An event with one string, for the corrupt-row and large-event tests.</summary>
public sealed record Noted(string Text) : Event;

/// <summary>An event without a payload of its own.</summary>
public sealed record Ticked : Event;

/// <summary>A minimal aggregate for the repository's argument checks.</summary>
public sealed partial class Ticker : Aggregate
{
    public int Ticks { get; private set; }

    public void Tick() => Emit(new Ticked());

    private void Apply(Ticked e) => Ticks++;
}
