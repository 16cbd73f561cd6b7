namespace EventSourcery.Generators.Tests;

/// <summary>The registry's line of an event with both older versions and personal data: the two optional arguments in order.</summary>
public sealed class RegistryShapeTests
{
    [Fact]
    public void An_event_with_older_versions_and_personal_data_is_registered_with_both()
    {
        var result = GeneratorHarness.Run("""
            using System;
            using System.Text.Json.Nodes;
            using EventSourcery;
            using EventSourcery.PersonalData;

            namespace Crm;

            [EventName("email_changed", Version = 2)]
            public sealed record EmailChanged([DataSubject] Guid CustomerId, [PersonalData("redacted")] string Email) : Event;

            public static class EmailUpcasts
            {
                [Upcaster(typeof(EmailChanged), 1)]
                public static JsonObject FromV1(JsonObject payload)
                {
                    payload["email"] = payload["mail"]?.DeepClone();
                    payload.Remove("mail");
                    return payload;
                }
            }
            """);

        result.AssertClean();
        var registry = result.Source("EventSourcery.EventTypes.g.cs");
        Assert.Contains("EventType.Create<global::Crm.EmailChanged>(\"email_changed\", 2, EventSourceryJson_TestAssembly.WriteEvent_Crm_EmailChanged, EventSourceryJson_TestAssembly.Read_Crm_EmailChanged, new global::EventSourcery.Serialization.EventVersion[]", registry, StringComparison.Ordinal);
        Assert.Contains("}, new global::EventSourcery.Serialization.PersonalDataShape(\"CustomerId\", \"customerId\", EventSourceryJson_TestAssembly.SubjectOf_Crm_EmailChanged, new[] { \"Email\" }, ", registry, StringComparison.Ordinal);
    }
}
