using Serilog.Core;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>A sink whose disposal hangs until <see cref="Release"/>; it counts what it received.</summary>
interface IHangingSink : ILogEventSink
{
    int Received { get; }

    void Release();
}
