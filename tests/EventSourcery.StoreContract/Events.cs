namespace EventSourcery.StoreContract;

/// <summary>The light was switched on.</summary>
public sealed record TurnedOn : Event;

/// <summary>The light was switched off.</summary>
public sealed record TurnedOff : Event;

/// <summary>An event with a payload: a string, a number and a timestamp that must survive a store exactly.</summary>
public sealed record NoteAdded(string Text, int Count, DateTimeOffset At) : Event;
