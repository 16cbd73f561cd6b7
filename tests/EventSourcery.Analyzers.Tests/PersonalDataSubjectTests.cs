using Verify = EventSourcery.Analyzers.Tests.Verifiers.AnalyzerVerifier<EventSourcery.Analyzers.PersonalDataAnalyzer>;

namespace EventSourcery.Analyzers.Tests;

/// <summary>ES0017 (a subject for personal data), ES0018 (one subject), ES0019 (a subject's id type).</summary>
public class PersonalDataSubjectTests
{
    [Fact]
    public Task ReportsPersonalDataWithoutASubjectOnTheFirstPersonalProperty() => Verify.VerifyAsync("""
        using System;
        using EventSourcery;
        using EventSourcery.PersonalData;

        public sealed record CustomerRegistered(Guid CustomerId, [PersonalData("***")] string {|#0:Email|}, [PersonalData] string Name) : Event;

        public sealed record CustomerRenamed : Event
        {
            [PersonalData] public string {|#1:Name|} { get; init; } = "";
        }

        public sealed record CustomerMoved([property: PersonalData] string {|#2:Street|}) : Event;
        """,
        Verify.Diagnostic("ES0017").WithLocation(0).WithArguments("CustomerRegistered", "Email"),
        Verify.Diagnostic("ES0017").WithLocation(1).WithArguments("CustomerRenamed", "Name"),
        Verify.Diagnostic("ES0017").WithLocation(2).WithArguments("CustomerMoved", "Street"));

    [Fact]
    public Task ReportsAnInheritedPersonalPropertyOnTheConcreteEventOnly() => Verify.VerifyAsync("""
        using EventSourcery;
        using EventSourcery.PersonalData;

        public abstract record CustomerEvent([PersonalData] string Email) : Event;

        public sealed record {|#0:CustomerVerified|}(string Email) : CustomerEvent(Email);
        """,
        Verify.Diagnostic("ES0017").WithLocation(0).WithArguments("CustomerVerified", "Email"));

    [Fact]
    public Task AcceptsEveryFormOfSubject() => Verify.VerifyAsync("""
        using System;
        using EventSourcery;
        using EventSourcery.PersonalData;

        public sealed record CustomerRegistered([DataSubject] Guid CustomerId, [PersonalData("***")] string Email) : Event;

        public sealed record CustomerRenamed([property: DataSubject] string CustomerId, [property: PersonalData] string Name) : Event;

        public sealed record CustomerMoved : Event
        {
            [DataSubject] public long CustomerNumber { get; init; }
            [PersonalData] public string Street { get; init; } = "";
        }

        public abstract record CustomerEvent([property: DataSubject] Guid CustomerId) : Event;

        public sealed record CustomerVerified(Guid CustomerId, [PersonalData] string Email) : CustomerEvent(CustomerId);

        public sealed record OrderPlaced(Guid OrderId, decimal Total) : Event;
        """);

    [Fact]
    public Task ReportsEverySubjectAfterTheFirst() => Verify.VerifyAsync("""
        using System;
        using EventSourcery;
        using EventSourcery.PersonalData;

        public sealed record OrderPlaced([DataSubject] Guid CustomerId, [property: DataSubject] Guid {|#0:SellerId|}, [DataSubject] string {|#1:Referrer|}) : Event;

        public sealed record OrderShipped : Event
        {
            [DataSubject] public Guid CustomerId { get; init; }
            [DataSubject] public Guid {|#2:CourierId|} { get; init; }
        }

        public abstract record CustomerEvent([property: DataSubject] Guid CustomerId) : Event;

        public sealed record CustomerReferred(Guid CustomerId, [DataSubject] Guid {|#3:ReferrerId|}) : CustomerEvent(CustomerId);
        """,
        Verify.Diagnostic("ES0018").WithLocation(0).WithArguments("SellerId", "OrderPlaced", "CustomerId"),
        Verify.Diagnostic("ES0018").WithLocation(1).WithArguments("Referrer", "OrderPlaced", "CustomerId"),
        Verify.Diagnostic("ES0018").WithLocation(2).WithArguments("CourierId", "OrderShipped", "CustomerId"),
        Verify.Diagnostic("ES0018").WithLocation(3).WithArguments("ReferrerId", "CustomerReferred", "CustomerId"));

    [Fact]
    public Task ReportsASecondSubjectOfABaseOnceOnTheBase() => Verify.VerifyAsync("""
        using System;
        using EventSourcery;
        using EventSourcery.PersonalData;

        public abstract record PartyEvent([property: DataSubject] Guid BuyerId, [property: DataSubject] Guid {|#0:SellerId|}) : Event;

        public sealed record DealClosed(Guid BuyerId, Guid SellerId) : PartyEvent(BuyerId, SellerId);

        public sealed record DealOpened(Guid BuyerId, Guid SellerId) : PartyEvent(BuyerId, SellerId);
        """,
        Verify.Diagnostic("ES0018").WithLocation(0).WithArguments("SellerId", "PartyEvent", "BuyerId"));

    [Fact]
    public Task LeavesOutEventsTheGeneratorDoesNotRegister() => Verify.VerifyAsync("""
        using EventSourcery;
        using EventSourcery.PersonalData;

        public sealed record Wrapped<T>([PersonalData] string Email, T Value) : Event;

        public static class Holder
        {
            private sealed record Hidden([PersonalData] string Email) : Event;
        }
        """);

    [Fact]
    public Task ReportsASubjectOfATypeThatIsNotAnId() => Verify.VerifyAsync("""
        using System;
        using System.Collections.Generic;
        using EventSourcery;
        using EventSourcery.PersonalData;

        public enum Kind { Person, Company }

        public sealed record A([DataSubject] double {|#0:SubjectId|}) : Event;
        public sealed record B([DataSubject] bool {|#1:SubjectId|}) : Event;
        public sealed record C([DataSubject] DateTimeOffset {|#2:SubjectId|}) : Event;
        public sealed record D([DataSubject] Kind {|#3:SubjectId|}) : Event;
        public sealed record E([DataSubject] List<string> {|#4:SubjectId|}) : Event;
        public sealed record F([DataSubject] Guid[] {|#5:SubjectId|}) : Event;
        public sealed record G([DataSubject] Dictionary<string, Guid> {|#6:SubjectId|}) : Event;
        public sealed record H([DataSubject] object {|#7:SubjectId|}) : Event;
        public sealed record I : Event
        {
            [DataSubject] public decimal? {|#8:SubjectId|} { get; init; }
        }
        """,
        Verify.Diagnostic("ES0019").WithLocation(0).WithArguments("SubjectId", "A", "double"),
        Verify.Diagnostic("ES0019").WithLocation(1).WithArguments("SubjectId", "B", "bool"),
        Verify.Diagnostic("ES0019").WithLocation(2).WithArguments("SubjectId", "C", "DateTimeOffset"),
        Verify.Diagnostic("ES0019").WithLocation(3).WithArguments("SubjectId", "D", "Kind"),
        Verify.Diagnostic("ES0019").WithLocation(4).WithArguments("SubjectId", "E", "List<string>"),
        Verify.Diagnostic("ES0019").WithLocation(5).WithArguments("SubjectId", "F", "Guid[]"),
        Verify.Diagnostic("ES0019").WithLocation(6).WithArguments("SubjectId", "G", "Dictionary<string, Guid>"),
        Verify.Diagnostic("ES0019").WithLocation(7).WithArguments("SubjectId", "H", "object"),
        Verify.Diagnostic("ES0019").WithLocation(8).WithArguments("SubjectId", "I", "decimal?"));

    [Fact]
    public Task AcceptsStringsGuidsIntegersAndStronglyTypedIds() => Verify.VerifyAsync("""
        using System;
        using System.Collections.Generic;
        using EventSourcery;
        using EventSourcery.PersonalData;

        public sealed record CustomerId(Guid Value);
        public readonly record struct MemberNumber(long Value);
        public sealed class Tags : List<string> { }

        public sealed record A([DataSubject] string SubjectId) : Event;
        public sealed record B([DataSubject] Guid SubjectId) : Event;
        public sealed record C([DataSubject] int SubjectId) : Event;
        public sealed record D([DataSubject] long SubjectId) : Event;
        public sealed record E([DataSubject] Guid? SubjectId) : Event;
        public sealed record F([DataSubject] long? SubjectId) : Event;
        public sealed record G([DataSubject] CustomerId SubjectId) : Event;
        public sealed record H([DataSubject] MemberNumber? SubjectId) : Event;
        public sealed record I : Event
        {
            [DataSubject] public CustomerId SubjectId { get; init; } = new(Guid.Empty);
        }
        """);

    [Fact]
    public Task ReportsAUserCollectionAsASubject() => Verify.VerifyAsync("""
        using System.Collections.Generic;
        using EventSourcery;
        using EventSourcery.PersonalData;

        public sealed class Tags : List<string> { }

        public sealed record A([DataSubject] Tags {|#0:SubjectId|}) : Event;
        """,
        Verify.Diagnostic("ES0019").WithLocation(0).WithArguments("SubjectId", "A", "Tags"));
}
