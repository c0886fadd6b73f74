namespace Serilog.Sinks.QueueListener.Benchmarks;

/// <summary>
/// The sizes of a <c>redis</c> run. <see cref="Full"/> is what the published figures use; <see cref="Quick"/> runs
/// every configuration, smaller, to check that the mode works.
/// </summary>
sealed record RedisOptions
{
    public bool IsQuick { get; init; }

    /// <summary>Run against a private 3-master cluster instead of one server: the batched configuration with the
    /// stream on one key and over <see cref="Shards"/> keys (<see cref="RedisClusterHarness"/>).</summary>
    public bool Cluster { get; init; }

    /// <summary>In a cluster run, the keys the sharded stream is spread over; 3 by default, one per master.</summary>
    public int Shards { get; init; } = 3;

    public string OutputDirectory { get; init; } = CompareOptions.DefaultOutputDirectory;

    /// <summary>The producer processes.</summary>
    public int Producers { get; init; } = 2;

    /// <summary>Each producer's events in the throughput run.</summary>
    public int EventsPerProducer { get; init; } = 500_000;

    /// <summary>Each producer's events in the throughput run of the configurations that wait for a Redis round trip
    /// per event (one per entry, and the naive baseline): at the full count each would take a minute or more.</summary>
    public int RoundTripEventsPerProducer { get; init; } = 100_000;

    /// <summary>The paced run's rate, over all producers.</summary>
    public int PacedRate { get; init; } = 50_000;

    /// <summary>How long the paced run offers events at <see cref="PacedRate"/>.</summary>
    public TimeSpan PacedDuration { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>How long each producer process logs at least before the measured run, so that the measured calls
    /// run compiled at their final tier (the collector drains what it logs before the run starts).</summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long each producer process logs at most before the measured run: past <see cref="WarmUp"/> it
    /// goes on until the JIT has compiled nothing for a while (see <c>ProducerCommand</c>).</summary>
    public TimeSpan MaxWarmUp { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The collector's <c>readCount</c>: the most entries one <c>XREADGROUP</c> takes. The library's
    /// default is 100.</summary>
    public int ReadCount { get; init; } = 100;

    /// <summary>The collector's <c>pollInterval</c>; <see langword="null"/> for the library's default (50 ms).</summary>
    public TimeSpan? PollInterval { get; init; }

    /// <summary>The bound on every wait of a run: a producer's start, its result, the collector's drain.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(180);

    public int PacedEventsPerProducer => (int)(PacedRate * PacedDuration.TotalSeconds / Producers);

    public static RedisOptions Full { get; } = new();

    public static RedisOptions Quick { get; } = new()
    {
        IsQuick = true,
        EventsPerProducer = 20_000,
        RoundTripEventsPerProducer = 5_000,
        PacedDuration = TimeSpan.FromSeconds(0.5),
        WarmUp = TimeSpan.FromMilliseconds(100),
        MaxWarmUp = TimeSpan.FromMilliseconds(100),
        Timeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>
    /// Read <c>[--quick] [--cluster [--shards N]] [--out DIR] [--read-count N] [--poll-ms N] [--events N]
    /// [--producers N] [--rate N]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">On an unknown option or a missing or bad value.</exception>
    public static RedisOptions Parse(IReadOnlyList<string> args)
    {
        var options = args.Contains("--quick") ? Quick : Full;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    break;
                case "--cluster":
                    options = options with { Cluster = true };
                    break;
                case "--shards" when i + 1 < args.Count:
                    options = options with { Shards = Number(args[++i], 1, 16, "--shards") };
                    break;
                case "--out" when i + 1 < args.Count:
                    options = options with { OutputDirectory = args[++i] };
                    break;
                case "--read-count" when i + 1 < args.Count:
                    options = options with { ReadCount = Number(args[++i], 1, 10_000, "--read-count") };
                    break;
                case "--poll-ms" when i + 1 < args.Count:
                    options = options with { PollInterval = TimeSpan.FromMilliseconds(Number(args[++i], 1, 10_000, "--poll-ms")) };
                    break;
                case "--events" when i + 1 < args.Count:
                    options = options with { EventsPerProducer = Number(args[++i], 1, 100_000_000, "--events") };
                    break;
                case "--producers" when i + 1 < args.Count:
                    options = options with { Producers = Number(args[++i], 1, 16, "--producers") };
                    break;
                case "--rate" when i + 1 < args.Count:
                    options = options with { PacedRate = Number(args[++i], 100, 10_000_000, "--rate") };
                    break;
                default:
                    throw new ArgumentException($"Unknown or incomplete option '{args[i]}'.", nameof(args));
            }
        }

        return options;
    }

    static int Number(string text, int min, int max, string option) =>
        int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"{option} takes a whole number from {min} to {max}.", nameof(text));
}
