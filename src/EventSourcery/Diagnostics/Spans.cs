using System.Diagnostics;

namespace EventSourcery;

/// <summary>What every EventSourcery span does the same way.</summary>
internal static class Spans
{
    /// <summary>
    /// Ends <paramref name="activity"/> (when there is one) as failed: status <c>Error</c> with the message, and in
    /// <c>error.type</c> <paramref name="errorType"/>, or else the exception's type.
    /// </summary>
    public static void Fail(Activity? activity, Exception exception, string? errorType = null)
    {
        if (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, exception.Message);
            activity.SetTag(TelemetryTags.ErrorType, errorType ?? exception.GetType().FullName);
            activity.Dispose();
        }
    }

    /// <summary>The context of the append that stored <paramref name="event"/>, from the <c>traceparent</c> in its metadata.</summary>
    public static bool TryGetAppendContext(Event @event, out ActivityContext context)
    {
        context = default;
        return @event.Metadata.Extra.TryGetValue(EventMetadata.TraceParentKey, out var traceParent)
            && ActivityContext.TryParse(traceParent, traceState: null, isRemote: true, out context);
    }
}
