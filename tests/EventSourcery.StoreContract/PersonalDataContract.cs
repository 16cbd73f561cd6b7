using System.Text;
using EventSourcery.PersonalData;

namespace EventSourcery.StoreContract;

/// <summary>
/// Personal data: every shape round-trips encrypted, shredding masks exactly one subject's marked values in every read
/// path, and the store refuses what it cannot protect. A store's test project derives a class from it.
/// </summary>
public abstract class PersonalDataContract
{
    /// <summary>A new, empty store for one test.</summary>
    protected abstract Task<IEventStore> CreateStoreAsync();

    internal static readonly DateTimeOffset Birthday = new(1980, 5, 17, 0, 0, 0, TimeSpan.FromHours(2));

    internal static CustomerRegistered Registered(Guid id, string email, string city = "Springfield")
        => new(id, email, new PostalAddress("742 Evergreen Terrace", city), 1980, ["+1 555 0100", "+1 555 0199"], Birthday, new() { ["loyalty"] = 12.5m }, "gold", [7, 42], Guid.Parse("5a0f1c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"), DayOfWeek.Friday);

    [SkippableFact]
    public async Task Every_shape_of_personal_data_reads_back_as_it_was_written()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New("customer");
        var customer = Guid.NewGuid();
        var written = Registered(customer, "ada@example.com");
        await store.AppendAsync(id, [written, new CustomerEmailChanged("c-1", "ada@example.org", "ada@example.com")], ExpectedVersion.NoStream);

        var events = (await Read.StreamAsync(store, id)).Select(e => e.Event).ToList();
        var read = Assert.IsType<CustomerRegistered>(events[0]);
        AssertSame(written, read);
        var changed = Assert.IsType<CustomerEmailChanged>(events[1]);
        Assert.Equal(("c-1", "ada@example.org", "ada@example.com"), (changed.CustomerKey, changed.Email, changed.PreviousEmail));
        AssertSame(written, Assert.IsType<CustomerRegistered>((await Read.AllAsync(store)).First().Event));
    }

    [SkippableFact]
    public async Task Shredding_masks_exactly_that_subjects_marked_values_in_every_read_path()
    {
        var store = await CreateStoreAsync();
        var acme = store.ForTenant("acme");
        var (ada, grace) = (Guid.NewGuid(), Guid.NewGuid());
        var (adaStream, graceStream) = (StreamId.New("customer"), StreamId.New("customer"));
        await store.PublishAsync(adaStream, [Registered(ada, "ada@example.com")], ExpectedVersion.NoStream);
        await store.AppendAsync(graceStream, [Registered(grace, "grace@example.com")], ExpectedVersion.NoStream);
        await acme.AppendAsync(adaStream, [Registered(ada, "ada@acme.example")], ExpectedVersion.NoStream);
        var customers = new Repository<Customer>(store);
        Assert.Equal("ada@example.com", (await customers.LoadAsync(adaStream))!.Email); // cached before shredding

        Assert.True(await store.ShredAsync(ada));

        var masked = Assert.IsType<CustomerRegistered>(Assert.Single(await Read.StreamAsync(store, adaStream)).Event);
        AssertMasked(masked, ada);
        AssertMasked(Assert.IsType<CustomerRegistered>((await Read.AllAsync(store)).Single(e => e.StreamId == adaStream).Event), ada);
        var loaded = await customers.LoadAsync(adaStream);
        Assert.Equal("redacted@example.invalid", loaded!.Email);
        Assert.Null(loaded.City);
        if (store is IOutboxStore outbox)
        {
            var entry = Assert.Single(await outbox.ClaimOutboxAsync(new OutboxClaim("runner", 10, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1))));
            AssertMasked(Assert.IsType<CustomerRegistered>(entry.Event!.Event), ada);
        }

        // Another subject, and the same subject in another tenant, are untouched.
        Assert.Equal("grace@example.com", ((CustomerRegistered)Assert.Single(await Read.StreamAsync(store, graceStream)).Event).Email);
        AssertSame(Registered(ada, "ada@acme.example"), (CustomerRegistered)Assert.Single(await Read.StreamAsync(acme, adaStream)).Event);
    }

    [SkippableFact]
    public async Task A_projection_rebuilt_after_shredding_gives_the_masked_read_model_and_a_subscription_reads_the_masks()
    {
        var store = await CreateStoreAsync();
        var (ada, grace) = (Guid.NewGuid(), Guid.NewGuid());
        await store.AppendAsync(StreamId.New("customer"), [Registered(ada, "ada@example.com")], ExpectedVersion.NoStream);
        await store.AppendAsync(StreamId.New("customer"), [Registered(grace, "grace@example.com")], ExpectedVersion.NoStream);
        var directory = new EmailDirectory();
        var runner = new ProjectionRunner(store, directory);
        Assert.Equal(2, await runner.RunOnceAsync());
        Assert.Equal(["ada@example.com", "grace@example.com"], directory.Emails);

        await store.ShredAsync(ada);
        Assert.Equal(2, await runner.RebuildAsync());
        Assert.Equal(["redacted@example.invalid", "grace@example.com"], directory.Emails);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<string>();
        await foreach (var e in store.Subscribe().WithPollInterval(TimeSpan.FromMilliseconds(20)).ReadAsync(cts.Token))
        {
            seen.Add(((CustomerRegistered)e.Event).Email);
            if (seen.Count == 2)
            {
                break;
            }
        }

        Assert.Equal(["redacted@example.invalid", "grace@example.com"], seen);
    }

    [SkippableFact]
    public async Task Shredding_is_idempotent_and_refuses_new_data_until_the_key_is_renewed()
    {
        var store = await CreateStoreAsync();
        var ada = Guid.NewGuid();
        var id = StreamId.New("customer");
        await store.AppendAsync(id, [Registered(ada, "ada@example.com")], ExpectedVersion.NoStream);

        Assert.True(await store.ShredAsync(ada));
        Assert.False(await store.ShredAsync(ada));
        var refused = await Assert.ThrowsAsync<DataSubjectShreddedException>(async () => await store.AppendAsync(id, [Registered(ada, "ada@new.example")], ExpectedVersion.Exactly(1)));
        Assert.Equal(ada.ToString(), refused.Subject);
        Assert.Single(await Read.StreamAsync(store, id));

        await store.RenewSubjectKeyAsync(ada.ToString());
        await store.AppendAsync(id, [Registered(ada, "ada@new.example")], ExpectedVersion.Exactly(1));
        var events = (await Read.StreamAsync(store, id)).Select(e => (CustomerRegistered)e.Event).ToList();
        Assert.Equal(["redacted@example.invalid", "ada@new.example"], events.Select(e => e.Email));
    }

    [SkippableFact]
    public async Task An_event_with_personal_data_and_no_subject_is_refused_naming_the_event_and_property()
    {
        var store = await CreateStoreAsync();
        var id = StreamId.New("note");
        var none = await Assert.ThrowsAsync<DataSubjectMissingException>(async () => await store.AppendAsync(id, [new CustomerRegistered(Guid.NewGuid(), "a@example.com", null, 1, null, null, null, "x"), new AnonymousNoteTaken("secret")], ExpectedVersion.NoStream));
        Assert.Equal(("AnonymousNoteTaken", "Text", null), (none.EventName, none.Property, none.SubjectProperty));

        var nullSubject = await Assert.ThrowsAsync<DataSubjectMissingException>(async () => await store.AppendAsync(id, [new CustomerEmailChanged(null!, "a@example.com", "b@example.com")], ExpectedVersion.NoStream));
        Assert.Equal(("CustomerEmailChanged", "Email", "CustomerKey"), (nullSubject.EventName, nullSubject.Property, nullSubject.SubjectProperty));
        Assert.Empty(await Read.StreamAsync(store, id));
    }

    /// <summary>A read model of the customers' emails, in the order they registered.</summary>
    private sealed class EmailDirectory : IProjection, IResettableProjection
    {
        public List<string> Emails { get; } = [];

        public string Name => "email-directory";

        public ValueTask HandleAsync(RecordedEvent recorded, CancellationToken cancellationToken)
        {
            if (recorded.Event is CustomerRegistered registered)
            {
                Emails.Add(registered.Email);
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask ResetAsync(CancellationToken cancellationToken)
        {
            Emails.Clear();
            return ValueTask.CompletedTask;
        }
    }

    private static void AssertMasked(CustomerRegistered e, Guid subject)
    {
        Assert.Equal(subject, e.CustomerId);
        Assert.Equal("redacted@example.invalid", e.Email);
        Assert.Null(e.Home);
        Assert.Equal(-1, e.BirthYear);
        Assert.Null(e.Phones);
        Assert.Null(e.Birthday);
        Assert.Null(e.Scores);
        Assert.Null(e.LuckyNumbers);
        Assert.Null(e.ReferralCode);
        Assert.Null(e.PreferredDay);
        Assert.Equal("gold", e.Plan);
    }

    private static void AssertSame(CustomerRegistered expected, CustomerRegistered actual)
    {
        Assert.Equal(expected.CustomerId, actual.CustomerId);
        Assert.Equal(expected.Email, actual.Email);
        Assert.Equal(expected.Home, actual.Home);
        Assert.Equal(expected.BirthYear, actual.BirthYear);
        Assert.Equal(expected.Phones, actual.Phones);
        Assert.Equal(expected.Birthday, actual.Birthday);
        Assert.Equal(expected.Scores, actual.Scores);
        Assert.Equal(expected.Plan, actual.Plan);
        Assert.Equal(expected.LuckyNumbers, actual.LuckyNumbers);
        Assert.Equal((expected.ReferralCode, expected.PreferredDay), (actual.ReferralCode, actual.PreferredDay));
    }

    internal static bool Contains(byte[] haystack, string text) => haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;
}

/// <summary>
/// The personal data contract for a store that keeps its events outside the process (a file, a server's tables): no
/// marked value is found in what it keeps.
/// </summary>
public abstract class PersonalDataAtRestContract : PersonalDataContract
{
    /// <summary>Every byte the store keeps of its events and keys (its files, its tables' rows).</summary>
    protected abstract Task<byte[]> ReadStoredBytesAsync(IEventStore store);

    [SkippableFact]
    public async Task No_marked_value_is_stored_in_plain_text()
    {
        var store = await CreateStoreAsync();
        await store.AppendAsync(StreamId.New("customer"), [Registered(Guid.NewGuid(), "grace.hopper@example.com", "Arlington-Unique-City")], ExpectedVersion.NoStream);
        var bytes = await ReadStoredBytesAsync(store);

        Assert.True(Contains(bytes, "gold"), "the plain property is stored as it is (the check can find text)");
        Assert.False(Contains(bytes, "grace.hopper@example.com"), "the email is stored in plain text");
        Assert.False(Contains(bytes, "Arlington-Unique-City"), "the address is stored in plain text");
        Assert.False(Contains(bytes, "555 0199"), "a phone number is stored in plain text");
    }
}
