using System.Diagnostics;
using Serilog.Sinks.QueueListener.Testing;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// Starts the child app of test/Serilog.Sinks.QueueListener.ProcessExitApp; see <see cref="ChildApp"/>.
/// </summary>
static class ProcessExitApp
{
    public static Process Start(params string[] arguments) => ChildApp.Start(typeof(ProcessExitApp).Assembly,
        "ProcessExitAppDirectory", "Serilog.Sinks.QueueListener.ProcessExitApp.dll", arguments);
}
