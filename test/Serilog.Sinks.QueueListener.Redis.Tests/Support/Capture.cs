using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Support;

/// <summary>Makes events the way an application does, through a real logger, so that destructuring and property
/// capture are Serilog's own.</summary>
static class Capture
{
    public static LogEvent One(Action<ILogger> log)
    {
        LogEvent? captured = null;
        using var logger = new LoggerConfiguration()
            .MinimumLevel.Verbose()
            .WriteTo.Sink(new DelegateSink(e => captured = e))
            .CreateLogger();
        log(logger);
        return captured ?? throw new InvalidOperationException("Nothing was logged.");
    }

    sealed class DelegateSink(Action<LogEvent> emit) : ILogEventSink
    {
        public void Emit(LogEvent logEvent) => emit(logEvent);
    }
}
