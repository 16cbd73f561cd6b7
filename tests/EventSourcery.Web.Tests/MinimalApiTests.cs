using System.Text;
using System.Text.Json;
using EventSourcery.Generated;
using EventSourcery.Serialization;
using EventSourcery.StoreContract;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace EventSourcery.Web.Tests;

/// <summary>
/// A minimal API with reflection-based System.Text.Json off (as under NativeAOT), returning and accepting events
/// through the generated context: the JSON is the payload the store keeps, byte for byte.
/// </summary>
public sealed class MinimalApiTests : IAsyncLifetime
{
    private readonly InMemoryEventStore _store = new();
    private readonly StreamId _stream = StreamId.FromName("kitchen", "light");
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, EventJsonContext_EventSourcery_StoreContract.Default));
        _app = builder.Build();

        _app.MapPost("/notes", async (NoteAdded note) =>
        {
            await _store.AppendAsync(_stream, [note], ExpectedVersion.Any);
            return Results.Ok(note);
        });
        _app.MapGet("/notes/last", async () => Results.Ok((NoteAdded)(await Read.StreamAsync(_store, _stream))[^1].Event));
        _app.MapGet("/events", async () => Results.Ok(await Read.StreamAsync(_store, _stream)));
        await _app.StartAsync();
        _client = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public void Reflection_based_serialization_is_off_in_this_project()
        => Assert.False(JsonSerializer.IsReflectionEnabledByDefault);

    [Fact]
    public async Task An_event_is_accepted_and_returned_as_the_payload_the_store_keeps()
    {
        var posted = await _client.PostAsync("/notes", new StringContent("""{"text":"bulb changed","count":2,"at":"2026-12-04T13:00:00+01:00"}""", Encoding.UTF8, "application/json"));
        Assert.True(posted.IsSuccessStatusCode, await posted.Content.ReadAsStringAsync());

        var stored = (NoteAdded)(await Read.StreamAsync(_store, _stream))[^1].Event;
        Assert.Equal(("bulb changed", 2), (stored.Text, stored.Count));
        var returned = await _client.GetStringAsync("/notes/last");
        Assert.Equal(new EventSerializer(EventRegistry.Default).Serialize(stored).Payload, returned);
    }

    [Fact]
    public async Task Recorded_events_are_returned_with_each_events_own_data_and_type_name()
    {
        await _store.AppendAsync(_stream, [new NoteAdded("installed", 1, DateTimeOffset.UnixEpoch), new TurnedOn()], ExpectedVersion.Any);

        using var events = JsonDocument.Parse(await _client.GetStringAsync("/events"));
        var first = events.RootElement[0];
        Assert.Equal("NoteAdded", first.GetProperty("eventName").GetString());
        Assert.Equal("installed", first.GetProperty("event").GetProperty("text").GetString());
        Assert.Equal("TurnedOn", events.RootElement[1].GetProperty("event").GetProperty("$type").GetString());
    }
}
