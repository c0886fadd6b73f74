using Microsoft.Extensions.Configuration;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// Reads a JSON settings file copied to the test output folder, with values a test sets on top of it (the log file
/// path, which must be unique per test, or a bad value under test), as an application would with environment
/// variables.
/// </summary>
static class JsonSettings
{
    public static IConfiguration Load(string fileName, params (string Key, string? Value)[] overrides)
    {
        return new ConfigurationBuilder()
            .SetBasePath(Path.Combine(AppContext.BaseDirectory, "Configuration", "Json"))
            .AddJsonFile(fileName, optional: false)
            .AddInMemoryCollection(overrides.Select(o => new KeyValuePair<string, string?>(o.Key, o.Value)))
            .Build();
    }
}
