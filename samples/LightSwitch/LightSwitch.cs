using EventSourcery;

namespace LightSwitchSample;

/// <summary>
/// The seed's light switch: a tiny aggregate that refuses to be turned on twice. It is partial, so the EventSourcery
/// generator writes the dispatch from each event to its Apply method and the factory the repository uses.
/// </summary>
public sealed partial class LightSwitch : Aggregate
{
    private bool _shines;

    /// <summary>Whether the light is on.</summary>
    public bool Shines => _shines;

    /// <summary>Turns the light on; refuses if it already shines.</summary>
    public void TurnOn(EventMetadata? metadata = null)
    {
        if (_shines)
        {
            throw new AlreadyTurnedOn();
        }

        Emit(new TurnedOn { Metadata = metadata ?? EventMetadata.Empty });
    }

    /// <summary>Turns the light off; refuses if it is already off.</summary>
    public void TurnOff(EventMetadata? metadata = null)
    {
        if (!_shines)
        {
            throw new AlreadyTurnedOff();
        }

        Emit(new TurnedOff { Metadata = metadata ?? EventMetadata.Empty });
    }

    private void Apply(TurnedOn e) => _shines = true;

    private void Apply(TurnedOff e) => _shines = false;

    /// <summary>The light was already on.</summary>
    public sealed class AlreadyTurnedOn() : Exception("The light is already on.");

    /// <summary>The light was already off.</summary>
    public sealed class AlreadyTurnedOff() : Exception("The light is already off.");
}
