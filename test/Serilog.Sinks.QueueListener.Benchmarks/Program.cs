using BenchmarkDotNet.Running;

namespace Serilog.Sinks.QueueListener.Benchmarks;

/// <summary>
/// <c>compare [--quick] [--out DIR]</c> runs the side-by-side comparison; <c>bdn [BenchmarkDotNet options]</c>
/// runs the BenchmarkDotNet micro-benchmarks.
/// </summary>
static class Program
{
    const string Usage = """
        Usage:
          compare [--quick] [--out DIR]   every configuration against its peers, the listener probes, and reports
                                          (Markdown, CSV, SVG) in DIR (default artifacts/benchmarks)
          bdn [options]                   BenchmarkDotNet micro-benchmarks; options go to BenchmarkSwitcher,
                                          e.g. bdn --filter '*' --job short
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
            // One case per command; new commands (a soak run, say) take their own case here.
            switch (args[0])
            {
                case "compare":
                    CompareHarness.Run(CompareOptions.Parse(rest), Console.Out);
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
}
