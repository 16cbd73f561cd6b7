using EventSourcery;

namespace PackageConsumer;

public sealed record TurnOn : Event;
