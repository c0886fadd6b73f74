using BenchmarkDotNet.Running;
using Serilog.Sinks.QueueListener.Benchmarks.Cost;
using Serilog.Sinks.QueueListener.Benchmarks.Durable;
using Serilog.Sinks.QueueListener.Benchmarks.Probes;
using Serilog.Sinks.QueueListener.Benchmarks.Redis;
using Serilog.Sinks.QueueListener.Benchmarks.Reporting;
using Serilog.Sinks.QueueListener.Benchmarks.Soak;

namespace Serilog.Sinks.QueueListener.Benchmarks;

/// <summary>
/// <c>compare [--quick] [--out DIR]</c> runs the side-by-side comparison; <c>latency [--quick] [--out DIR]</c> runs
/// only latency at fixed rates; <c>emit-latency [--quick]</c> runs only the Emit latency probe; <c>bdn [BenchmarkDotNet options]</c> runs the BenchmarkDotNet micro-benchmarks;
/// <c>soak SECONDS</c> logs into a file for that long and checks it; <c>redis [--quick] [options]</c> runs producer
/// processes through a private Redis to a collector. The hidden <c>redis-producer</c> command is one such producer;
/// <c>cost MODE EVENTS</c>, left out of the usage too, is a fixed workload for an instruction counter or a profiler
/// (see <see cref="CostCommand"/>).
/// </summary>
static class Program
{
    const string Usage = """
        Usage:
          compare [--quick] [--out DIR]   every configuration against its peers, the listener probes, latency at fixed
                                          rates, and reports (Markdown, CSV, SVG) in DIR (default artifacts/benchmarks)
          latency [--quick] [--out DIR]   only latency at fixed rates: one producer, then two, at 1k to 200k events/s,
                                          each call timed and each event's way to a File sink and to a counting sink;
                                          reports (Markdown, CSV, SVG) in DIR (default artifacts/benchmarks)
          emit-latency [--quick]          only the Emit latency probe: many producers into a buffer of one, in each
                                          full mode, the time of every call; prints the table (after an unreported
                                          pass at the quick sizes, to warm up)
          bdn [options]                   BenchmarkDotNet micro-benchmarks; options go to BenchmarkSwitcher,
                                          e.g. bdn --filter '*' --job short
          level-aware [--quick]           holding (caller ns/call, listener events/s, with and without hold) and
                                          flushAtLevel at 1,000 errors/s (process CPU), as Markdown tables
          soak SECONDS [--out DIR]        log at full speed in Block mode into a file for SECONDS, then check that
                                          every event is in the file and the managed heap stayed flat
          redis [--quick] [--out DIR] [--read-count N] [--poll-ms N] [--events N] [--producers N] [--rate N]
                                          end to end across processes: 2 producer processes through a private
                                          redis-server to a collector in this process, batched entries, one event
                                          per entry and a naive synchronous XADD per event, at full speed and at
                                          50,000 events/s; writes redis.md in DIR (default artifacts/benchmarks).
                                          --read-count and --poll-ms set the collector's RedisStreamQueue, --events
                                          each producer's events at full speed, --producers the producer
                                          processes, --rate the paced rate. Needs redis-server on the PATH.
                                          With --cluster [--shards N]: the batched configuration at full speed
                                          in a private 3-master cluster, the stream on one key and over N keys
                                          (3 by default); writes redis-cluster.md in DIR
          durable [--quick] [--out DIR] [--encoding-only]
                                          the durable queue: encoding cost and bytes per event (CLEF against the
                                          spool's records); saturated throughput into a counting sink, in-memory
                                          against the spool with each flush policy, Information(...) and
                                          Write(event), 1 and 2 producers, disk bytes per event; caller latency
                                          into a File sink at 1k to 200k events/s against synchronous File, Async
                                          and the in-memory queue; writes durable.md in DIR. --encoding-only
                                          stops after the encoding, for comparing two builds
        """;

    public static int Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var rest = args[1..];
        try
        {
            // One case per command.
            switch (args[0])
            {
                case "compare":
                    CompareHarness.Run(CompareOptions.Parse(rest), Console.Out);
                    return 0;
                case "latency":
                    LatencyHarness.Run(CompareOptions.Parse(rest), Console.Out);
                    return 0;
                case "emit-latency":
                    EmitLatency(CompareOptions.Parse(rest));
                    return 0;
                case "soak":
                    return Soak(rest);
                case "redis":
                    var redisOptions = RedisOptions.Parse(rest);
                    if (redisOptions.Cluster) RedisClusterHarness.Run(redisOptions, Console.Out);
                    else RedisHarness.Run(redisOptions, Console.Out);
                    return 0;
                case "durable":
                    DurableHarness.Run(CompareOptions.Parse([.. rest.Where(a => a != "--encoding-only")]), Console.Out,
                        encodingOnly: rest.Contains("--encoding-only"));
                    return 0;
                case ProducerCommand.Name:
                    return ProducerCommand.Run(rest);
                case "cost":
                    return CostCommand.Run(rest);
                case "level-aware":
                    LevelAware.LevelAwareHarness.Run(quick: rest.Contains("--quick"), Console.Out);
                    return 0;
                case "bdn":
                    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest);
                    return 0;
                default:
                    Console.Error.WriteLine($"Unknown command '{args[0]}'.");
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }
    }

    static void EmitLatency(CompareOptions options)
    {
        // A compare run gets here with every path compiled at its final tier; alone, a first pass at the quick sizes
        // does that, so that the reported pass does not time tiered compilation taking its locks.
        DropModeEmitLatencyProbe.Run(CompareOptions.Quick);

        var loadAtStart = MachineInfo.ReadLoadAverage();
        var results = DropModeEmitLatencyProbe.Run(options);
        Console.WriteLine($"Machine: {MachineInfo.Current()}; load average (1, 5, 15 min) {loadAtStart} at the start, {MachineInfo.ReadLoadAverage()} at the end");
        ConsoleReportWriter.WriteEmitLatency(results, options, Console.Out);
    }

    static int Soak(string[] args)
    {
        if (args.Length == 0 || !int.TryParse(args[0], out var seconds) || seconds < 1)
        {
            throw new ArgumentException("soak takes a whole number of seconds, 1 or more.");
        }

        var folder = args.Length >= 3 && args[1] == "--out" ? args[2] : Path.Combine("artifacts", "soak");
        var result = SoakRun.Run(TimeSpan.FromSeconds(seconds), producers: Environment.ProcessorCount, folder);
        Console.WriteLine(result);
        return result.Passed ? 0 : 1;
    }
}
