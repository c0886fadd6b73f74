using Serilog.Debugging;
using Serilog.Sinks.Queue;

namespace Serilog.Sinks.QueueListener.ProcessExitApp;

/// <summary>
/// Applications as a newcomer writes them, without SelfLog or a failure listener of their own, where something goes
/// wrong: what they show on standard error is the point.
/// <list type="bullet">
/// <item><c>throwing</c>: every event fails in the sink; <c>Log.CloseAndFlush()</c>.</item>
/// <item><c>throwing-quiet</c>: the same with <c>reportToStandardError: false</c>.</item>
/// <item><c>throwing-selflog</c>: the same with SelfLog enabled on standard error.</item>
/// <item><c>dropping</c>: a queue of one event in <c>DropIncoming</c> mode in front of a slow file sink.</item>
/// <item><c>slow</c>: the file sink takes about a millisecond an event, and <c>Main</c> returns without
/// <c>Log.CloseAndFlush()</c>: the exit drain runs out.</item>
/// <item><c>stalled</c>: a sink over a queue of 10 whose listener was built but never started; prints "logged 10"
/// and then blocks on the 11th event.</item>
/// </list>
/// </summary>
static class DefaultAppScenarios
{
    public static int? Run(string scenario, string path, int count)
    {
        switch (scenario)
        {
            case "throwing":
            case "throwing-quiet":
            case "throwing-selflog":
                if (scenario == "throwing-selflog") SelfLog.Enable(Console.Error);
                Log.Logger = new LoggerConfiguration()
                    .WriteTo.Queue(a => a.Sink(new AlwaysThrowingSink()), reportToStandardError: scenario != "throwing-quiet")
                    .CreateLogger();
                LogEvents(count);
                Log.CloseAndFlush();
                return 0;
            case "dropping":
                Log.Logger = new LoggerConfiguration()
                    .WriteTo.Queue(a => a.Sink(new SlowFileSink(path, TimeSpan.FromMilliseconds(1))), bufferSize: 1,
                        fullMode: Sinks.Queue.QueueFullMode.DropIncoming)
                    .CreateLogger();
                LogEvents(count);
                Log.CloseAndFlush();
                return 0;
            case "slow":
                Log.Logger = new LoggerConfiguration()
                    .WriteTo.Queue(a => a.Sink(new SlowFileSink(path, TimeSpan.FromMilliseconds(1))))
                    .CreateLogger();
                LogEvents(count);
                return 0;
            case "stalled":
                var queue = new LogEventQueue(10);
                _ = new Queue.QueueListener(queue, new AlwaysThrowingSink());
                Log.Logger = new LoggerConfiguration().WriteTo.Sink(new QueueSink(queue)).CreateLogger();
                LogEvents(10);
                Console.WriteLine("logged 10");
                Console.Out.Flush();
                LogEvents(1);
                Console.WriteLine("logged 11");
                return 0;
            default:
                return null;
        }
    }

    static void LogEvents(int count)
    {
        for (var i = 0; i < count; i++)
        {
            Log.Information("Event {Sequence}", i);
        }
    }
}
