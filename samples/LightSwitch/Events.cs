using EventSourcery;

namespace LightSwitchSample;

/// <summary>The switch was turned on.</summary>
public sealed record TurnedOn : Event;

/// <summary>The switch was turned off.</summary>
public sealed record TurnedOff : Event;
