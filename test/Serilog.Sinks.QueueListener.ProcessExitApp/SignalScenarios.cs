using System.Runtime.InteropServices;

namespace Serilog.Sinks.QueueListener.ProcessExitApp;

/// <summary>
/// The README's Ctrl-C and SIGTERM section as a child process: 2,000 events into a sink that writes one a millisecond,
/// then "logged" on standard output, and a wait for the test's signal.
/// <list type="bullet">
/// <item><c>signal-unhandled</c>: a plain console app; the signal ends it at once.</item>
/// <item><c>signal-handled</c>: the README's handlers, which close the log before the signal ends the process.</item>
/// </list>
/// </summary>
static class SignalScenarios
{
    public const int Events = 2000;

    public static int? Run(string scenario, string path)
    {
        if (scenario is not ("signal-unhandled" or "signal-handled")) return null;

        Log.Logger = new LoggerConfiguration()
            .WriteTo.Queue(a => a.Sink(new SlowFileSink(path, TimeSpan.FromMilliseconds(1))))
            .CreateLogger();

        // Kept for the whole program, as the README says: a disposed registration no longer handles its signal.
        using var sigint = scenario == "signal-handled" ? PosixSignalRegistration.Create(PosixSignal.SIGINT, CloseAndFlush) : null;
        using var sigterm = scenario == "signal-handled" ? PosixSignalRegistration.Create(PosixSignal.SIGTERM, CloseAndFlush) : null;

        for (var i = 0; i < Events; i++)
        {
            Log.Information("Event {Sequence}", i);
        }

        Console.WriteLine("logged");
        Console.Out.Flush();
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }

    static void CloseAndFlush(PosixSignalContext context)
    {
        Log.Information("{Signal} received, closing the log", context.Signal);
        Log.CloseAndFlush();
    }
}
