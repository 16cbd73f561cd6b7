using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EventSourcery.Hosting.Tests;

/// <summary>Collects what the host logs, level and message, for the tests to look at.</summary>
internal sealed class ListLoggerProvider(ConcurrentQueue<(LogLevel, string)> into) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new ListLogger(into);

    public void Dispose()
    {
    }

    private sealed class ListLogger(ConcurrentQueue<(LogLevel, string)> into) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => into.Enqueue((logLevel, formatter(state, exception)));
    }
}
