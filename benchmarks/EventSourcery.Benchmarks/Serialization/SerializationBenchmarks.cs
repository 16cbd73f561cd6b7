using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using EventSourcery.Serialization;

namespace EventSourcery.Benchmarks.Serialization;

/// <summary>
/// Writes and reads one realistic event 1,000 times through the generated codec and through reflection-based
/// System.Text.Json, each category (Write, Read) with System.Text.Json as its baseline.
/// </summary>
/// <remarks>
/// The generated codec writes only the event's own properties (a store keeps Id, CreatedAt and Metadata in columns),
/// so System.Text.Json serializes <see cref="OrderPlacedPayload"/>, a plain record with exactly those properties, with
/// options that make it produce the same JSON. Setup checks that both sides produce identical bytes, so the two
/// benchmarks always do the same work. Each benchmark counts one operation per event: Mean and Allocated are per event.
/// </remarks>
[MemoryDiagnoser]
[MinColumn]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet ends a benchmark's life with [GlobalCleanup], not Dispose.")]
public class SerializationBenchmarks
{
    private const int N = 1_000;

    // Both sides write through one writer with the options EventSerializer uses, so only the codec differs.
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private Utf8JsonWriter _writer = null!;

    private OrderPlaced _event = null!;
    private OrderPlacedPayload _payload = null!;
    private EventType _eventType = null!;
    private JsonSerializerOptions _options = null!;
    private EventHeader _header;
    private byte[] _json = [];

    [GlobalSetup]
    public void Setup()
    {
        _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });
        _event = OrderSamples.Event();
        _payload = OrderSamples.Payload();
        _eventType = EventRegistry.Default.Get(_event);
        _header = new EventHeader(_event.Id, _event.CreatedAt, _event.Metadata);

        // An explicit resolver keeps the baseline working if reflection-based serialization is ever turned off by
        // default; camelCase names and string enums are what the generated codec writes.
        _options = new JsonSerializerOptions
        {
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            Converters = { new JsonStringEnumConverter() },
        };

        var generated = Write(w => _eventType.WritePayload(w, _event));
        var reflection = Write(w => JsonSerializer.Serialize(w, _payload, _options));
        if (!generated.AsSpan().SequenceEqual(reflection))
        {
            throw new InvalidOperationException(
                "The generated codec and System.Text.Json no longer write the same JSON, so the benchmarks would compare different work.\n"
                + $"generated:  {Encoding.UTF8.GetString(generated)}\nreflection: {Encoding.UTF8.GetString(reflection)}");
        }

        var roundTrip = Write(w => _eventType.WritePayload(w, _eventType.ReadPayload(generated, _header)));
        if (!roundTrip.AsSpan().SequenceEqual(generated))
        {
            throw new InvalidOperationException("The generated codec does not read back what it wrote.");
        }

        _json = generated;
    }

    [GlobalCleanup]
    public void Cleanup() => _writer.Dispose();

    [BenchmarkCategory("Write"), Benchmark(Baseline = true, OperationsPerInvoke = N)]
    public long WriteReflectionStj()
    {
        long bytes = 0;
        for (var i = 0; i < N; i++)
        {
            Restart();
            JsonSerializer.Serialize(_writer, _payload, _options);
            _writer.Flush();
            bytes += _writer.BytesCommitted;
        }

        return bytes;
    }

    [BenchmarkCategory("Write"), Benchmark(OperationsPerInvoke = N)]
    public long WriteGenerated()
    {
        long bytes = 0;
        for (var i = 0; i < N; i++)
        {
            Restart();
            _eventType.WritePayload(_writer, _event);
            _writer.Flush();
            bytes += _writer.BytesCommitted;
        }

        return bytes;
    }

    [BenchmarkCategory("Read"), Benchmark(Baseline = true, OperationsPerInvoke = N)]
    public long ReadReflectionStj()
    {
        long items = 0;
        for (var i = 0; i < N; i++)
        {
            var payload = JsonSerializer.Deserialize<OrderPlacedPayload>(_json, _options)!;
            items += payload.ItemCount;
        }

        return items;
    }

    [BenchmarkCategory("Read"), Benchmark(OperationsPerInvoke = N)]
    public long ReadGenerated()
    {
        long items = 0;
        for (var i = 0; i < N; i++)
        {
            var evt = (OrderPlaced)_eventType.ReadPayload(_json, _header);
            items += evt.ItemCount;
        }

        return items;
    }

    /// <summary>Reuses the buffer and the writer, as a store serializing a batch would.</summary>
    private void Restart()
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
    }

    private byte[] Write(Action<Utf8JsonWriter> write)
    {
        Restart();
        write(_writer);
        _writer.Flush();
        return _buffer.WrittenSpan.ToArray();
    }
}

public enum ShippingSpeed
{
    Standard,
    Express,
    Overnight,
}

public sealed record PostalAddress(string Street, string City, string PostalCode, string Country);

/// <summary>The event the generated codec serializes.</summary>
public sealed record OrderPlaced(
    Guid OrderId,
    string CustomerName,
    string CustomerEmail,
    int ItemCount,
    decimal Total,
    DateTimeOffset PlacedAt,
    ShippingSpeed Shipping,
    List<string> Skus,
    PostalAddress ShipTo) : Event;

/// <summary>The same properties without the <see cref="Event"/> base, for System.Text.Json (see the class remarks).</summary>
public sealed record OrderPlacedPayload(
    Guid OrderId,
    string CustomerName,
    string CustomerEmail,
    int ItemCount,
    decimal Total,
    DateTimeOffset PlacedAt,
    ShippingSpeed Shipping,
    List<string> Skus,
    PostalAddress ShipTo);

internal static class OrderSamples
{
    private static readonly Guid OrderId = Guid.Parse("0195a2c4-7d1e-7b3a-9f00-3c5e8a1b2d4f");
    private static readonly DateTimeOffset PlacedAt = new(2025, 3, 14, 9, 26, 53, 589, TimeSpan.FromHours(1));
    private static readonly PostalAddress ShipTo = new("12 Harbour Road", "Gdansk", "80-001", "PL");

    public static OrderPlaced Event()
        => new(OrderId, "Grace Hopper", "grace.hopper@example.com", 3, 149.97m, PlacedAt, ShippingSpeed.Express, Skus(), ShipTo);

    public static OrderPlacedPayload Payload()
        => new(OrderId, "Grace Hopper", "grace.hopper@example.com", 3, 149.97m, PlacedAt, ShippingSpeed.Express, Skus(), ShipTo);

    private static List<string> Skus() => ["SKU-1001-BLK", "SKU-2040-M", "SKU-3300"];
}
