using System.Globalization;
using Serilog;

// Usage: QueueProducer <redis> <streamKey> <producer id> <events>
// Logs the events through WriteTo.Queue into the Redis stream, closes the logger (which drains the queue into the
// stream), and prints how many it produced.
if (args.Length != 4)
{
    Console.Error.WriteLine("usage: QueueProducer <redis> <streamKey> <producer id> <events>");
    return 2;
}

var (redis, streamKey, producer) = (args[0], args[1], args[2]);
var count = int.Parse(args[3], CultureInfo.InvariantCulture);

Log.Logger = new LoggerConfiguration()
    .MinimumLevel.Debug()
    .Enrich.WithProperty("Producer", producer)
    .WriteTo.Queue(a => a.RedisStream(redis, streamKey), shutdownTimeout: TimeSpan.FromSeconds(30))
    .CreateLogger();

for (var i = 1; i <= count; i++)
{
    // Debug goes to the collector's file only; every 1,000th event also shows on its console.
    if (i % 1000 == 0) Log.Information("Producer {ProducerId} reached event {Sequence:N0}", producer, i);
    else Log.Debug("Producer {ProducerId} wrote event {Sequence}", producer, i);
}

Log.CloseAndFlush();
Console.WriteLine($"producer {producer}: produced {count:N0} events");
return 0;
