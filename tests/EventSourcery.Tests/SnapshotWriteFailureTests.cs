namespace EventSourcery.Tests;

/// <summary>Text was noted.</summary>
public sealed record TextNoted(string Text) : Event;

/// <summary>The state of a <see cref="FirstLetter"/>.</summary>
public sealed record FirstLetterSnapshot(string First);

/// <summary>Keeps the first UTF-16 unit of the last noted text: of an emoji, half a surrogate pair.</summary>
public sealed partial class FirstLetter : Aggregate, ISnapshotable<FirstLetterSnapshot>
{
    /// <summary>The first UTF-16 unit of the last text.</summary>
    public string First { get; private set; } = "";

    /// <summary>Notes a text.</summary>
    public void Note(string text) => Emit(new TextNoted(text));

    /// <inheritdoc />
    public FirstLetterSnapshot TakeSnapshot() => new(First);

    /// <inheritdoc />
    public void RestoreSnapshot(FirstLetterSnapshot snapshot) => First = snapshot.First;

    private void Apply(TextNoted e) => First = e.Text[..1];
}

public sealed class SnapshotWriteFailureTests
{
    [Fact]
    public async Task A_snapshot_whose_state_cannot_be_written_is_skipped_and_the_committed_save_still_succeeds()
    {
        var store = new InMemoryEventStore();
        var letters = new Repository<FirstLetter>(store, new RepositoryOptions { SnapshotEvery = 1 });
        var id = StreamId.New("letter");

        // The event is valid; the state it leaves ("\uD83D", half of the emoji) cannot be written as UTF-8 JSON.
        var created = await letters.NewAsync(id, a => a.Note("😀 smile"));

        Assert.Equal(1, created.Version);
        Assert.Null(await ((ISnapshotStore)store).LoadSnapshotAsync(id)); // skipped: only a shortcut was lost
        var loaded = await letters.LoadAsync(id);
        Assert.Equal("\uD83D", loaded!.First);

        await letters.UpdateAsync(id, a => a.Note("plain")); // a writable state is snapshotted as usual
        Assert.Equal(2, (await ((ISnapshotStore)store).LoadSnapshotAsync(id))!.Version);
    }
}
