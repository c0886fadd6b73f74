using Serilog.Sinks.Async;

namespace Serilog.Sinks.QueueListener.Benchmarks.Pipelines;

/// <summary>
/// Keeps the inspector Serilog.Sinks.Async hands its monitor, to read the sink's own count of dropped events.
/// </summary>
sealed class AsyncInspectorCapture : IAsyncLogEventSinkMonitor
{
    public IAsyncLogEventSinkInspector? Inspector { get; private set; }

    public void StartMonitoring(IAsyncLogEventSinkInspector inspector) => Inspector = inspector;

    public void StopMonitoring(IAsyncLogEventSinkInspector inspector) => Inspector = null;
}
