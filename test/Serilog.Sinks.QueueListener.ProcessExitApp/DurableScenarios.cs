using System.Globalization;
using System.IO.MemoryMappedFiles;

namespace Serilog.Sinks.QueueListener.ProcessExitApp;

/// <summary>
/// The durable queue's kill test as a child process. In both scenarios the folder given holds the spool
/// (<c>spool/</c>) and the sink's output (<c>delivered.log</c>, one line per event written, a File sink with
/// <c>buffered: false</c>, so each line is in the page cache once written, as the spool's checkpoint is).
/// <list type="bullet">
/// <item><c>durable-kill</c> (run number n): opens the spool (its listener first writes what earlier runs left),
/// then logs "n:0", "n:1", ... as fast as it can for ever (printing "ready" once the first has been logged), storing after each <c>Emit</c> returns the
/// number of that event in <c>progress-n</c> (an 8-byte memory-mapped file, so that it too survives the kill). The
/// test kills it with SIGKILL at a random moment.</item>
/// <item><c>durable-drain</c>: opens the spool and closes the logger at once, which writes everything the spool
/// holds.</item>
/// <item><c>durable-full</c> (n events): the spool's folder is a small file system the test mounted (room for two
/// segments of 256 KiB, not three); the listener is held at its first event while n events are logged, so the
/// spool fills and the third segment cannot be allocated; then the listener is let go and the logger closed. Prints
/// "written w reported r" (the events the sink got, and those reported), then each distinct report.</item>
/// </list>
/// A small spool (1 MiB, segments of 256 KiB) in Block mode, so that the kills also land while segments roll over,
/// while the listener deletes them, and while producers wait for room.
/// </summary>
static class DurableScenarios
{
    static int Fill(string folder, int count)
    {
        var sink = new GatedCountingSink();
        var reports = new CountingFailureListener();
        var padding = new string('x', 100);
        using (var logger = new LoggerConfiguration()
                   .WriteTo.Fallible(w => w.Queue(a => a.Sink(sink), spool: Path.Combine(folder, "spool"), spoolSizeLimit: 1024 * 1024), reports)
                   .CreateLogger())
        {
            for (var i = 0; i < count; i++) logger.Information("Event {Sequence} {Padding}", i, padding);
            sink.Open();
        }

        Console.WriteLine($"written {sink.Written} reported {reports.Events}");
        foreach (var message in reports.Messages) Console.WriteLine("report " + message);
        return 0;
    }

    public static int? Run(string scenario, string folder, int run)
    {
        if (scenario is "durable-full") return Fill(folder, run);
        if (scenario is not ("durable-kill" or "durable-drain")) return null;

        Log.Logger = new LoggerConfiguration()
            .WriteTo.Queue(
                a => a.File(Path.Combine(folder, "delivered.log"), outputTemplate: "{Message:l} {QueueRedelivered}{NewLine}",
                    buffered: false, formatProvider: CultureInfo.InvariantCulture),
                spool: Path.Combine(folder, "spool"),
                spoolSizeLimit: 1024 * 1024)
            .CreateLogger();

        if (scenario == "durable-drain")
        {
            Log.CloseAndFlush();
            return 0;
        }

        using var progressFile = MemoryMappedFile.CreateFromFile(Path.Combine(folder, $"progress-{run}"), FileMode.Create, null, 8);
        using var progress = progressFile.CreateViewAccessor(0, 8);
        progress.Write(0, -1L);
        for (long i = 0; ; i++)
        {
            Log.Information("{Run}:{Sequence}", run, i);
            progress.Write(0, i);

            // Ready once logging runs, so that the test's random delay measures from there, however slow the start.
            if (i == 0)
            {
                Console.WriteLine("ready");
                Console.Out.Flush();
            }
        }
    }
}
