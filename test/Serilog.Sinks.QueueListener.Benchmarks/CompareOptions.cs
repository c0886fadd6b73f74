namespace Serilog.Sinks.QueueListener.Benchmarks;

/// <summary>
/// The sizes of a <c>compare</c> run. <see cref="Full"/> is what the published figures use; <see cref="Quick"/>
/// runs every configuration and probe, smaller, to check that the harness works.
/// </summary>
sealed record CompareOptions
{
    public const string DefaultOutputDirectory = "artifacts/benchmarks";

    public bool IsQuick { get; init; }

    public string OutputDirectory { get; init; } = DefaultOutputDirectory;

    /// <summary>The capacity of every pipeline's buffer.</summary>
    public int BufferSize { get; init; } = 10_000;

    public IReadOnlyList<int> ProducerCounts { get; init; } = [1, 2];

    /// <summary>The fewest calls per repetition, shared out over the producers.</summary>
    public int EventsPerRepetition { get; init; } = 1_000_000;

    /// <summary>
    /// The shortest a measured repetition should take. A configuration fast enough to finish
    /// <see cref="EventsPerRepetition"/> sooner (judged by its warm-up) gets more calls, up to
    /// <see cref="MaxEventsPerRepetition"/>: a repetition of a few milliseconds is all noise, and the process CPU
    /// time is read in 10 ms ticks on Linux.
    /// </summary>
    public TimeSpan MinimumRepetitionTime { get; init; } = TimeSpan.FromMilliseconds(500);

    public int MaxEventsPerRepetition { get; init; } = 50_000_000;

    public int Repetitions { get; init; } = 7;

    public TimeSpan RepetitionTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public int LatencySamples { get; init; } = 5_000;

    /// <summary>The idle time before each latency sample: long enough for the listener to park.</summary>
    public TimeSpan LatencyGap { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>How long the idle probe measures the process's CPU, without and then with an idle listener: long
    /// enough that a listener waking a few times a second shows.</summary>
    public TimeSpan IdleWindow { get; init; } = TimeSpan.FromSeconds(10);

    public int SaturationEvents { get; init; } = 200_000;

    /// <summary>The saturation run's buffer: small, so that the slow sink fills it at once.</summary>
    public int SaturationBufferSize { get; init; } = 1_000;

    /// <summary>The slow sink's work per event, in <see cref="Thread.SpinWait(int)"/> iterations.</summary>
    public int SaturationSpinIterations { get; init; } = 200;

    /// <summary>The producers of the Emit latency probe: more than most machines have cores, so that they
    /// contend.</summary>
    public int EmitLatencyProducers { get; init; } = 8;

    /// <summary>The Emit latency probe's buffer: one event, so that nearly every call finds it full.</summary>
    public int EmitLatencyBufferSize { get; init; } = 1;

    /// <summary>Timed calls per producer and configuration: enough for a p99.99 of a few hundred calls.</summary>
    public int EmitLatencyCallsPerProducer { get; init; } = 500_000;

    /// <summary>Untimed calls per producer and configuration before the timed ones, on the same thread, into a pipeline
    /// of the same kind.</summary>
    public int EmitLatencyWarmUpCalls { get; init; } = 20_000;

    /// <summary>The rates of the paced latency benchmark, in events per second over all producers.</summary>
    public IReadOnlyList<int> PacedRates { get; init; } = [1_000, 5_000, 20_000, 100_000, 200_000];

    /// <summary>How long each configuration is offered events at each rate, within
    /// <see cref="PacedMinEvents"/>.</summary>
    public TimeSpan PacedCellDuration { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The fewest timed calls per configuration and rate, so that the lowest rate still has a p99.9 of
    /// more than one call.</summary>
    public int PacedMinEvents { get; init; } = 2_000;

    /// <summary>How many turns each configuration takes at each rate, its calls shared out among them; as many as
    /// there are configurations, so that the order of the turns is balanced (see
    /// <see cref="Paced.PacedLatencyCell"/>).</summary>
    public int PacedRounds { get; init; } = 6;

    /// <summary>Untimed calls per producer into each fresh pipeline before its timed ones; fewer than the buffer
    /// holds, so that none is dropped.</summary>
    public int PacedWarmUpCalls { get; init; } = 500;

    public static CompareOptions Full { get; } = new();

    public static CompareOptions Quick { get; } = new()
    {
        IsQuick = true,
        EventsPerRepetition = 20_000,
        MinimumRepetitionTime = TimeSpan.Zero,
        Repetitions = 3,
        RepetitionTimeout = TimeSpan.FromSeconds(20),
        LatencySamples = 300,
        IdleWindow = TimeSpan.FromMilliseconds(500),
        SaturationEvents = 20_000,
        EmitLatencyCallsPerProducer = 20_000,
        EmitLatencyWarmUpCalls = 2_000,
        PacedRates = [5_000, 100_000],
        PacedCellDuration = TimeSpan.Zero,
        PacedMinEvents = 200,
        PacedWarmUpCalls = 20,
        PacedRounds = 2,
    };

    /// <summary>
    /// Read <c>[--quick] [--out DIR]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">On an unknown option or a missing value.</exception>
    public static CompareOptions Parse(IReadOnlyList<string> args)
    {
        var quick = args.Contains("--quick");
        var options = quick ? Quick : Full;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    break;
                case "--out" when i + 1 < args.Count:
                    options = options with { OutputDirectory = args[++i] };
                    break;
                default:
                    throw new ArgumentException($"Unknown or incomplete option '{args[i]}'.", nameof(args));
            }
        }

        return options;
    }
}
