using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog.Sinks.QueueListener.Tests.Support;

namespace Serilog.Sinks.QueueListener.Tests.Hosting;

/// <summary>
/// <c>WriteTo.Queue</c> in a generic host through Serilog.Extensions.Hosting's <c>AddSerilog</c>: disposing the host
/// disposes the logger, which drains the queue.
/// </summary>
public class GenericHostTests
{
    const string Template = "{SourceContext} {Message:lj}{NewLine}";

    static IHost BuildHost(string path)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddHostedService<StopLoggingService>();

        // preserveStaticLogger: leave Log.Logger alone, which other tests in the process may use.
        builder.Services.AddSerilog(
            lc => lc.WriteTo.Queue(a => a.File(path, outputTemplate: Template, formatProvider: CultureInfo.InvariantCulture)),
            preserveStaticLogger: true);
        return builder.Build();
    }

    [Test]
    public async Task EveryEventLoggedThroughILoggerIsInTheFileOnceTheHostIsDisposed()
    {
        using var folder = new TempFolder();
        var path = folder.AllocateFilename();

        using (var host = BuildHost(path))
        {
            await host.StartAsync();
            var logger = host.Services.GetRequiredService<ILogger<GenericHostTests>>();
            await Task.WhenAll(Enumerable.Range(0, 4).Select(producer => Task.Run(() =>
            {
                for (var i = 0; i < 250; i++) logger.Numbered(producer, i);
            })));
            await host.StopAsync();
        }

        var lines = LogFile.ReadLines(path);
        var ours = lines.Where(l => l.StartsWith(typeof(GenericHostTests).FullName!, StringComparison.Ordinal)).ToList();
        Assert.That(ours, Has.Count.EqualTo(1000));
        Assert.That(ours, Is.Unique);
        Assert.That(lines, Has.Some.EndsWith("Service started"));
        Assert.That(lines, Has.Some.EndsWith("Service stopping"));
    }

    [Test]
    public async Task EventsLoggedWhileTheHostStopsAreInTheFileOnceItIsDisposedAsynchronously()
    {
        using var folder = new TempFolder();
        var path = folder.AllocateFilename();
        var host = BuildHost(path);
        await host.StartAsync();
        await host.StopAsync();

        await ((IAsyncDisposable)host).DisposeAsync();

        Assert.That(LogFile.ReadLines(path), Has.Some.EndsWith($"{typeof(StopLoggingService).FullName} Service stopping"));
    }
}
