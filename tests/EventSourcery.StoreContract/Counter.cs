namespace EventSourcery.StoreContract;

/// <summary>A counter was moved by some amount.</summary>
public sealed record CounterMoved(int By, string Note) : Event;

/// <summary>A counter was set back to zero.</summary>
public sealed record CounterReset : Event;

/// <summary>Everything a <see cref="Counter"/> knows, for its snapshots.</summary>
public sealed record CounterSnapshot(int Value, long Moves, List<string> Notes);

/// <summary>The snapshot tests' aggregate: a counter whose state depends on the order of every event.</summary>
public sealed partial class Counter : Aggregate, ISnapshotable<CounterSnapshot>
{
    private readonly List<string> _notes = [];

    /// <summary>The current value.</summary>
    public int Value { get; private set; }

    /// <summary>How many moves were applied since creation (resets included).</summary>
    public long Moves { get; private set; }

    /// <summary>The notes of the moves since the last reset, in order.</summary>
    public IReadOnlyList<string> Notes => _notes;

    /// <summary>Moves the counter.</summary>
    public void Move(int by) => Emit(new CounterMoved(by, $"{by}@{Value}"));

    /// <summary>Sets the counter back to zero.</summary>
    public void Reset() => Emit(new CounterReset());

    /// <inheritdoc />
    public CounterSnapshot TakeSnapshot() => new(Value, Moves, [.. _notes]);

    /// <inheritdoc />
    public void RestoreSnapshot(CounterSnapshot snapshot)
    {
        Value = snapshot.Value;
        Moves = snapshot.Moves;
        _notes.AddRange(snapshot.Notes);
    }

    /// <summary>The state as one comparable string.</summary>
    public string Describe() => $"{Id}@{Version}: value {Value}, moves {Moves}, notes [{string.Join(",", _notes)}]";

    private void Apply(CounterMoved e)
    {
        Value += e.By;
        Moves++;
        _notes.Add(e.Note);
    }

    private void Apply(CounterReset e)
    {
        Value = 0;
        Moves++;
        _notes.Clear();
    }
}
