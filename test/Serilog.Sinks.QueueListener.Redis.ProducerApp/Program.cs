using System.Diagnostics;
using System.Globalization;
using System.IO.MemoryMappedFiles;
using Serilog;
using Serilog.Debugging;
using Serilog.Sinks.Queue;

// Usage: <configuration> <streamKey> <producer id> <events> <events per second> [<shutdown timeout, s> [exit]]
// Logs events 1..<events>, each with the properties Producer and Sequence, through WriteTo.Queue (Block mode) into
// the stream, no faster than the given rate, so that a collector can be killed while this is still producing. Prints
// "producing" once the logger is built, and "produced <events> dropped <n>" once closing the logger has drained the
// queue into the stream; exits with 1 when anything was dropped or reported.
// With a shutdown timeout, the events reported to the failure listener are counted instead, and the process prints
// "reported <distinct events> of <reports of events>" as it exits (after the queue's exit drain), and exits
// with 0. With "exit" after the timeout, it returns from Main without closing the logger, leaving the queue to its
// exit drain.
// With "spool <folder>" instead of the timeout, the queue keeps its events in the spool <folder>/spool (opened again by
// the next run over the folder, which first sends what this one left), and after each Emit returns, the event's number
// is stored in <folder>/progress-<producer id> (8 bytes, memory-mapped, so that it survives a kill): the test kills
// this process and reads there the last event whose Emit returned. Reports (an outage of Redis) go to standard error
// without making the exit code 1; only drops do.
var spooled = args.Length == 7 && args[5] == "spool";
if (args.Length is not (5 or 6 or 7) || (args.Length == 7 && args[6] != "exit" && !spooled))
{
    Console.Error.WriteLine("usage: <configuration> <streamKey> <producer id> <events> <events per second> [<shutdown timeout, s> [exit] | spool <folder>]");
    return 2;
}

var (configuration, streamKey, producer) = (args[0], args[1], args[2]);
var count = int.Parse(args[3], CultureInfo.InvariantCulture);
var rate = double.Parse(args[4], CultureInfo.InvariantCulture);
var counting = args.Length >= 6 && !spooled;
var closeLogger = args.Length < 7 || spooled;
var spoolFolder = spooled ? args[6] : null;
var shutdownTimeout = counting ? TimeSpan.FromSeconds(double.Parse(args[5], CultureInfo.InvariantCulture)) : TimeSpan.FromSeconds(60);
var reports = new ReportedEvents();

var failures = 0;
SelfLog.Enable(message =>
{
    Interlocked.Increment(ref failures);
    Console.Error.WriteLine(message);
});

QueueHandle? handle = null;
var logger = new LoggerConfiguration()
    .Enrich.WithProperty("Producer", producer)
    .WriteTo.Fallible(w => w.Queue(a => a.RedisStream(configuration, streamKey), fullMode: QueueFullMode.Block,
        shutdownTimeout: shutdownTimeout, monitor: h => handle = h,
        spool: spoolFolder is null ? null : Path.Combine(spoolFolder, "spool")), reports)
    .CreateLogger();

using var progressFile = spoolFolder is null ? null
    : MemoryMappedFile.CreateFromFile(Path.Combine(spoolFolder, "progress-" + producer), FileMode.Create, null, 8);
using var progress = progressFile?.CreateViewAccessor(0, 8);
progress?.Write(0, 0L);
Console.WriteLine("producing");

// Registered after the logger, so it runs after the queue's exit drain.
if (counting) AppDomain.CurrentDomain.ProcessExit += (_, _) => Console.WriteLine($"reported {reports.Distinct} of {reports.Total}");

var clock = Stopwatch.StartNew();
var due = TimeSpan.Zero;
for (var sequence = 1; sequence <= count; sequence++)
{
    logger.Information("Event {Sequence}", sequence);
    progress?.Write(0, (long)sequence);

    // Paced by the due time of each hundred events, not by a sleep per event, so the rate holds whatever a sleep
    // costs. A producer held up (stopped by a test, or starved of CPU) starts its schedule again from where it is
    // instead of bursting to catch up: the tests count on it producing for as long as its events take at the rate.
    if (sequence % 100 == 0)
    {
        due += TimeSpan.FromSeconds(100 / rate);
        var ahead = due - clock.Elapsed;
        if (ahead > TimeSpan.Zero) Thread.Sleep(ahead);
        else due = clock.Elapsed;
    }
}

var dropped = handle?.DroppedCount ?? -1;
if (!closeLogger) return 0;
logger.Dispose();
Console.WriteLine($"produced {count} dropped {dropped}");
if (counting) return 0;
if (spooled) return dropped == 0 ? 0 : 1;
return dropped == 0 && Volatile.Read(ref failures) == 0 && reports.Reports == 0 ? 0 : 1;
