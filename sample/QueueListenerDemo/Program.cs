using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Serilog;
using Serilog.Debugging;

// The whole pipeline comes from appsettings.json: WriteTo.Queue in front of Console and File.
var configuration = new ConfigurationBuilder()
    .SetBasePath(AppContext.BaseDirectory)
    .AddJsonFile("appsettings.json")
    .Build();

// The file sink opens its file as the logger is built, so clear the previous run's file first.
var logPath = Path.Combine(Environment.CurrentDirectory, "logs", "demo.log");
if (File.Exists(logPath)) File.Delete(logPath);

SelfLog.Enable(Console.Error);
Log.Logger = new LoggerConfiguration()
    .ReadFrom.Configuration(configuration)
    .Enrich.WithProperty("ThreadId", "main")
    .CreateLogger();

const int threads = 4;
const int eventsPerThread = 25_000;
Log.Information("Demo started: {Threads} threads will log {Events:N0} events each", threads, eventsPerThread);

var clock = Stopwatch.StartNew();
var workers = Enumerable.Range(1, threads).Select(worker => new Thread(() =>
{
    var log = Log.ForContext("ThreadId", $"worker-{worker}");
    for (var i = 1; i <= eventsPerThread; i++)
    {
        // Debug goes to the file only; every 5,000th event also shows on the console.
        if (i % 5000 == 0) log.Information("Worker {Worker} reached event {Sequence:N0}", worker, i);
        else log.Debug("Worker {Worker} wrote event {Sequence}", worker, i);
    }
})).ToList();

workers.ForEach(t => t.Start());
workers.ForEach(t => t.Join());
var logging = clock.Elapsed;

Log.Information("All threads done");
var closing = Stopwatch.StartNew();
Log.CloseAndFlush();
closing.Stop();

var total = threads * eventsPerThread + 2;    // and the main thread's two
Console.WriteLine();
Console.WriteLine($"{threads} threads logged {threads * eventsPerThread:N0} events in {logging.TotalMilliseconds:N0} ms. In Block " +
                  "mode they wait for room whenever the file sink falls 10,000 events behind, so this is the file's pace.");
Console.WriteLine($"Log.CloseAndFlush() took {closing.Elapsed.TotalMilliseconds:N0} ms: it wrote what was still queued, " +
                  "then closed the console and the file.");

// The verdict comes from the file, not from the logger.
var lines = File.ReadLines(logPath).Count();
Console.WriteLine(lines == total
    ? $"The file {logPath} holds {lines:N0} lines: every event was written."
    : $"The file {logPath} holds {lines:N0} lines, not the {total:N0} logged: {total - lines:N0} events are missing.");
return lines == total ? 0 : 1;
