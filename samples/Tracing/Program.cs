// One trace from a command to its projection, as OpenTelemetry sees it. The application's "place order" and "pay"
// commands each run in a span of their own; EventSourcery's spans join them: the repository's load and the append
// inside the command; later, and outside it, the outbox's delivery as a child of the append (the append's traceparent
// is stored with the event) and the projection's batch, linked to the appends of its events. OpenTelemetry's console
// exporter prints every span; the tree at the end is the first command's trace, read from the same spans.
using System.Diagnostics;
using EventSourcery;
using EventSourcery.Sqlite;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using TracingSample;

var application = new ActivitySource("TracingSample");
var spans = new List<Activity>();
using (var tracing = Sdk.CreateTracerProviderBuilder()
    .ConfigureResource(resource => resource.AddService("tracing-sample"))
    .AddSource(application.Name, EventSourceryTelemetry.ActivitySourceName)
    .AddProcessor(new Collect(spans))
    .AddConsoleExporter()
    .Build())
{
    var path = Path.Combine(AppContext.BaseDirectory, "tracing.db");
    foreach (var file in new[] { path, path + "-wal", path + "-shm" })
    {
        File.Delete(file);
    }

    await using var store = await SqliteEventStore.OpenAsync($"Data Source={path}");
    var orders = new Repository<Order>(store, new RepositoryOptions { Publish = true });
    var id = StreamId.FromName("order-42", "order");

    using (application.StartActivity("place order"))
    {
        await orders.NewAsync(id, order => order.Place("ada", 42.50m));
    }

    using (application.StartActivity("pay order"))
    {
        var order = await orders.LoadAsync(id) ?? throw new InvalidOperationException("order-42 is missing");
        order.Pay(42.50m);
        await orders.SaveAsync(order);
    }

    // Later, in a background service: the outbox hands each event to the broker, and a projection catches up.
    var broker = new Outbox(store, (recorded, _) =>
    {
        using var send = application.StartActivity("broker send", ActivityKind.Client);
        send?.SetTag("messaging.message.id", recorded.Event.Id.ToString());
        return ValueTask.CompletedTask;
    });
    await broker.RunOnceAsync();
    var unpaid = new UnpaidOrders();
    await new ProjectionRunner(store, unpaid).RunOnceAsync();
    tracing.ForceFlush();
    Console.WriteLine();
    Console.WriteLine($"Unpaid orders after the projection: {unpaid.Orders.Count}");
}

// The first command's trace as a tree, and the projection batch that links to it.
var place = spans.Single(s => s.DisplayName == "place order");
var trace = spans.Where(s => s.TraceId == place.TraceId).ToList();
Console.WriteLine();
Console.WriteLine($"Trace {place.TraceId}:");
Print(place, 1);
var projection = spans.Single(s => s.DisplayName.StartsWith("project ", StringComparison.Ordinal));
var linked = projection.Links.Count(l => l.Context.TraceId == place.TraceId);
Console.WriteLine($"  ~ {projection.DisplayName} (trace {projection.TraceId.ToHexString()[..8]}…) links to {linked} append of this trace, and to {projection.Links.Count() - linked} of another");

var complete = trace.Any(s => s.DisplayName == "publish order") && trace.Any(s => s.DisplayName == "deliver order") && trace.Any(s => s.DisplayName == "broker send") && linked == 1;
Console.WriteLine(complete ? "One trace from the command to the broker, linked from the projection." : "The trace is incomplete.");
return complete ? 0 : 1;

void Print(Activity span, int depth)
{
    var tags = string.Join(", ", Shown.Tags
        .Select(tag => (tag, value: span.GetTagItem(tag)))
        .Where(t => t.value is not null)
        .Select(t => $"{t.tag.Split('.')[^1]}={t.value}"));
    Console.WriteLine($"{new string(' ', depth * 2)}- {span.DisplayName} [{span.Kind}, {span.Source.Name}]{(tags.Length > 0 ? " " + tags : string.Empty)}");
    foreach (var child in trace.Where(s => s.ParentSpanId == span.SpanId).OrderBy(s => s.StartTimeUtc))
    {
        Print(child, depth + 1);
    }
}

/// <summary>The tags the tree shows.</summary>
internal static class Shown
{
    public static readonly string[] Tags = ["eventsourcery.stream.version", "eventsourcery.event.type", "eventsourcery.outbox.attempt"];
}

/// <summary>Keeps every span that ends, to print the trace's tree after the exporter's output.</summary>
internal sealed class Collect(List<Activity> spans) : BaseProcessor<Activity>
{
    public override void OnEnd(Activity data)
    {
        lock (spans)
        {
            spans.Add(data);
        }
    }
}
