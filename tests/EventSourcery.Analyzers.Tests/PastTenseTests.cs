using EventSourcery.Analyzers.Naming;
using Verify = EventSourcery.Analyzers.Tests.Verifiers.AnalyzerVerifier<EventSourcery.Analyzers.EventAnalyzer>;
using VerifyFix = EventSourcery.Analyzers.Tests.Verifiers.CodeFixVerifier<
    EventSourcery.Analyzers.EventAnalyzer,
    EventSourcery.CodeFixes.RenameToPastTenseCodeFixProvider>;

namespace EventSourcery.Analyzers.Tests;

/// <summary>ES0003: event type names state a past fact.</summary>
public class PastTenseTests
{
    [Theory]
    [InlineData("TurnOn", "TurnedOn")]
    [InlineData("TurnOff", "TurnedOff")]
    [InlineData("CreateOrder", "OrderCreated")]
    [InlineData("PaymentFail", "PaymentFailed")]
    [InlineData("OrderShip", "OrderShipped")]
    [InlineData("AddItem", "ItemAdded")]
    [InlineData("SendEmail", "EmailSent")]
    [InlineData("PayInvoice", "InvoicePaid")]
    [InlineData("ShipOrder", "OrderShipped")]
    [InlineData("StopEngine", "EngineStopped")]
    [InlineData("PlanSprint", "SprintPlanned")]
    [InlineData("DropTable", "TableDropped")]
    [InlineData("OpenAccount", "AccountOpened")]
    [InlineData("VisitPage", "PageVisited")]
    [InlineData("CancelOrder", "OrderCancelled")]
    [InlineData("ApplyDiscount", "DiscountApplied")]
    [InlineData("BeginTask", "TaskBegun")]
    [InlineData("HoldSeats", "SeatsHeld")]
    [InlineData("WithdrawFunds", "FundsWithdrawn")]
    [InlineData("WriteReport", "ReportWritten")]
    [InlineData("SetPrice", "PriceSet")]
    [InlineData("ReadDocument", "DocumentRead")]
    [InlineData("ResetPassword", "PasswordReset")]
    [InlineData("LogInUser", "UserLoggedIn")]
    [InlineData("CheckOut", "CheckedOut")]
    [InlineData("CheckOutCart", "CartCheckedOut")]
    [InlineData("AddItemToCart", "ItemAddedToCart")]
    [InlineData("SwitchToDarkMode", "SwitchedToDarkMode")]
    [InlineData("SendSMS", "SMSSent")]
    [InlineData("OrderShips", "OrderShipped")]
    [InlineData("Cancel", "Cancelled")]
    [InlineData("PriceChange", "PriceChanged")]
    [InlineData("ApproveLoan", "LoanApproved")]
    [InlineData("SubmitForm", "FormSubmitted")]
    [InlineData("BalanceCheck", "BalanceChecked")]
    [InlineData("CheckBalance", "BalanceChecked")]
    [InlineData("AccountClosure", "AccountClosed")]
    [InlineData("PaymentSubmission", "PaymentSubmitted")]
    [InlineData("UserSignup", "UserSignedUp")]
    [InlineData("UserLogin", "UserLoggedIn")]
    [InlineData("OrderCreation", "OrderCreated")]
    [InlineData("SubscriptionCancellation", "SubscriptionCancelled")]
    [InlineData("InvoicePayment", "InvoicePaid")]
    [InlineData("FundsWithdrawal", "FundsWithdrawn")]
    [InlineData("CartCheckout", "CartCheckedOut")]
    [InlineData("ParcelShipment", "ParcelShipped")]
    public Task ReportsPresentTenseNamesWithASuggestion(string name, string suggestion) => Verify.VerifyAsync($$"""
        using EventSourcery;

        public sealed record {|#0:{{name}}|} : Event;
        """,
        Verify.Diagnostic("ES0003").WithLocation(0).WithArguments(name, suggestion));

    [Theory]
    [InlineData("OrderCancelled")]
    [InlineData("OrderCanceled")]
    [InlineData("PaymentFailed")]
    [InlineData("MoneyPaid")]
    [InlineData("ItemSent")]
    [InlineData("FundsWithdrawn")]
    [InlineData("TaskBegun")]
    [InlineData("TaskBegan")]
    [InlineData("SeatsHeld")]
    [InlineData("PriceSet")]
    [InlineData("UserLoggedIn")]
    [InlineData("CartCheckedOut")]
    [InlineData("DocumentRead")]
    [InlineData("SprintStarted")]
    [InlineData("InvoiceIssued")]
    [InlineData("TurnedOn")]
    [InlineData("TurnedOff")]
    [InlineData("ItemAddedToCart")]
    [InlineData("ReportWritten")]
    [InlineData("PasswordReset")]
    [InlineData("FileUploaded")]
    [InlineData("CustomerSignedUp")]
    [InlineData("TestRun")]
    [InlineData("BudgetCut")]
    [InlineData("PackageFound")]
    [InlineData("LampLit")]
    [InlineData("WordLearnt")]
    [InlineData("Heartbeat")]
    [InlineData("PaymentReceipt")]
    [InlineData("OrderItem")]
    [InlineData("NewsFeed")]
    [InlineData("CustomerAddress")]
    [InlineData("DailyReport")]
    [InlineData("Order")]
    [InlineData("Check")]
    [InlineData("Version2Released")]
    [InlineData("ApproveAndShip")]
    [InlineData("Order_Ship")]
    [InlineData("MarketShare")]
    [InlineData("TaxReturn")]
    [InlineData("PullRequest")]
    [InlineData("CodeReview")]
    [InlineData("FeatureRequest")]
    [InlineData("Payment")]
    [InlineData("Closure")]
    public Task AcceptsPastTenseAndUndecidableNames(string name) => Verify.VerifyAsync($$"""
        using EventSourcery;

        public sealed record {{name}} : Event;
        """);

    [Fact]
    public Task ChecksAbstractEventsButNotFamilyBases() => Verify.VerifyAsync("""
        using EventSourcery;

        public abstract record OrderEvent : Event;
        public abstract record LightSwitchEvent : Event;
        public abstract record {|ES0003:ShipOrder|} : OrderEvent;
        public sealed record OrderShipped : OrderEvent;
        """);

    [Fact]
    public Task AnEventNameDoesNotExcuseTheTypeName() => Verify.VerifyAsync("""
        using EventSourcery;

        [EventName("turned_on")]
        public sealed record {|ES0003:TurnOn|} : Event;
        """);

    [Fact]
    public Task IgnoresTypesThatAreNotEvents() => Verify.VerifyAsync("""
        public sealed record CreateOrder(string Customer);
        public sealed class TurnOn;
        """);

    [Fact]
    public Task FixRenamesTheEventAndItsReferences() => VerifyFix.VerifyAsync("""
        using EventSourcery;

        public sealed record {|ES0003:TurnOn|} : Event;

        public sealed partial class LightSwitch : Aggregate
        {
            void Apply(TurnOn e) { }
            public void Switch() => Emit(new TurnOn());
        }
        """, """
        using EventSourcery;

        public sealed record TurnedOn : Event;

        public sealed partial class LightSwitch : Aggregate
        {
            void Apply(TurnedOn e) { }
            public void Switch() => Emit(new TurnedOn());
        }
        """);

    [Fact]
    public Task TheSecondFixRenamesTheEventAndKeepsItsStoredName() => new VerifyFix.Test
    {
        CodeActionEquivalenceKey = EventSourcery.CodeFixes.RenameToPastTenseCodeFixProvider.KeepStoredNameEquivalenceKey,
        CodeActionIndex = 1,
        TestCode = """
            using EventSourcery;

            /// <summary>Light on.</summary>
            public sealed record {|ES0003:TurnOn|} : Event;

            public sealed partial class LightSwitch : Aggregate
            {
                void Apply(TurnOn e) { }
                public void Switch() => Emit(new TurnOn());
            }
            """,
        FixedCode = """
            using EventSourcery;

            /// <summary>Light on.</summary>
            [EventName("TurnOn")]
            public sealed record TurnedOn : Event;

            public sealed partial class LightSwitch : Aggregate
            {
                void Apply(TurnedOn e) { }
                public void Switch() => Emit(new TurnedOn());
            }
            """,
    }.RunAsync();

    [Fact]
    public async Task AnEventThatAlreadyHasAStoredNameIsOfferedOnlyThePlainRename()
    {
        const string Source = """
            using EventSourcery;

            [EventName("light_on")]
            public sealed record {|ES0003:TurnOn|} : Event;
            """;
        var test = new VerifyFix.Test
        {
            CodeActionEquivalenceKey = EventSourcery.CodeFixes.RenameToPastTenseCodeFixProvider.KeepStoredNameEquivalenceKey,
            CodeActionIndex = 1,
            TestCode = Source,
            FixedCode = Source,
        };

        // Its stored name no longer depends on the type's name: the second action would add nothing.
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => test.RunAsync());
        Assert.Contains("Expected to find a code action at index '1', but only '1' code actions were found", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public Task FixAllRenamesEveryEvent() => VerifyFix.VerifyAsync("""
        using EventSourcery;

        public sealed record {|ES0003:TurnOn|} : Event;
        public sealed record {|ES0003:TurnOff|} : Event;
        public sealed record {|ES0003:CreateOrder|}(string Customer) : Event;

        public static class Usage
        {
            public static Event[] All() => [new TurnOn(), new TurnOff(), new CreateOrder("ada")];
        }
        """, """
        using EventSourcery;

        public sealed record TurnedOn : Event;
        public sealed record TurnedOff : Event;
        public sealed record OrderCreated(string Customer) : Event;

        public static class Usage
        {
            public static Event[] All() => [new TurnedOn(), new TurnedOff(), new OrderCreated("ada")];
        }
        """);

    [Fact]
    public Task FixAllNeverRenamesTwoEventsToTheSameName()
    {
        // CreateOrder and OrderCreate both suggest OrderCreated: only the first (ordinal order) is renamed; the other
        // keeps its warning (and, with the name now taken, no fix) instead of becoming a second OrderCreated (CS0101).
        var test = new VerifyFix.Test
        {
            TestCode = """
                using EventSourcery;

                public sealed record {|ES0003:CreateOrder|}(string Customer) : Event;
                public sealed record {|ES0003:OrderCreate|}(string Customer) : Event;
                public sealed record {|ES0003:TurnOn|} : Event;
                """,
            FixedCode = """
                using EventSourcery;

                public sealed record OrderCreated(string Customer) : Event;
                public sealed record OrderCreate(string Customer) : Event;
                public sealed record TurnedOn : Event;
                """,
        };
        test.FixedState.ExpectedDiagnostics.Add(VerifyFix.Diagnostic("ES0003").WithSpan(4, 22, 4, 33).WithArguments("OrderCreate", "OrderCreated"));
        return test.RunAsync(CancellationToken.None);
    }

    [Fact]
    public Task OffersNoRenameOntoAnExistingType() => VerifyFix.VerifyAsync("""
        using EventSourcery;

        public sealed record {|ES0003:TurnOn|} : Event;
        public sealed record TurnedOn : Event;
        """, """
        using EventSourcery;

        public sealed record {|ES0003:TurnOn|} : Event;
        public sealed record TurnedOn : Event;
        """);

    [Theory]
    [InlineData("Create", "created")]
    [InlineData("Apply", "applied")]
    [InlineData("Play", "played")]
    [InlineData("Ship", "shipped")]
    [InlineData("Stop", "stopped")]
    [InlineData("Plan", "planned")]
    [InlineData("Drop", "dropped")]
    [InlineData("Open", "opened")]
    [InlineData("Visit", "visited")]
    [InlineData("Cancel", "cancelled")]
    [InlineData("Send", "sent")]
    [InlineData("Pay", "paid")]
    [InlineData("Begin", "begun")]
    [InlineData("Hold", "held")]
    [InlineData("Withdraw", "withdrawn")]
    [InlineData("Write", "written")]
    [InlineData("Panic", "panicked")]
    [InlineData("Agree", "agreed")]
    [InlineData("Submit", "submitted")]
    public void FormsThePastParticiple(string verb, string participle)
        => Assert.Equal(participle, VerbLexicon.GetPastParticiple(verb));

    [Theory]
    [InlineData("SMSSent", new[] { "SMS", "Sent" })]
    [InlineData("OAuth2TokenIssued", new[] { "O", "Auth", "2", "Token", "Issued" })]
    [InlineData("UserLoggedIn", new[] { "User", "Logged", "In" })]
    [InlineData("X", new[] { "X" })]
    public void SplitsPascalCase(string name, string[] words)
        => Assert.Equal(words, PastTenseNames.SplitWords(name));
}
