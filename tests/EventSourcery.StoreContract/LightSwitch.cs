namespace EventSourcery.StoreContract;

/// <summary>The aggregate of the repository tests: a light that can be turned on and off and carry notes.</summary>
public sealed partial class LightSwitch : Aggregate
{
    private readonly List<string> _notes = [];

    /// <summary>Whether the light shines.</summary>
    public bool IsOn { get; private set; }

    /// <summary>The notes added so far, in order.</summary>
    public IReadOnlyList<string> Notes => _notes;

    /// <summary>Turns the light on.</summary>
    /// <exception cref="AlreadyTurnedOn">It already shines.</exception>
    public void TurnOn()
    {
        if (IsOn)
        {
            throw new AlreadyTurnedOn();
        }

        Emit(new TurnedOn());
    }

    /// <summary>Turns the light off.</summary>
    /// <exception cref="AlreadyTurnedOff">It is already off.</exception>
    public void TurnOff()
    {
        if (!IsOn)
        {
            throw new AlreadyTurnedOff();
        }

        Emit(new TurnedOff());
    }

    /// <summary>Adds a note.</summary>
    public void AddNote(string text) => Emit(new NoteAdded(text, _notes.Count + 1, DateTimeOffset.UtcNow));

    private void Apply(TurnedOn e) => IsOn = true;

    private void Apply(TurnedOff e) => IsOn = false;

    private void Apply(NoteAdded e) => _notes.Add(e.Text);

    /// <summary>A domain rule: the light is already on.</summary>
    public sealed class AlreadyTurnedOn : Exception
    {
        /// <summary>Creates the exception.</summary>
        public AlreadyTurnedOn()
            : base("The light is already on.")
        {
        }
    }

    /// <summary>A domain rule: the light is already off.</summary>
    public sealed class AlreadyTurnedOff : Exception
    {
        /// <summary>Creates the exception.</summary>
        public AlreadyTurnedOff()
            : base("The light is already off.")
        {
        }
    }
}
