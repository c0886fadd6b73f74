using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using Serilog;
using Serilog.Debugging;
using Serilog.Sinks.Queue;
using Serilog.Sinks.Queue.Redis;

// Reads the Redis stream through a consumer group and writes every event to the sinks of appsettings.json, until
// Ctrl-C or SIGTERM, or:
//   --seconds N      stop after N seconds;
//   --until-idle S   stop once events have arrived and then none for S seconds (the demo's way to end).
// Any setting can be given on the command line too, as in --Collector:Redis 127.0.0.1:6390.
var configuration = new ConfigurationBuilder()
    .SetBasePath(AppContext.BaseDirectory)
    .AddJsonFile("appsettings.json")
    .AddCommandLine(args)
    .Build();

var collector = configuration.GetSection("Collector");
var redis = Required(collector, "Redis");
var streamKey = Required(collector, "StreamKey");
var defaults = new RedisStreamQueueOptions();
var options = new RedisStreamQueueOptions
{
    GroupName = collector["Group"] ?? RedisStreamQueueOptions.DefaultGroupName,
    ConsumerName = collector["Consumer"] ?? Environment.MachineName,
    ClaimIdleTime = Duration(collector, "ClaimIdleTime") ?? defaults.ClaimIdleTime,
    TrimInterval = Duration(collector, "TrimInterval") ?? defaults.TrimInterval,
    MaxDeliveryCount = collector["MaxDeliveryCount"] is { } deliveries
        ? int.Parse(deliveries, CultureInfo.InvariantCulture)
        : RedisStreamQueueOptions.DefaultMaxDeliveryCount,
};
var seconds = Seconds(configuration, "seconds");
var untilIdle = Seconds(configuration, "until-idle");

SelfLog.Enable(Console.Error);

// The listener's sinks: a Logger built from the "Serilog" section is itself a sink, and disposing it (the listener
// does, when disposed) flushes and closes the console and the file.
var sinks = new LoggerConfiguration().ReadFrom.Configuration(configuration).CreateLogger();

using var stop = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

var queue = new RedisStreamQueue(redis, streamKey, options);
var listener = new QueueListener(queue, sinks).Start();
Console.WriteLine($"collector: reading stream '{streamKey}' on {redis} as '{queue.ConsumerName}' of group '{queue.GroupName}'");

var started = Environment.TickCount64;
var lastHandled = 0L;
var lastChange = started;
while (!stop.Token.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(100)))
{
    var now = Environment.TickCount64;
    var handled = listener.HandledCount;
    if (handled != lastHandled)
    {
        lastHandled = handled;
        lastChange = now;
    }

    if (seconds is { } limit && now - started >= limit.TotalMilliseconds) break;
    if (untilIdle is { } idle && handled > 0 && now - lastChange >= idle.TotalMilliseconds) break;
}

// Disposal writes and acknowledges what was read before it, then closes the sinks; what was not read stays in the
// stream for the next consumer of the group.
listener.Dispose();
queue.Dispose();
Console.WriteLine($"collector: wrote {listener.HandledCount:N0} events, then stopped");
return 0;

void OnSignal(PosixSignalContext context)
{
    // Handled here: the main loop stops and disposes, instead of the runtime ending the process.
    context.Cancel = true;
    stop.Cancel();
}

static string Required(IConfiguration section, string key) =>
    section[key] ?? throw new InvalidOperationException($"The setting Collector:{key} is missing.");

static TimeSpan? Duration(IConfiguration section, string key) =>
    section[key] is { } value ? TimeSpan.Parse(value, CultureInfo.InvariantCulture) : null;

static TimeSpan? Seconds(IConfiguration configuration, string key) =>
    configuration[key] is { } value ? TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)) : null;
