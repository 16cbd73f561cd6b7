using EventSourcery.PersonalData;

namespace EventSourcery.StoreContract;

/// <summary>A customer's address, encrypted whole as one personal data value.</summary>
public sealed record PostalAddress(string Street, string City);

/// <summary>A customer registered: personal data of every shape, and one plain property.</summary>
public sealed record CustomerRegistered(
    [DataSubject] Guid CustomerId,
    [PersonalData("redacted@example.invalid")] string Email,
    [PersonalData] PostalAddress? Home,
    [PersonalData(-1)] int BirthYear,
    [PersonalData] List<string>? Phones,
    [PersonalData] DateTimeOffset? Birthday,
    [PersonalData] Dictionary<string, decimal>? Scores,
    string Plan,
    [PersonalData] int[]? LuckyNumbers = null,
    [PersonalData] Guid? ReferralCode = null,
    [PersonalData] DayOfWeek? PreferredDay = null) : Event;

/// <summary>A customer changed their email: the subject is a string id here.</summary>
public sealed record CustomerEmailChanged([DataSubject] string CustomerKey, [PersonalData("redacted@example.invalid")] string Email, [PersonalData("?")] string PreviousEmail) : Event;

#pragma warning disable ES0017 // on purpose: the store must refuse it at run time too
/// <summary>Personal data with no subject: refused at append.</summary>
public sealed record AnonymousNoteTaken([PersonalData] string Text) : Event;
#pragma warning restore ES0017

/// <summary>What a customer's stream rebuilds: the repository read path of personal data.</summary>
public sealed partial class Customer : Aggregate
{
    /// <summary>The customer's email as the events say.</summary>
    public string Email { get; private set; } = string.Empty;

    /// <summary>The customer's city, or null.</summary>
    public string? City { get; private set; }

    /// <summary>Registers the customer.</summary>
    public void Register(Guid id, string email, string city) => Emit(new CustomerRegistered(id, email, new PostalAddress("1 Main St", city), 1980, ["+1 555 0100"], null, null, "gold"));

    private void Apply(CustomerRegistered e)
    {
        Email = e.Email;
        City = e.Home?.City;
    }

    private void Apply(CustomerEmailChanged e) => Email = e.Email;
}
