using System.Globalization;
using Serilog.Debugging;
using Serilog.Sinks.Queue;
using Serilog.Sinks.Queue.Redis;
using Serilog.Sinks.QueueListener.Redis.CollectorApp;

// Usage: <configuration> <streamKey> <group> <consumer> <output file> <claim idle ms> <events before hanging, 0: never>
// Reads the stream as <consumer> of <group> and writes a line per event to the file (see EventLineSink). Prints
// "collecting" once the listener has started. With a limit, prints "hanging after <n>" when that many events are
// written and stops in the sink, to be killed. Without one, runs until its standard input ends or gives a line, then
// stops the listener (what it read is written and acknowledged) and prints "stopped <events written>".
if (args.Length != 7)
{
    Console.Error.WriteLine("usage: <configuration> <streamKey> <group> <consumer> <output file> <claim idle ms> <events before hanging>");
    return 2;
}

var claimIdleTime = TimeSpan.FromMilliseconds(int.Parse(args[5], CultureInfo.InvariantCulture));
var hangAfter = int.Parse(args[6], CultureInfo.InvariantCulture);
SelfLog.Enable(Console.Error);

using var output = new StreamWriter(args[4], append: false) { AutoFlush = true };
var sink = new EventLineSink(output, hangAfter);
using var queue = new RedisStreamQueue(args[0], args[1], args[2], args[3], claimIdleTime: claimIdleTime);
var listener = new QueueListener(queue, sink).Start();
Console.WriteLine("collecting");

Console.In.ReadLine();
listener.Dispose();
Console.WriteLine($"stopped {sink.Written}");
return 0;
