using EventSourcery;

namespace PackageConsumer;

public sealed record DoorOpened : Event;

public sealed record DoorClosed : Event;

[EventName("door_locked")]
public sealed record DoorLocked(string By, DateTimeOffset At) : Event;

// Partial: the packaged generator writes the dispatch to the Apply methods and the factory the repository uses.
public sealed partial class Door : Aggregate
{
    public bool IsOpen { get; private set; }

    public string? LockedBy { get; private set; }

    public void Open() => Emit(new DoorOpened());

    public void Close() => Emit(new DoorClosed());

    public void Lock(string by) => Emit(new DoorLocked(by, new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.FromHours(2))));

    private void Apply(DoorOpened e) => IsOpen = true;

    private void Apply(DoorClosed e) => IsOpen = false;

    private void Apply(DoorLocked e) => LockedBy = e.By;
}
