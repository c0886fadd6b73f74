using System.Globalization;
using Serilog.Debugging;
using Serilog.Sinks.Queue;
using Serilog.Sinks.Queue.Redis;
using Serilog.Sinks.QueueListener.Redis.CollectorApp;

// Usage: <configuration> <streamKey> <group> <consumer> <output file> <claim idle ms> <events before the signal> <hang|run>
// Reads the stream as <consumer> of <group> and writes a line per event to the file (see EventLineSink). Prints
// "collecting" once the listener has started, and "written <n>" once that many events are written (not at all for
// 0), then with "hang" stops in the sink, mid-batch, to be killed; with "run" it goes on. Stops when its standard
// input ends or gives a line: the listener is stopped (what it read is written and acknowledged) and it prints
// "stopped <events written>".
if (args.Length != 8 || args[7] is not ("hang" or "run"))
{
    Console.Error.WriteLine("usage: <configuration> <streamKey> <group> <consumer> <output file> <claim idle ms> <events before the signal> <hang|run>");
    return 2;
}

var claimIdleTime = TimeSpan.FromMilliseconds(int.Parse(args[5], CultureInfo.InvariantCulture));
var signalAfter = int.Parse(args[6], CultureInfo.InvariantCulture);
SelfLog.Enable(Console.Error);

using var output = new StreamWriter(args[4], append: false) { AutoFlush = true };
var sink = new EventLineSink(output, signalAfter, hang: args[7] == "hang");
using var queue = new RedisStreamQueue(args[0], args[1], new RedisStreamQueueOptions { GroupName = args[2], ConsumerName = args[3], ClaimIdleTime = claimIdleTime });
var listener = new QueueListener(queue, sink).Start();
Console.WriteLine("collecting");

Console.In.ReadLine();
listener.Dispose();
Console.WriteLine($"stopped {sink.Written}");
return 0;
