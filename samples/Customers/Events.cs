using EventSourcery;
using EventSourcery.PersonalData;

namespace CustomersSample;

/// <summary>A customer signed up: their email is personal data, their plan is not.</summary>
public sealed record CustomerSignedUp([DataSubject] Guid CustomerId, [PersonalData("(erased)")] string Email, string Plan) : Event;

/// <summary>A customer moved to another plan, and gave a phone number for it.</summary>
public sealed record PlanChanged([DataSubject] Guid CustomerId, string Plan, [PersonalData("(erased)")] string? Phone) : Event;
