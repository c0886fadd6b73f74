using Serilog.Core;
using Serilog.Settings.Configuration;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;

namespace Serilog.Sinks.QueueListener.Tests.Configuration;

/// <summary>
/// <c>WriteTo.Queue</c> configured from JSON files through Serilog.Settings.Configuration, with no "Using" entry:
/// the assembly is found because its name contains "Serilog".
/// </summary>
/// <remarks>
/// The nested <c>prepare</c> list takes enricher extension methods (<c>WithThreadName</c>) and <c>With</c> with a type
/// name, but not <c>WithProperty</c>: that is an instance method of <c>LoggerEnrichmentConfiguration</c>, which
/// Serilog.Settings.Configuration does not look for in nested lists (it reports the miss to SelfLog and goes on).
/// </remarks>
public class JsonSettingsTests
{
    const string ListSinkPath = "Serilog:WriteTo:0:Args:configure:0:Args:path";
    const string ListArgs = "Serilog:WriteTo:0:Args:";

    static Logger CreateLogger(string fileName, params (string Key, string? Value)[] overrides)
    {
        return new LoggerConfiguration()
            .ReadFrom.Configuration(JsonSettings.Load(fileName, overrides))
            .CreateLogger();
    }

    [Test]
    public void EveryParameterBindsFromJson()
    {
        using var folder = new TempFolder();
        var path = folder.AllocateFilename();

        using (var logger = CreateLogger("Queue.AllParameters.json", (ListSinkPath, path)))
        {
            logger.Debug("below the queue's minimum level");
            logger.Information("Hello {Name}", "world");
            logger.Warning("Second");
        }

        Assert.That(LogFile.ReadLines(path), Is.EqualTo(new[]
        {
            "INF Hello world App=Demo Thread=Serilog.Sinks.QueueListener Listener=TaggingListener Capacity=64 FullMode=DropOldest Name=from-json",
            "WRN Second App=Demo Thread=Serilog.Sinks.QueueListener Listener=TaggingListener Capacity=64 FullMode=DropOldest Name=from-json",
        }));
    }

    [Test]
    public void TheShutdownTimeoutFromJsonBoundsDisposalWhenASinkHangs()
    {
        try
        {
            var logger = CreateLogger("Queue.HangingSink.json");
            logger.Information("one event");
            var stopwatch = System.Diagnostics.Stopwatch.StartNew();

            // Unlimited, the default, this disposal would hang with the sink.
            var disposal = BoundedCall.Run(logger.Dispose, TimeSpan.FromSeconds(20));

            Assert.That(disposal.Completed, Is.True, "disposal was not bounded by the shutdown timeout from JSON");
            Assert.That(stopwatch.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(450)));
        }
        finally
        {
            StaticallyReleasedHangingSink.ReleaseAll();
        }
    }

    [TestCase(null, false)]
    [TestCase("true", true)]
    public void ReportToStandardErrorBindsFromJson(string? overridden, bool shown)
    {
        // Failures reach standard error only while SelfLog is off; another test may have left it on.
        Debugging.SelfLog.Disable();
        var output = new StringWriter();
        var original = StandardErrorReports.Output;
        StandardErrorReports.Output = () => output;
        StandardErrorReports.Reset();
        try
        {
            var overrides = overridden is null ? [] : new[] { (ListArgs + "reportToStandardError", (string?)overridden) };
            using (var logger = CreateLogger("Queue.ThrowingSink.json", overrides))
            {
                logger.Information("fails in the sink");
            }

            Assert.That(output.ToString(), shown ? Does.Contain("failed emitting an event to the sink") : Is.Empty);
        }
        finally
        {
            StandardErrorReports.Output = original;
            StandardErrorReports.Reset();
        }
    }

    [Test]
    public void TheLevelSwitchIsLookedUpByNameAndChangesTheQueuesLevelAtRunTime()
    {
        using var folder = new TempFolder();
        var path = folder.AllocateFilename();
        var switches = new Dictionary<string, LoggingLevelSwitch>();
        var options = new ConfigurationReaderOptions { OnLevelSwitchCreated = (name, levelSwitch) => switches[name] = levelSwitch };

        using (var logger = new LoggerConfiguration()
            .ReadFrom.Configuration(JsonSettings.Load("Queue.LevelSwitch.json", (ListSinkPath, path)), options)
            .CreateLogger())
        {
            logger.Information("filtered by the switch");
            logger.Warning("first");
            switches["$queueSwitch"].MinimumLevel = Events.LogEventLevel.Information;
            logger.Information("second");
        }

        Assert.That(LogFile.ReadLines(path), Is.EqualTo(new[] { "WRN first", "INF second" }));
    }

    [Test]
    public void TheKeyedFormBindsAndItsArgumentsCanBeOverriddenByKey()
    {
        using var folder = new TempFolder();
        var path = folder.AllocateFilename();

        using (var logger = CreateLogger("Queue.Keyed.json",
            ("Serilog:WriteTo:Queue:Args:configure:File:Args:path", path),
            ("Serilog:WriteTo:Queue:Args:restrictedToMinimumLevel", "Warning")))
        {
            logger.Information("filtered by the override");
            logger.Error("kept");
        }

        Assert.That(LogFile.ReadLines(path), Is.EqualTo(new[] { "ERR kept Thread=Serilog.Sinks.QueueListener" }));
    }

    [Test]
    public void ANegativeBufferSizeIsRejectedNamingTheParameter()
    {
        Assert.That(Rejection("bufferSize", "-1"), Is.TypeOf<ArgumentOutOfRangeException>()
            .With.Property(nameof(ArgumentException.ParamName)).EqualTo("bufferSize"));
    }

    [Test]
    public void AnUndefinedFullModeNumberIsRejectedNamingTheParameter()
    {
        Assert.That(Rejection("fullMode", "7"), Is.TypeOf<ArgumentOutOfRangeException>()
            .With.Property(nameof(ArgumentException.ParamName)).EqualTo("fullMode"));
    }

    [Test]
    public void AnUnknownFullModeNameIsRejectedNamingTheValue()
    {
        // Serilog.Settings.Configuration parses the name with Enum.Parse before WriteTo.Queue is called, so the
        // message is the runtime's; it names the value, not the parameter.
        Assert.That(Rejection("fullMode", "DropEverything"), Is.TypeOf<ArgumentException>()
            .With.Message.Contains("DropEverything"));
    }

    [Test]
    public void ANegativeShutdownTimeoutIsRejectedNamingTheParameter()
    {
        Assert.That(Rejection("shutdownTimeout", "-00:00:02"), Is.TypeOf<ArgumentOutOfRangeException>()
            .With.Property(nameof(ArgumentException.ParamName)).EqualTo("shutdownTimeout"));
    }

    [Test]
    public void AListenerTypeThatIsNotAQueueListenerIsRejectedNamingTheParameter()
    {
        Assert.That(Rejection("listenerType", typeof(CollectingSink).AssemblyQualifiedName), Is.TypeOf<ArgumentException>()
            .With.Property(nameof(ArgumentException.ParamName)).EqualTo("listenerType"));
    }

    [Test]
    public void AListenerTypeThatDoesNotExistIsRejectedNamingTheType()
    {
        // Serilog.Settings.Configuration resolves the name with Type.GetType(name, throwOnError: true) before
        // WriteTo.Queue is called: it never passes null for a name it cannot resolve, and it names the type.
        Assert.That(Rejection("listenerType", "No.Such.Listener, Serilog.Sinks.QueueListener.Tests"),
            Is.InstanceOf<TypeLoadException>().With.Message.Contains("No.Such.Listener"));
    }

    [Test]
    public void AListenerTypeInAnAssemblyThatDoesNotExistIsRejectedNamingTheAssembly()
    {
        Assert.That(Rejection("listenerType", "No.Such.Listener, No.Such.Assembly"),
            Is.InstanceOf<FileNotFoundException>().With.Message.Contains("No.Such.Assembly"));
    }

    /// <summary>
    /// Configure a logger from the minimal file with one argument set, and return what it threw, unwrapped from the
    /// reflection call that Serilog.Settings.Configuration makes.
    /// </summary>
    static Exception? Rejection(string argument, string? value)
    {
        using var folder = new TempFolder();
        var configuration = JsonSettings.Load("Queue.Minimal.json",
            (ListSinkPath, folder.AllocateFilename()), (ListArgs + argument, value));
        try
        {
            new LoggerConfiguration().ReadFrom.Configuration(configuration).CreateLogger().Dispose();
            return null;
        }
        catch (Exception ex)
        {
            return ex is System.Reflection.TargetInvocationException { InnerException: { } inner } ? inner : ex;
        }
    }
}
