using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using EventSourcery.PersonalData;
using EventSourcery.Serialization;

namespace EventSourcery.Benchmarks.Store;

/// <summary>A customer's profile changed: two properties of personal data, encrypted with the customer's key.</summary>
public sealed record ProfileChanged([DataSubject] Guid CustomerId, [PersonalData] string Email, [PersonalData] string Phone, string Plan, int Visits) : Event;

/// <summary>The same event with nothing marked: the baseline.</summary>
public sealed record PlainProfileChanged(Guid CustomerId, string Email, string Phone, string Plan, int Visits) : Event;

/// <summary>
/// Issue 16: appending <see cref="BatchSize"/> events with two encrypted properties (<see cref="ProfileChanged"/>) against
/// the same events with none (the baseline), each append a new stream of one customer in one SQLite file. Target: at
/// most 1.5× the time. The customer's key exists (its first append made it), as it does for every append but a
/// customer's first.
/// </summary>
[Config(typeof(StoreBenchmarkConfig))]
[SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet ends a benchmark's life with [GlobalCleanup], not Dispose.")]
public class PersonalDataAppendBenchmarks
{
    private readonly Guid _customer = Guid.NewGuid();
    private TempDirectory _directory = null!;
    private SqliteEventStore _store = null!;
    private Event[] _encrypted = [];
    private Event[] _plain = [];

    [Params(10)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _directory = new TempDirectory("personal-append");
        _store = await SqliteEventStore.OpenAsync(SqliteFiles.ConnectionString(_directory.File("store.db")));
        _encrypted = [.. Enumerable.Range(0, BatchSize).Select(i => new ProfileChanged(_customer, $"customer{i}@example.com", "+1 555 0100", "gold", i))];
        _plain = [.. Enumerable.Range(0, BatchSize).Select(i => new PlainProfileChanged(_customer, $"customer{i}@example.com", "+1 555 0100", "gold", i))];
        await Encrypted(); // makes the customer's key
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _store.DisposeAsync();
        _directory.Dispose();
    }

    [Benchmark(Baseline = true)]
    public async Task<long> Plain() => (await _store.AppendAsync(StreamId.New("customer"), FreshIds.Renew(_plain), ExpectedVersion.NoStream)).LastPosition;

    [Benchmark]
    public async Task<long> Encrypted() => (await _store.AppendAsync(StreamId.New("customer"), FreshIds.Renew(_encrypted), ExpectedVersion.NoStream)).LastPosition;
}

/// <summary>
/// Issue 16: reading a stream of <see cref="EventCount"/> events with two encrypted properties against the same stream
/// of unmarked events (the baseline), from one SQLite file. The customer's key is loaded once and cached, as it is
/// for every read after a subject's first. Target: at most 1.5× the time. Setup fails unless both reads give back
/// the emails that were written.
/// </summary>
[Config(typeof(StoreBenchmarkConfig))]
[SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet ends a benchmark's life with [GlobalCleanup], not Dispose.")]
public class PersonalDataReadBenchmarks
{
    private readonly StreamId _encrypted = StreamId.FromName("encrypted", "customer");
    private readonly StreamId _plain = StreamId.FromName("plain", "customer");
    private TempDirectory _directory = null!;
    private SqliteEventStore _store = null!;
    private AesGcm _aes = null!;
    private byte[] _nonce = [];
    private byte[] _sealed = [];
    private byte[] _tag = [];
    private byte[] _opened = [];
    private byte[] _associatedData = [];

    [Params(1_000)]
    public int EventCount { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _directory = new TempDirectory("personal-read");
        _store = await SqliteEventStore.OpenAsync(SqliteFiles.ConnectionString(_directory.File("store.db")));
        var customer = Guid.NewGuid();
        await _store.AppendAsync(_encrypted, [.. Enumerable.Range(0, EventCount).Select(i => new ProfileChanged(customer, $"customer{i}@example.com", "+1 555 0100", "gold", i))], ExpectedVersion.NoStream);
        await _store.AppendAsync(_plain, [.. Enumerable.Range(0, EventCount).Select(i => new PlainProfileChanged(customer, $"customer{i}@example.com", "+1 555 0100", "gold", i))], ExpectedVersion.NoStream);
        var (encrypted, plain) = (await Encrypted(), await Plain());
        if (encrypted != plain || plain != EventCount * (long)"customer@example.com".Length + Enumerable.Range(0, EventCount).Sum(i => (long)i.ToString(System.Globalization.CultureInfo.InvariantCulture).Length))
        {
            throw new InvalidOperationException($"The reads disagree: {encrypted} characters of email encrypted, {plain} plain.");
        }

        // What Encrypted decrypts per event: its two marked properties as one JSON object, its name as associated data.
        _opened = Encoding.UTF8.GetBytes("""{"email":"customer500@example.com","phone":"+1 555 0100"}""");
        _associatedData = Encoding.UTF8.GetBytes(EventRegistry.Default.GetByType(typeof(ProfileChanged)).Name + "/$pd");
        (_aes, _nonce, _sealed, _tag) = (new AesGcm(RandomNumberGenerator.GetBytes(32), 16), RandomNumberGenerator.GetBytes(12), new byte[_opened.Length], new byte[16]);
        _aes.Encrypt(_nonce, _opened, _sealed, _tag, _associatedData);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _aes?.Dispose();
        await _store.DisposeAsync();
        _directory.Dispose();
    }

    [Benchmark(Baseline = true)]
    public async Task<long> Plain()
    {
        long length = 0;
        await foreach (var recorded in _store.ReadStreamAsync(_plain))
        {
            length += ((PlainProfileChanged)recorded.Event).Email.Length;
        }

        return length;
    }

    [Benchmark]
    public async Task<long> Encrypted()
    {
        long length = 0;
        await foreach (var recorded in _store.ReadStreamAsync(_encrypted))
        {
            length += ((ProfileChanged)recorded.Event).Email.Length;
        }

        return length;
    }

    /// <summary>
    /// The floor under <see cref="Encrypted"/>: only its <see cref="EventCount"/> AES-GCM decryptions (the same
    /// plaintext length and associated data; no store, no JSON, no key lookup). Its ratio to <see cref="Plain"/> is
    /// what the encryption alone adds to a read.
    /// </summary>
    [Benchmark]
    public int DecryptionsOnly()
    {
        for (var i = 0; i < EventCount; i++)
        {
            _aes.Decrypt(_nonce, _sealed, _tag, _opened, _associatedData);
        }

        return _opened.Length;
    }
}
