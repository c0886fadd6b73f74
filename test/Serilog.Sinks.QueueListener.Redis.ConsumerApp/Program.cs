using System.Globalization;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Queue;
using Serilog.Sinks.Queue.Redis;

// Usage: <configuration> <streamKey> <group> <consumer> <output file> <events to write before hanging>
// Reads the stream as <consumer>, appends the property N of each event to the file, one line each, and after the
// given number of events prints "hanging" and stops in the sink until it is killed.
if (args.Length != 6)
{
    Console.Error.WriteLine("usage: <configuration> <streamKey> <group> <consumer> <output file> <events before hanging>");
    return 2;
}

var limit = int.Parse(args[5], CultureInfo.InvariantCulture);
using var output = new StreamWriter(args[4], append: false) { AutoFlush = true };
using var queue = new RedisStreamQueue(args[0], args[1], new RedisStreamQueueOptions { GroupName = args[2], ConsumerName = args[3] });
using var listener = new QueueListener(queue, new HangingSink(output, limit)).Start();
Thread.Sleep(Timeout.Infinite);
return 0;

sealed class HangingSink(StreamWriter output, int limit) : ILogEventSink
{
    int _written;

    public void Emit(LogEvent logEvent)
    {
        if (_written == limit)
        {
            Console.Out.WriteLine("hanging");
            Console.Out.Flush();
            Thread.Sleep(Timeout.Infinite);
        }

        output.WriteLine(logEvent.Properties["N"].ToString());
        _written++;
    }
}
