using Serilog.Events;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using Listener = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Tests.Reliability;

/// <summary>
/// <see cref="Thread.Interrupt"/> on the listener thread, which the README promises only cuts the listener's wait
/// short. The interrupts rain while other threads take the locks the listener thread takes too (reading its state,
/// asking for a flush), so that they land where the listener thread waits for such a lock: it must neither end with
/// the exception, which would take the process down, nor stop, nor leave flushing jammed.
/// </summary>
public class ListenerThreadInterruptTests
{
    [Test]
    public void InterruptsOfTheListenerThreadWhileItIsStoppedAndStartedAndItsStateIsReadLoseNothing()
    {
        const int events = 20000;
        var failures = new CollectingFailureListener();
        var queue = new LogEventQueue(16, QueueFullMode.Block);
        var checker = new OrderCheckingSink(1);
        var sink = new ThreadRecordingSink(checker);
        var listener = new Listener(queue, sink);
        listener.SetFailureListener(failures);
        listener.Start();

        var produced = 0;
        using var rain = new InterruptRain(() => sink.Thread, () =>
        {
            // The run state's lock, which the listener thread takes as each run ends.
            _ = listener.State;
        });
        var producer = StartThread(() =>
        {
            for (var i = 0; i < events; i++) queue.Enqueue(Some.Event(i), CancellationToken.None);
            Volatile.Write(ref produced, 1);
        });

        var cycles = 0;
        while (Volatile.Read(ref produced) == 0)
        {
            Assert.That(listener.Stop(Timeouts.Signal), Is.True, $"the listener did not stop in cycle {cycles}");
            listener.Start();
            cycles++;
        }

        Assert.That(producer.Join(Timeouts.Signal), Is.True);
        rain.Dispose();
        var disposal = BoundedCall.Run(listener.Dispose, TimeSpan.FromSeconds(10));

        Assert.That(disposal.Completed, Is.True, "dispose did not return");
        Assert.That(cycles, Is.Positive);
        Assert.That(failures.Failures.Select(f => f.Message), Is.Empty);
        Assert.That(checker.Violations, Is.Empty);
        Assert.That(checker.Delivered, Is.EqualTo(events));
    }

    [Test]
    public void InterruptsOfTheListenerThreadWhileFlushesAreAskedForLeaveItRunningAndFlushing()
    {
        const int flushesPerThread = 20000;
        var failures = new CollectingFailureListener();
        var queue = new LogEventQueue(16, QueueFullMode.Block);
        var sink = new ThreadRecordingSink(new CollectingSink());
        var listener = new Listener(queue, sink);
        listener.SetFailureListener(failures);
        listener.Start();
        queue.Enqueue(Some.Event(0), CancellationToken.None);
        Assert.That(SpinWait.SpinUntil(() => sink.Thread is not null, Timeouts.Signal), Is.True);

        using (new InterruptRain(() => sink.Thread, () => { }))
        {
            // Each flush takes the coalescer's lock, which the listener thread takes when it reaches a flush marker.
            var flushers = Enumerable.Range(0, 2).Select(_ => StartThread(() =>
            {
                for (var i = 0; i < flushesPerThread; i++) listener.Flush(TimeSpan.Zero);
            })).ToArray();
            foreach (var flusher in flushers) Assert.That(flusher.Join(Timeouts.Signal), Is.True);
        }

        Assert.That(listener.IsRunning, Is.True, "the listener stopped");
        Assert.That(listener.Flush(TimeSpan.FromSeconds(10)), Is.True, "flushing is jammed");
        Assert.That(failures.Failures.Select(f => f.Message), Is.Empty);
        Assert.That(BoundedCall.Run(listener.Dispose, TimeSpan.FromSeconds(10)).Completed, Is.True, "dispose did not return");
    }

    [Test]
    public void InterruptsOfAListenerThreadWhoseSinkLogsIntoAnotherQueueLoseNoneOfWhatItLogs()
    {
        const int events = 100000;
        var failures = new CollectingFailureListener();
        var collected = new CollectingSink();
        var downstream = new LoggerConfiguration()
            .WriteTo.Fallible(wt => wt.Queue(a => a.Sink(collected), bufferSize: 2 * events), failures)
            .CreateLogger();

        // Two upstream queues whose sinks log each event into the downstream one, so that their listener threads
        // contend for what every listener thread takes as it logs; only the first one's thread is interrupted.
        var forwarding = new ThreadRecordingSink(new DelegatingSink(e => downstream.Write(e)));
        var interrupted = new LoggerConfiguration()
            .WriteTo.Fallible(wt => wt.Queue(a => a.Sink(forwarding)), failures)
            .CreateLogger();
        var other = new LoggerConfiguration()
            .WriteTo.Fallible(wt => wt.Queue(a => a.Sink(new DelegatingSink(e => downstream.Write(e)))), failures)
            .CreateLogger();

        using (new InterruptRain(() => forwarding.Thread, () => { }))
        {
            var producer = StartThread(() =>
            {
                for (var i = 0; i < events; i++) other.Information("Event {Sequence} from {Producer}", i, 1);
            });
            for (var i = 0; i < events; i++) interrupted.Information("Event {Sequence} from {Producer}", i, 0);
            Assert.That(producer.Join(Timeouts.Signal), Is.True);
            interrupted.Dispose();
            other.Dispose();
        }

        downstream.Dispose();

        Assert.That(failures.Failures.Select(f => f.Message), Is.Empty);
        // Each producer's events, each once and in order: counts alone would let a loss and a duplicate cancel out.
        Assert.That(collected.Events.Where(e => Some.ProducerOf(e) == 0).Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, events)));
        Assert.That(collected.Events.Where(e => Some.ProducerOf(e) == 1).Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, events)));
    }

    static Thread StartThread(Action body)
    {
        var thread = new Thread(() => body()) { IsBackground = true };
        thread.Start();
        return thread;
    }

    /// <summary>Passes each event on, and remembers the thread it arrived on: the listener's current thread.</summary>
    sealed class ThreadRecordingSink(Serilog.Core.ILogEventSink inner) : Serilog.Core.ILogEventSink
    {
        Thread? _thread;

        public Thread? Thread => Volatile.Read(ref _thread);

        public void Emit(LogEvent logEvent)
        {
            Volatile.Write(ref _thread, System.Threading.Thread.CurrentThread);
            inner.Emit(logEvent);
        }
    }

    /// <summary>
    /// Interrupts a thread over and over from one thread, while another keeps doing something that contends with it,
    /// until disposed.
    /// </summary>
    sealed class InterruptRain : IDisposable
    {
        int _stop;
        readonly Thread _interrupter;
        readonly Thread _contender;

        public InterruptRain(Func<Thread?> target, Action contend)
        {
            _interrupter = StartThread(() =>
            {
                while (Volatile.Read(ref _stop) == 0)
                {
                    target()?.Interrupt();
                    Thread.Yield();
                }
            });
            _contender = StartThread(() =>
            {
                while (Volatile.Read(ref _stop) == 0) contend();
            });
        }

        public void Dispose()
        {
            Volatile.Write(ref _stop, 1);
            _interrupter.Join();
            _contender.Join();
        }
    }
}
