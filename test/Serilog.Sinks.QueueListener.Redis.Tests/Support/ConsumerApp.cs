using System.Diagnostics;
using Serilog.Sinks.QueueListener.Testing;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Support;

/// <summary>
/// Starts the child app of test/Serilog.Sinks.QueueListener.Redis.ConsumerApp; see <see cref="ChildApp"/>.
/// </summary>
static class ConsumerApp
{
    public static Process Start(params string[] arguments) => ChildApp.Start(typeof(ConsumerApp).Assembly,
        "ConsumerAppDirectory", "Serilog.Sinks.QueueListener.Redis.ConsumerApp.dll", arguments);
}
