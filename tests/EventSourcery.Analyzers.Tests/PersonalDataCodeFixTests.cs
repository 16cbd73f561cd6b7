using VerifyMask = EventSourcery.Analyzers.Tests.Verifiers.CodeFixVerifier<
    EventSourcery.Analyzers.PersonalDataAnalyzer,
    EventSourcery.CodeFixes.RemoveMaskCodeFixProvider>;
using VerifyPlainText = EventSourcery.Analyzers.Tests.Verifiers.CodeFixVerifier<
    EventSourcery.Analyzers.PersonalDataAnalyzer,
    EventSourcery.CodeFixes.RemovePersonalDataCodeFixProvider>;
using VerifySubject = EventSourcery.Analyzers.Tests.Verifiers.CodeFixVerifier<
    EventSourcery.Analyzers.PersonalDataAnalyzer,
    EventSourcery.CodeFixes.MarkDataSubjectCodeFixProvider>;

namespace EventSourcery.Analyzers.Tests;

/// <summary>The personal-data code fixes: mark the subject (ES0017), unmark a subject's personal data (ES0020), remove a mask (ES0021).</summary>
public class PersonalDataCodeFixTests
{
    [Fact]
    public Task FixMarksTheOneIdLikePropertyOfAPositionalRecord() => VerifySubject.VerifyAsync("""
        using System;
        using EventSourcery;
        using EventSourcery.PersonalData;

        public sealed record CustomerRegistered(Guid CustomerId, [PersonalData("***")] string {|ES0017:Email|}) : Event;
        """, """
        using System;
        using EventSourcery;
        using EventSourcery.PersonalData;

        public sealed record CustomerRegistered([property: DataSubject] Guid CustomerId, [PersonalData("***")] string Email) : Event;
        """);

    [Fact]
    public Task FixMarksAPropertyDeclarationAndAddsTheUsing() => VerifySubject.VerifyAsync("""
        using EventSourcery;

        public sealed record CustomerRenamed : Event
        {
            public string CustomerId { get; init; } = "";

            [EventSourcery.PersonalData.PersonalData]
            public string {|ES0017:Name|} { get; init; } = "";
        }
        """, """
        using EventSourcery;
        using EventSourcery.PersonalData;

        public sealed record CustomerRenamed : Event
        {
            [DataSubject]
            public string CustomerId { get; init; } = "";

            [EventSourcery.PersonalData.PersonalData]
            public string Name { get; init; } = "";
        }
        """);

    [Fact]
    public async Task FixIsNotOfferedWithoutExactlyOneCleanCandidate()
    {
        // Two ids (whose data is it?), an id that is itself personal data, an id of another type, a correlation id.
        const string source = """
            using System;
            using EventSourcery;
            using EventSourcery.PersonalData;

            public sealed record OrderPlaced(Guid OrderId, Guid CustomerId, [PersonalData] string {|ES0017:Email|}) : Event;

            public sealed record CustomerRegistered([PersonalData] string {|ES0017:EmailId|}, decimal CustomerId, Guid CorrelationId) : Event;
            """;
        await VerifySubject.VerifyAsync(source, source);
    }

    [Fact]
    public Task FixAddsTheUsingToAFileWithoutUsings() => VerifySubject.VerifyAsync("""
        public sealed record CustomerRenamed(string CustomerId, [EventSourcery.PersonalData.PersonalData] string {|ES0017:Name|}) : EventSourcery.Event;
        """, """
        using EventSourcery.PersonalData;

        public sealed record CustomerRenamed([property: DataSubject] string CustomerId, [EventSourcery.PersonalData.PersonalData] string Name) : EventSourcery.Event;
        """);

    [Fact]
    public Task FixRemovesPersonalDataFromTheSubject() => VerifyPlainText.VerifyAsync("""
        using System;
        using EventSourcery;
        using EventSourcery.PersonalData;

        public sealed record CustomerRegistered([DataSubject, {|ES0020:PersonalData|}] string Email, [PersonalData] string Name) : Event;

        public sealed record CustomerRenamed([property: DataSubject] [{|ES0020:PersonalData("***")|}] string CustomerId) : Event;

        public sealed record CustomerMoved : Event
        {
            [DataSubject]
            [{|ES0020:PersonalData|}]
            public Guid CustomerId { get; init; }
        }
        """, """
        using System;
        using EventSourcery;
        using EventSourcery.PersonalData;

        public sealed record CustomerRegistered([DataSubject] string Email, [PersonalData] string Name) : Event;

        public sealed record CustomerRenamed([property: DataSubject] string CustomerId) : Event;

        public sealed record CustomerMoved : Event
        {
            [DataSubject]
            public Guid CustomerId { get; init; }
        }
        """);

    [Fact]
    public async Task NoFixForPersonalDataReadIntoAStreamName()
    {
        const string source = """
            using System;
            using EventSourcery;
            using EventSourcery.PersonalData;

            public sealed record CustomerRegistered([DataSubject] Guid CustomerId, [PersonalData] string Email) : Event;

            public static class Streams
            {
                public static StreamId Of(CustomerRegistered e) => StreamId.FromName({|ES0020:e.Email|});
            }
            """;
        await VerifyPlainText.VerifyAsync(source, source);
    }

    [Fact]
    public Task FixRemovesAMaskOfTheWrongType() => VerifyMask.VerifyAsync("""
        using System;
        using EventSourcery;
        using EventSourcery.PersonalData;

        public sealed record CustomerRegistered(
            [DataSubject] Guid CustomerId,
            [PersonalData({|ES0021:0|})] string Email,
            [property: PersonalData({|ES0021:"***"|})] int Age) : Event
        {
            [PersonalData({|ES0021:null|})] public DateTime Born { get; init; }
        }
        """, """
        using System;
        using EventSourcery;
        using EventSourcery.PersonalData;

        public sealed record CustomerRegistered(
            [DataSubject] Guid CustomerId,
            [PersonalData] string Email,
            [property: PersonalData] int Age) : Event
        {
            [PersonalData] public DateTime Born { get; init; }
        }
        """);
}
