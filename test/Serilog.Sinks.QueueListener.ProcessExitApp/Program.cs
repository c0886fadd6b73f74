using System.Globalization;
using Serilog;
using Serilog.Debugging;
using Serilog.Sinks.QueueListener.ProcessExitApp;

// Usage: ProcessExitApp <file> <event count> [until-killed | environment-exit | hanging-dispose | no-exit-drain | a scenario of
// DefaultAppScenarios or SignalScenarios] | ProcessExitApp <folder> <run> durable-kill | durable-drain (DurableScenarios)
//
// Logs "Event 0" .. "Event n-1", one a line, through WriteTo.Queue into <file>, then returns from Main without
// Log.CloseAndFlush(): the queue must drain from the process-exit handler. With "environment-exit" it ends with
// Environment.Exit(3) instead. With "until-killed" it keeps logging after the count, printing "running" once the
// count is reached, until the test kills it. With "hanging-dispose" the queue also writes to a second sink whose
// Dispose never returns, and the shutdown timeout is left unlimited: the exit must still come.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: ProcessExitApp <file> <event count> [until-killed | environment-exit | hanging-dispose]");
    return 2;
}

var path = args[0];
var count = int.Parse(args[1], CultureInfo.InvariantCulture);
var ending = args.Length > 2 ? args[2] : "return";
if ((DefaultAppScenarios.Run(ending, path, count) ?? SignalScenarios.Run(ending, path) ?? DurableScenarios.Run(ending, path, count)) is { } exitCode)
{
    return exitCode;
}

// Failures (events reported after disposal began, among others) go to stderr, for the test to show.
SelfLog.Enable(Console.Error);

Log.Logger = new LoggerConfiguration()
    .WriteTo.Queue(a =>
    {
        a.File(path, outputTemplate: "{Message:l}{NewLine}", formatProvider: CultureInfo.InvariantCulture);
        if (ending == "hanging-dispose") a.Sink(new NeverDisposedSink());
    }, drainOnProcessExit: ending != "no-exit-drain")
    .CreateLogger();

for (var i = 0; i < count; i++)
{
    Log.Information("Event {Sequence}", i);
}

if (ending == "environment-exit")
{
    Environment.Exit(3);
}

if (ending == "until-killed")
{
    Console.WriteLine("running");
    Console.Out.Flush();
    for (var i = count; ; i++)
    {
        Log.Information("Event {Sequence}", i);
    }
}

if (ending == "hanging-dispose")
{
    // From here the exit drain's cap (5 s) is what the test measures.
    Console.WriteLine("returning");
    Console.Out.Flush();
}

return 0;
