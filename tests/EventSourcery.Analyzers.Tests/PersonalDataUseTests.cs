using Verify = EventSourcery.Analyzers.Tests.Verifiers.AnalyzerVerifier<EventSourcery.Analyzers.PersonalDataAnalyzer>;

namespace EventSourcery.Analyzers.Tests;

/// <summary>ES0020 (personal data in plain text), ES0021 (a mask of the property's type), ES0022 (only on events).</summary>
public class PersonalDataUseTests
{
    private const string Customer = """
        using System;
        using EventSourcery;
        using EventSourcery.PersonalData;

        public sealed record CustomerRegistered([DataSubject] Guid CustomerId, [PersonalData("***")] string Email, [PersonalData] Guid Passport) : Event
        {
            [PersonalData] public string Nickname { get; init; } = "";
            public string Plan { get; init; } = "";
        }

        """;

    [Fact]
    public Task ReportsASubjectThatIsAlsoPersonalData() => Verify.VerifyAsync("""
        using System;
        using EventSourcery;
        using EventSourcery.PersonalData;

        public sealed record A([DataSubject, {|#0:PersonalData|}] string Email) : Event;
        public sealed record B([property: DataSubject] [{|#1:PersonalData("***")|}] string Email) : Event;
        public sealed record C([DataSubject] [property: {|#2:PersonalData|}] string Email) : Event;
        public sealed record D : Event
        {
            [DataSubject, {|#3:PersonalData|}] public Guid CustomerId { get; init; }
        }
        """,
        Verify.Diagnostic("ES0020").WithLocation(0).WithArguments("Email", "also the event's [DataSubject]"),
        Verify.Diagnostic("ES0020").WithLocation(1).WithArguments("Email", "also the event's [DataSubject]"),
        Verify.Diagnostic("ES0020").WithLocation(2).WithArguments("Email", "also the event's [DataSubject]"),
        Verify.Diagnostic("ES0020").WithLocation(3).WithArguments("CustomerId", "also the event's [DataSubject]"));

    [Fact]
    public Task ReportsPersonalDataReadIntoStreamNamesStreamIdsAndTenantIds() => Verify.VerifyAsync(Customer + """
        public static class Uses
        {
            public static StreamId ByEmail(CustomerRegistered e) => StreamId.FromName($"customer-{{|#0:e.Email|}}");
            public static StreamId ByNickname(CustomerRegistered e) => StreamId.FromName("customer", category: {|#1:e.Nickname|}.ToLowerInvariant());
            public static StreamId ByPassport(CustomerRegistered e) => new StreamId({|#2:e.Passport|});
            public static StreamId TargetTyped(CustomerRegistered e) => new({|#3:e.Passport|}, "customer");
            public static IEventStore Tenant(IEventStore store, CustomerRegistered e) => store.ForTenant({|#4:e.Email|});
            public static IEventStore InMemory(InMemoryEventStore store, CustomerRegistered e) => store.ForTenant("t-" + {|#5:e.Nickname|});
        }
        """,
        Verify.Diagnostic("ES0020").WithLocation(0).WithArguments("Email", "read into a stream name (StreamId.FromName)"),
        Verify.Diagnostic("ES0020").WithLocation(1).WithArguments("Nickname", "read into a stream name (StreamId.FromName)"),
        Verify.Diagnostic("ES0020").WithLocation(2).WithArguments("Passport", "read into a stream id (new StreamId)"),
        Verify.Diagnostic("ES0020").WithLocation(3).WithArguments("Passport", "read into a stream id (new StreamId)"),
        Verify.Diagnostic("ES0020").WithLocation(4).WithArguments("Email", "read into a tenant id (IEventStore.ForTenant)"),
        Verify.Diagnostic("ES0020").WithLocation(5).WithArguments("Nickname", "read into a tenant id (IEventStore.ForTenant)"));

    [Fact]
    public Task AcceptsTheSubjectAndOtherPropertiesInStreamNamesAndPersonalDataElsewhere() => Verify.VerifyAsync(Customer + """
        public static class Uses
        {
            public static StreamId ById(CustomerRegistered e) => new StreamId(e.CustomerId, "customer");
            public static StreamId ByName(CustomerRegistered e) => StreamId.FromName($"customer-{e.CustomerId}", e.Plan);
            public static IEventStore Tenant(IEventStore store, CustomerRegistered e) => store.ForTenant(e.Plan);
            public static string Greeting(CustomerRegistered e) => "Hello " + e.Email + e.Nickname;
            public static StreamId FromName(string name) => StreamId.FromName(name);
            public static StreamId Shadow(CustomerRegistered e) => FromName(e.Email);
        }
        """);

    [Fact]
    public Task ReportsMasksOfTheWrongType() => Verify.VerifyAsync("""
        using System;
        using EventSourcery;
        using EventSourcery.PersonalData;

        public enum Tier { Free, Paid }
        public enum Colour { Red }

        public sealed record CustomerRegistered(
            [DataSubject] Guid CustomerId,
            [PersonalData({|#0:0|})] string Email,
            [PersonalData({|#1:"***"|})] int Age,
            [property: PersonalData({|#2:300|})] byte Shoe,
            [PersonalData({|#3:null|})] int Height,
            [PersonalData({|#4:1.5|})] long Weight,
            [PersonalData({|#5:Colour.Red|})] Tier Tier,
            [PersonalData({|#6:"yes"|})] bool Married,
            [PersonalData({|#7:1|})] bool Verified,
            [PersonalData({|#8:"2000-01-01"|})] DateTime Born,
            [PersonalData({|#9:'x'|})] string Initial,
            [PersonalData({|#10:1e300|})] float Score) : Event
        {
            [PersonalData({|#11:-1|})] public uint Visits { get; init; }
        }
        """,
        Verify.Diagnostic("ES0021").WithLocation(0).WithArguments("Email", "string", "0 is not a string; give a string mask such as \"***\""),
        Verify.Diagnostic("ES0021").WithLocation(1).WithArguments("Age", "int", "\"***\" is a string, which a 'int' cannot hold"),
        Verify.Diagnostic("ES0021").WithLocation(2).WithArguments("Shoe", "byte", "300 does not fit in 'byte'"),
        Verify.Diagnostic("ES0021").WithLocation(3).WithArguments("Height", "int", "null is not a value of a non-nullable value type; leave the mask out to read back its default, or make the property nullable"),
        Verify.Diagnostic("ES0021").WithLocation(4).WithArguments("Weight", "long", "1.5 (double) cannot be converted to 'long'"),
        Verify.Diagnostic("ES0021").WithLocation(5).WithArguments("Tier", "Tier", "Colour.Red is a constant of another enum"),
        Verify.Diagnostic("ES0021").WithLocation(6).WithArguments("Married", "bool", "\"yes\" is a string, which a 'bool' cannot hold"),
        Verify.Diagnostic("ES0021").WithLocation(7).WithArguments("Verified", "bool", "1 is not true or false"),
        Verify.Diagnostic("ES0021").WithLocation(8).WithArguments("Born", "DateTime", "\"2000-01-01\" is a string, which a 'DateTime' cannot hold"),
        Verify.Diagnostic("ES0021").WithLocation(9).WithArguments("Initial", "string", "'x' is not a string; give a string mask such as \"***\""),
        Verify.Diagnostic("ES0021").WithLocation(10).WithArguments("Score", "float", "1E+300 does not fit in 'float'"),
        Verify.Diagnostic("ES0021").WithLocation(11).WithArguments("Visits", "uint", "-1 does not fit in 'uint'"));

    [Fact]
    public Task AcceptsMasksOfThePropertysType() => Verify.VerifyAsync("""
        using System;
        using System.Collections.Generic;
        using EventSourcery;
        using EventSourcery.PersonalData;

        public enum Tier : byte { Free, Paid }

        public sealed record Address(string Street);

        public sealed record CustomerRegistered(
            [DataSubject] Guid CustomerId,
            [PersonalData("***")] string Email,
            [PersonalData(null)] string? Phone,
            [PersonalData(0)] int Age,
            [property: PersonalData(255)] byte Shoe,
            [PersonalData(null)] int? Height,
            [PersonalData(1)] double Weight,
            [PersonalData(1.5)] double Length,
            [PersonalData(0)] decimal Income,
            [PersonalData(Tier.Free)] Tier Tier,
            [PersonalData(1)] Tier? Previous,
            [PersonalData(false)] bool Married,
            [PersonalData('x')] char Initial,
            [PersonalData] DateTime Born,
            [PersonalData(null)] Address? Home,
            [PersonalData] List<string> Aliases,
            [PersonalData(new[] { "x" })] string[] Tags) : Event
        {
            [PersonalData(0L)] public long Visits { get; init; }
        }
        """);

    [Fact]
    public Task ReportsTheAttributesOnATypeThatIsNotAnEvent() => Verify.VerifyAsync("""
        using System;
        using EventSourcery;
        using EventSourcery.PersonalData;

        public sealed record Address([{|#0:PersonalData|}] string Street, [property: {|#1:PersonalData("***")|}] string City);

        public sealed class Contact
        {
            [{|#2:DataSubject|}] public Guid PersonId { get; init; }
            [{|#3:PersonalData|}] public string Phone { get; init; } = "";
        }

        public struct Point
        {
            [{|#4:PersonalData|}] public double X { get; init; }
        }

        public sealed record CustomerMoved([DataSubject] Guid CustomerId, [PersonalData] Address To) : Event;
        """,
        Verify.Diagnostic("ES0022").WithLocation(0).WithArguments("PersonalData", "Street", "Address"),
        Verify.Diagnostic("ES0022").WithLocation(1).WithArguments("PersonalData", "City", "Address"),
        Verify.Diagnostic("ES0022").WithLocation(2).WithArguments("DataSubject", "PersonId", "Contact"),
        Verify.Diagnostic("ES0022").WithLocation(3).WithArguments("PersonalData", "Phone", "Contact"),
        Verify.Diagnostic("ES0022").WithLocation(4).WithArguments("PersonalData", "X", "Point"));

    [Fact]
    public Task AcceptsTheAttributesOnEventsAndTheirAbstractBases() => Verify.VerifyAsync("""
        using System;
        using EventSourcery;
        using EventSourcery.PersonalData;

        public sealed record Address(string Street);

        public abstract record CustomerEvent([property: DataSubject] Guid CustomerId) : Event
        {
            [PersonalData] public string? Email { get; init; }
        }

        public sealed record CustomerMoved(Guid CustomerId, [PersonalData] Address To) : CustomerEvent(CustomerId);
        """);

    [Fact]
    public Task ReportsNothingWithoutThePersonalDataAttributes() => Verify.VerifyAsync("""
        using System;
        using EventSourcery;

        public sealed class PersonalDataAttribute : Attribute { }

        public sealed record Address([PersonalData] string Street);

        public sealed record CustomerRegistered([PersonalData] string Email) : Event;
        """);
}
