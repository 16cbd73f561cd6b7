using System.ComponentModel;

namespace EventSourcery;

/// <summary>
/// Base of an event-sourced aggregate: state rebuilt by replaying its stream through <c>Apply</c> methods, and
/// commands that check invariants and <see cref="Emit"/> new events.
/// </summary>
/// <remarks>
/// Declare aggregates <c>partial</c>: the EventSourcery generator writes the dispatch from each event to its
/// <c>Apply(TEvent)</c> overload (a type switch, no reflection) and the factory the repository uses.
/// <code>
/// public sealed partial class LightSwitch : Aggregate
/// {
///     bool _shines;
///     void Apply(TurnedOn e) => _shines = true;
///     public void TurnOn() { if (_shines) throw new AlreadyTurnedOn(); Emit(new TurnedOn()); }
/// }
/// </code>
/// </remarks>
public abstract class Aggregate
{
    private List<Event>? _changes;

    /// <summary>The aggregate's stream; set by the repository when it creates or loads the aggregate.</summary>
    public StreamId Id { get; internal set; }

    /// <summary>The stream version the aggregate was loaded at or last saved at (0 for a new one); pending changes are not counted.</summary>
    public long Version { get; internal set; }

    /// <summary>Events emitted since the aggregate was loaded or last saved, in order.</summary>
    public IReadOnlyList<Event> Changes => _changes is null ? [] : _changes;

    /// <summary>Applies <paramref name="event"/> to the aggregate's state and records it as a change to save.</summary>
    /// <exception cref="UnhandledEventException">The aggregate has no <c>Apply</c> method for the event.</exception>
    protected void Emit(Event @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        Dispatch(@event);
        (_changes ??= []).Add(@event);
    }

    /// <summary>
    /// Calls the <c>Apply</c> overload matching <paramref name="event"/>. The generator overrides this in every
    /// partial aggregate; this base version runs only where that generated code is missing (an aggregate that is not
    /// partial, or a build in which the generator did not run) and throws.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected virtual void Dispatch(Event @event) => throw UnhandledEventException.NoDispatch(this, @event);

    /// <summary>Applies a stored event during load.</summary>
    internal void Replay(Event @event, long version)
    {
        Dispatch(@event);
        Version = version;
    }

    /// <summary>Marks the pending changes as saved at <paramref name="version"/>.</summary>
    internal void MarkSaved(long version)
    {
        Version = version;
        _changes?.Clear();
    }
}

/// <summary>
/// An aggregate whose events all derive from <typeparamref name="TEvent"/>: <see cref="Emit(TEvent)"/> accepts only that
/// family, and the analyzer checks that every concrete event of the family has an <c>Apply</c> method.
/// </summary>
/// <typeparam name="TEvent">The base record of the aggregate's events.</typeparam>
public abstract class Aggregate<TEvent> : Aggregate
    where TEvent : Event
{
    /// <summary>Applies <paramref name="event"/> and records it as a change to save.</summary>
    protected void Emit(TEvent @event) => base.Emit(@event);

    /// <summary>Not available: this aggregate emits only <typeparamref name="TEvent"/> events.</summary>
    [Obsolete("This aggregate emits only events of its own family (the type argument of Aggregate<TEvent>).", error: true)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected new void Emit(Event @event) => base.Emit(@event);
}

/// <summary>
/// Creates an empty aggregate without reflection. The generator implements it in every non-abstract partial aggregate
/// that has a parameterless constructor (of any accessibility).
/// </summary>
/// <typeparam name="TSelf">The aggregate type.</typeparam>
public interface IAggregateFactory<TSelf>
    where TSelf : Aggregate, IAggregateFactory<TSelf>
{
    /// <summary>Creates an aggregate with no state, ready to replay its stream.</summary>
    static abstract TSelf Create();
}
