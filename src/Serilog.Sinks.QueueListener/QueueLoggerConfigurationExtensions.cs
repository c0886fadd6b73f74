using Serilog.Configuration;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Queue;

namespace Serilog;

/// <summary>
/// Adds <c>WriteTo.Queue(...)</c> to <see cref="LoggerSinkConfiguration"/>.
/// </summary>
public static class QueueLoggerConfigurationExtensions
{
    /// <summary>
    /// Write events through a bounded queue: the calling thread only enqueues, and a dedicated listener thread writes
    /// each event to the sinks that <paramref name="configure"/> adds.
    /// </summary>
    /// <param name="loggerSinkConfiguration">The sink configuration.</param>
    /// <param name="configure">Adds the sinks the listener writes to, as in <c>a =&gt; a.File("log.txt")</c>.</param>
    /// <param name="bufferSize">The most events the queue holds at once, from 1 to
    /// <see cref="LogEventQueue.MaxCapacity"/>.</param>
    /// <param name="fullMode">What to do with a new event when the queue is full: wait for room (the default, which
    /// loses nothing), drop the incoming event, or drop the oldest queued event.</param>
    /// <param name="shutdownTimeout">How long disposal (<c>Log.CloseAndFlush()</c>) waits for the queue to drain;
    /// <see langword="null"/> for no limit. Events still queued then are reported to the failure listener.</param>
    /// <param name="restrictedToMinimumLevel">The minimum level of events to enqueue; checked on the calling
    /// thread. Ignored when <paramref name="levelSwitch"/> is given.</param>
    /// <param name="levelSwitch">A switch to change the minimum level at run time.</param>
    /// <param name="prepare">Enrichers run on the listener thread, off the application's hot path, on a private
    /// copy of each event. Enrichers that read the calling thread or <c>LogContext</c> belong on the logger
    /// instead.</param>
    /// <param name="listenerType">A class derived from <see cref="QueueListener"/>, with a public constructor
    /// (<see cref="ILogEventQueue"/>, <see cref="IEnumerable{T}"/> of <see cref="ILogEventSink"/>), to use instead
    /// of <see cref="QueueListener"/>.</param>
    /// <param name="name">Tells this queue apart from others in metrics (the <c>queue.name</c> tag of the
    /// <see cref="QueueListener.MeterName"/> meter); by default <c>queue-</c> and a number.</param>
    /// <param name="drainOnProcessExit">When the process exits normally (<c>Main</c> returns,
    /// <c>Environment.Exit</c>) without <c>Log.CloseAndFlush()</c>, drain the queue and dispose the sinks from
    /// <see cref="AppDomain.ProcessExit"/>, waiting at most <paramref name="shutdownTimeout"/>, or 5 seconds when that
    /// is unlimited. <see langword="false"/> leaves disposal entirely to the application; events still queued at exit
    /// are then lost. The registration is removed when the logger is disposed. A signal is not a normal exit: since
    /// .NET 10, SIGTERM no longer raises <see cref="AppDomain.ProcessExit"/> unless the application handles it.</param>
    /// <param name="monitor">Receives, once the queue is built, a <see cref="QueueHandle"/> to read its state and
    /// counters and flush it, as in <c>monitor: q =&gt; queue = q</c>.</param>
    /// <param name="listenerFactory">Creates the listener, for a <see cref="QueueListener"/> subclass whose
    /// constructor takes more than the queue and the sinks; from code only. Give either this or
    /// <paramref name="listenerType"/>. It must return a listener over the queue it is given, not yet started:
    /// <c>WriteTo.Queue</c> starts it.</param>
    /// <param name="reportToStandardError">While no failure listener of the application's own is set (as
    /// <c>WriteTo.FallbackChain</c> and <c>WriteTo.Fallible</c> set one) and <see cref="Serilog.Debugging.SelfLog"/> is
    /// off, also show failures on standard error: the first of each cause at once, then at most a line per cause every
    /// 10 seconds and a few lines a second in all, and a summary of the counts at shutdown. <see langword="false"/>
    /// keeps Serilog's convention: failures go to SelfLog only.</param>
    /// <param name="protectedLevel">In <see cref="QueueFullMode.DropIncoming"/> and
    /// <see cref="QueueFullMode.DropOldest"/> modes, events at or above this level are never dropped: they wait for
    /// room, as in Block mode, while events below it are still dropped. <see langword="null"/> (the default)
    /// protects none. No effect in Block mode, which drops nothing.</param>
    /// <param name="flushAtLevel">After an event at or above this level is written, flush the sinks
    /// (<c>FlushToDisk</c>) before the next event, at most once per 100 ms under a flood;
    /// <see langword="null"/> (the default) flushes only when asked.</param>
    /// <param name="hold">Hold events below a level in memory, per trace or request, until an event at or above a
    /// trigger level writes them (Python's <c>MemoryHandler</c>); see <see cref="HoldOptions"/>.
    /// <see langword="null"/> (the default) holds nothing.</param>
    /// <param name="spool">A folder to keep the queue in, on disk, instead of memory: a
    /// <see cref="DurableLogEventQueue"/>. An event <c>Emit</c> accepted then survives the death of the process, and
    /// the next start over the same folder writes every event the sinks had not acknowledged (those that may have been
    /// written already carry <c>QueueRedelivered: true</c>). One process at a time may use a folder.
    /// <paramref name="bufferSize"/> does not apply: the spool is bounded by <paramref name="spoolSizeLimit"/>, and
    /// <paramref name="fullMode"/> may be Block or DropIncoming. See docs/durable.md.</param>
    /// <param name="spoolSizeLimit">With <paramref name="spool"/>: the most bytes its files take on disk, from 1 MiB;
    /// 256 MiB by default.</param>
    /// <param name="flushToDisk">With <paramref name="spool"/>: <see langword="null"/> (the default) to leave writing
    /// to the disk to the operating system (events survive the process's death, not a power loss); an interval for a
    /// group commit that often (a power loss takes at most that much); <see cref="TimeSpan.Zero"/> to flush every
    /// event before <c>Emit</c> returns (the slowest).</param>
    /// <returns>Configuration object allowing method chaining.</returns>
    /// <exception cref="ArgumentNullException">When <paramref name="loggerSinkConfiguration"/> or
    /// <paramref name="configure"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="bufferSize"/>,
    /// <paramref name="fullMode"/>, <paramref name="shutdownTimeout"/>, <paramref name="protectedLevel"/>,
    /// <paramref name="flushAtLevel"/>, <paramref name="spoolSizeLimit"/> or <paramref name="flushToDisk"/> is out of
    /// range.</exception>
    /// <exception cref="ArgumentException">When <paramref name="listenerType"/> is not a usable
    /// <see cref="QueueListener"/> class, both it and <paramref name="listenerFactory"/> are given, or
    /// <paramref name="name"/> or <paramref name="spool"/> is empty, or <paramref name="spool"/> is given with
    /// <see cref="QueueFullMode.DropOldest"/> or with <paramref name="protectedLevel"/>.</exception>
    /// <exception cref="IOException">When another process, or another queue, uses <paramref name="spool"/>, or its files
    /// cannot be made.</exception>
    /// <exception cref="InvalidOperationException">When <paramref name="listenerFactory"/> returns
    /// <see langword="null"/>, a listener over another queue or a running listener, or the constructor of
    /// <paramref name="listenerType"/> throws.</exception>
    public static LoggerConfiguration Queue(
        this LoggerSinkConfiguration loggerSinkConfiguration,
        Action<LoggerSinkConfiguration> configure,
        int bufferSize = 10000,
        QueueFullMode fullMode = QueueFullMode.Block,
        TimeSpan? shutdownTimeout = null,
        LogEventLevel restrictedToMinimumLevel = LevelAlias.Minimum,
        LoggingLevelSwitch? levelSwitch = null,
        Action<LoggerEnrichmentConfiguration>? prepare = null,
        Type? listenerType = null,
        string? name = null,
        bool drainOnProcessExit = true,
        Action<QueueHandle>? monitor = null,
        Func<ILogEventQueue, IEnumerable<ILogEventSink>, QueueListener>? listenerFactory = null,
        bool reportToStandardError = true,
        LogEventLevel? protectedLevel = null,
        LogEventLevel? flushAtLevel = null,
        HoldOptions? hold = null,
        string? spool = null,
        long spoolSizeLimit = DurableLogEventQueue.DefaultSizeLimit,
        TimeSpan? flushToDisk = null)
    {
        if (loggerSinkConfiguration is null) throw new ArgumentNullException(nameof(loggerSinkConfiguration));
        if (configure is null) throw new ArgumentNullException(nameof(configure));
        if (bufferSize is < 1 or > LogEventQueue.MaxCapacity)
        {
            throw new ArgumentOutOfRangeException(nameof(bufferSize), bufferSize,
                $"The buffer size must be from 1 to {LogEventQueue.MaxCapacity:N0} events.");
        }

        if (fullMode is not (QueueFullMode.Block or QueueFullMode.DropIncoming or QueueFullMode.DropOldest))
        {
            throw new ArgumentOutOfRangeException(nameof(fullMode), fullMode,
                "The full mode must be Block, DropIncoming or DropOldest.");
        }

        if (name is not null && string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("The name must not be empty or white space.", nameof(name));
        }

        LevelChecks.Validate(protectedLevel, nameof(protectedLevel));
        LevelChecks.Validate(flushAtLevel, nameof(flushAtLevel));
        var timeout = ShutdownTimeouts.Validate(shutdownTimeout, nameof(shutdownTimeout));
        if (listenerType is not null && listenerFactory is not null)
        {
            throw new ArgumentException("Give either a listener type or a listener factory, not both.", nameof(listenerFactory));
        }

        var createListener = listenerFactory is not null
            ? ListenerActivation.FromFactory(listenerFactory)
            : ListenerActivation.Resolve(listenerType, nameof(listenerType));
        var preparation = prepare is null ? null : EventPreparation.Create(prepare);

        var createQueue = QueueFactory(bufferSize, fullMode, protectedLevel, spool, spoolSizeLimit, flushToDisk);
        var queueSink = LoggerSinkConfiguration.Wrap(
            wrapped =>
            {
                var queue = createQueue();
                QueueListener listener;
                try
                {
                    listener = createListener(queue, [wrapped]);
                }
                catch
                {
                    (queue as IDisposable)?.Dispose();
                    throw;
                }

                listener.Preparation = preparation;
                listener.ConfigureLevelAware(hold, flushAtLevel);
                if (name is not null) listener.Name = name;
                var sink = new QueueSink(queue, listener, timeout);
                if (queue is IDisposable disposableQueue) sink.DisposeQueueAfterListener(disposableQueue);
                sink.RestrictTo(restrictedToMinimumLevel, levelSwitch);
                if (!reportToStandardError) sink.SetFailureListener(SelfLogOnlyFailureListener.Instance);
                listener.Start();
                if (drainOnProcessExit) sink.DrainOnProcessExit();
                HandOver(sink, monitor);
                return sink;
            },
            configure);

        // The level is applied inside the sink, not here: see QueueSink.RestrictTo.
        return loggerSinkConfiguration.Sink(queueSink);
    }

    /// <summary>The in-memory queue, or with <paramref name="spool"/> the durable one, its arguments checked now, at
    /// configuration, rather than when the logger is built.</summary>
    static Func<ILogEventQueue> QueueFactory(int bufferSize, QueueFullMode fullMode, LogEventLevel? protectedLevel,
        string? spool, long spoolSizeLimit, TimeSpan? flushToDisk)
    {
        if (spool is null) return () => new LogEventQueue(bufferSize, fullMode, protectedLevel);

        // A spool drops only in DropIncoming, and only for want of disk: protecting a level there is not built.
        if (protectedLevel is not null)
        {
            throw new ArgumentException("A protected level applies to the in-memory queue only; leave it out with a spool.", nameof(protectedLevel));
        }

        SpoolSettings.Validate(spool, spoolSizeLimit, fullMode, flushToDisk, nameof(spool), nameof(spoolSizeLimit), nameof(fullMode), nameof(flushToDisk));
        return () => new DurableLogEventQueue(spool, spoolSizeLimit, fullMode, flushToDisk);
    }

    static void HandOver(QueueSink sink, Action<QueueHandle>? monitor)
    {
        if (monitor is null) return;

        try
        {
            monitor(new QueueHandle(sink));
        }
        catch
        {
            // The configuration fails; do not leave the listener thread behind it.
            sink.Dispose();
            throw;
        }
    }
}
