using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace EventSourcery.Benchmarks.Dispatch;

/// <summary>
/// Replays a stream of 10,000 events into an aggregate through three dispatch strategies: the generated type switch,
/// a <c>Dictionary&lt;Type, Action&gt;</c> of handlers (the Eventuous approach) and cached <see cref="MethodInfo.Invoke(object, object[])"/>
/// (a classic convention-based router). All three end in the same Apply bodies, so the difference is the dispatch.
/// </summary>
/// <remarks>
/// Each benchmark counts one operation per applied event (<see cref="BenchmarkAttribute.OperationsPerInvoke"/>), so
/// Mean and Allocated read "per event". The aggregates are reset rather than recreated per invocation: an aggregate
/// allocation is not what is compared, and leaving it out lets Allocated show the dispatch's own per-event cost.
/// </remarks>
[MemoryDiagnoser]
[MinColumn]
public class DispatchBenchmarks
{
    private const int EventCount = 10_000;

    private Event[] _events = [];
    private GeneratedAccount _generated = null!;
    private HandWrittenAccount _handWritten = null!;
    private Dictionary<Type, Action<HandWrittenAccount, Event>> _handlers = null!;
    private Dictionary<Type, MethodInfo> _applyMethods = null!;

    [GlobalSetup]
    public void Setup()
    {
        _events = AccountStream.Create(EventCount, seed: 42);
        _generated = new GeneratedAccount();
        _handWritten = new HandWrittenAccount();

        // Eventuous registers a typed handler per event and wraps it in an untyped one keyed by the event's type.
        _handlers = [];
        On<AccountOpened>(static (a, e) => a.Apply(e));
        On<MoneyDeposited>(static (a, e) => a.Apply(e));
        On<MoneyWithdrawn>(static (a, e) => a.Apply(e));
        On<FeeCharged>(static (a, e) => a.Apply(e));
        On<AddressChanged>(static (a, e) => a.Apply(e));

        // A convention router finds the Apply overloads once and keeps them by parameter type.
        _applyMethods = typeof(HandWrittenAccount)
            .GetMethods(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Where(m => m.Name == nameof(HandWrittenAccount.Apply) && m.GetParameters() is [{ ParameterType: var p }] && p.IsAssignableTo(typeof(Event)))
            .ToDictionary(m => m.GetParameters()[0].ParameterType);

        // The three strategies must agree, or the comparison is meaningless.
        var expected = GeneratedSwitch();
        if (DictionaryOfDelegates() != expected || ReflectionInvoke() != expected)
        {
            throw new InvalidOperationException("The dispatch strategies disagree on the replayed state.");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = EventCount)]
    public long ReflectionInvoke()
    {
        var account = _handWritten;
        account.Reset();
        foreach (var e in _events)
        {
            // A new argument array per call is what a convention router does: a shared one breaks if an Apply re-enters it.
            _applyMethods[e.GetType()].Invoke(account, [e]);
        }

        return account.Checksum;
    }

    [Benchmark(OperationsPerInvoke = EventCount)]
    public long DictionaryOfDelegates()
    {
        var account = _handWritten;
        account.Reset();
        foreach (var e in _events)
        {
            _handlers[e.GetType()](account, e);
        }

        return account.Checksum;
    }

    [Benchmark(OperationsPerInvoke = EventCount)]
    public long GeneratedSwitch()
    {
        var account = _generated;
        account.Reset();
        return account.ApplyAll(_events);
    }

    private void On<TEvent>(Action<HandWrittenAccount, TEvent> apply)
        where TEvent : Event
        => _handlers.Add(typeof(TEvent), (a, e) => apply(a, (TEvent)e));
}

/// <summary>Builds a bank account's stream: opened once, then a shuffled mix dominated by money movements.</summary>
internal static class AccountStream
{
    public static Event[] Create(int count, int seed)
    {
        // A fixed seed keeps runs comparable; the shuffle keeps the branch predictor from learning a pattern.
        var random = new Random(seed);
        var events = new Event[count];
        events[0] = new AccountOpened("Ada Lovelace");
        for (var i = 1; i < count; i++)
        {
            var roll = random.Next(100);
            events[i] = roll switch
            {
                < 45 => new MoneyDeposited(random.Next(1, 100_000)),
                < 75 => new MoneyWithdrawn(random.Next(1, 50_000)),
                < 90 => new FeeCharged(random.Next(1, 500)),
                _ => new AddressChanged($"{random.Next(1, 200)} Analytical Street"),
            };
        }

        return events;
    }
}

public sealed record AccountOpened(string Owner) : Event;

public sealed record MoneyDeposited(long AmountCents) : Event;

public sealed record MoneyWithdrawn(long AmountCents) : Event;

public sealed record FeeCharged(long AmountCents) : Event;

public sealed record AddressChanged(string Address) : Event;

/// <summary>An aggregate dispatched by the generated <c>Dispatch</c> override.</summary>
public sealed partial class GeneratedAccount : Aggregate
{
    private string _owner = "";
    private string _address = "";
    private long _balanceCents;
    private long _feesCents;
    private int _deposits;
    private int _withdrawals;
    private int _addressChanges;

    /// <summary>Exposes the protected dispatch to the benchmark; the loop is the one a repository runs on load.</summary>
    public long ApplyAll(Event[] events)
    {
        foreach (var e in events)
        {
            Dispatch(e);
        }

        return Checksum;
    }

    public long Checksum => AccountChecksum.Of(_owner, _address, _balanceCents, _feesCents, _deposits, _withdrawals, _addressChanges);

    public void Reset() => (_owner, _address, _balanceCents, _feesCents, _deposits, _withdrawals, _addressChanges) = ("", "", 0, 0, 0, 0, 0);

    // The Apply bodies are copied verbatim in HandWrittenAccount: keep them identical.
    private void Apply(AccountOpened e) => _owner = e.Owner;

    private void Apply(MoneyDeposited e)
    {
        _balanceCents += e.AmountCents;
        _deposits++;
    }

    private void Apply(MoneyWithdrawn e)
    {
        _balanceCents -= e.AmountCents;
        _withdrawals++;
    }

    private void Apply(FeeCharged e)
    {
        _balanceCents -= e.AmountCents;
        _feesCents += e.AmountCents;
    }

    private void Apply(AddressChanged e)
    {
        _address = e.Address;
        _addressChanges++;
    }
}

/// <summary>
/// The same aggregate without the generator, for the dictionary and reflection routers. It does not derive from
/// <see cref="Aggregate"/>, since a non-partial aggregate is an error (ES0001) and neither router needs the base class.
/// </summary>
public sealed class HandWrittenAccount
{
    private string _owner = "";
    private string _address = "";
    private long _balanceCents;
    private long _feesCents;
    private int _deposits;
    private int _withdrawals;
    private int _addressChanges;

    public long Checksum => AccountChecksum.Of(_owner, _address, _balanceCents, _feesCents, _deposits, _withdrawals, _addressChanges);

    public void Reset() => (_owner, _address, _balanceCents, _feesCents, _deposits, _withdrawals, _addressChanges) = ("", "", 0, 0, 0, 0, 0);

    // Internal (not private) only so the dictionary handlers can call them; the reflection router finds them either way.
    internal void Apply(AccountOpened e) => _owner = e.Owner;

    internal void Apply(MoneyDeposited e)
    {
        _balanceCents += e.AmountCents;
        _deposits++;
    }

    internal void Apply(MoneyWithdrawn e)
    {
        _balanceCents -= e.AmountCents;
        _withdrawals++;
    }

    internal void Apply(FeeCharged e)
    {
        _balanceCents -= e.AmountCents;
        _feesCents += e.AmountCents;
    }

    internal void Apply(AddressChanged e)
    {
        _address = e.Address;
        _addressChanges++;
    }
}

/// <summary>Folds an account's state into one number that the benchmarks return, so no Apply can be optimized away.</summary>
internal static class AccountChecksum
{
    public static long Of(string owner, string address, long balance, long fees, int deposits, int withdrawals, int addressChanges)
        => balance + (fees * 3) + (deposits * 5L) + (withdrawals * 7L) + (addressChanges * 11L) + owner.Length + address.Length;
}
