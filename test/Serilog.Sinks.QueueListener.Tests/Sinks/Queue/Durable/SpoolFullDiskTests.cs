using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Serilog.Sinks.QueueListener.Testing;
using Serilog.Sinks.QueueListener.Tests.Support;

namespace Serilog.Sinks.QueueListener.Tests.Sinks.Queue.Durable;

/// <summary>
/// A spool on a disk that fills up: its segments are written through memory mappings, where a store into a page the
/// file system cannot back ends the process with SIGBUS. Each segment's blocks are allocated before it is mapped, so
/// a full disk is an exception when a segment is made, which the producer reports with its event, and the process
/// lives. The child (the ProcessExitApp's <c>durable-full</c> scenario) runs with its spool on a tmpfs of 600 KiB,
/// mounted in a mount namespace of its own (<c>unshare</c>, which needs unprivileged user namespaces; without them the
/// test is ignored).
/// </summary>
public class SpoolFullDiskTests
{
    const int Events = 10_000;

    [Test]
    public void ASegmentTheFullDiskCannotHoldIsReportedWithEachEventAndTheProcessLives()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("mounts a small tmpfs, which only Linux does this way");
        RequireMountNamespaces();
        using var folder = new TempFolder();
        var spool = Path.Combine(folder.Path, "spool");
        Directory.CreateDirectory(spool);

        using var child = StartOnSmallFileSystem(spool, folder.Path, Invariant(Events), "durable-full");
        var stderr = child.StandardError.ReadToEndAsync();
        var stdout = child.StandardOutput.ReadToEndAsync();
        Assert.That(child.WaitForExit(Timeouts.Signal), Is.True, "the child did not end");
        var output = stdout.Result;
        TestContext.Out.WriteLine(output);

        Assert.That(child.ExitCode, Is.Zero, $"the child died (the runtime aborts on a SIGBUS, 134): {output} {stderr.Result}");
        var counts = output.Split('\n')[0].Split(' ');
        Assert.That(counts, Has.Length.EqualTo(4), output);
        var (written, reported) = (int.Parse(counts[1], CultureInfo.InvariantCulture), int.Parse(counts[3], CultureInfo.InvariantCulture));
        Assert.Multiple(() =>
        {
            Assert.That(written + reported, Is.EqualTo(Events), "events neither written nor reported");
            Assert.That(reported, Is.GreaterThan(0), "the spool never filled the file system, so the test showed nothing");
            Assert.That(written, Is.GreaterThan(0));
            Assert.That(output, Does.Contain("failed enqueuing an event").And.Contain("no space left on the device (ENOSPC)"));
        });
    }

    /// <summary>Run the ProcessExitApp with <paramref name="mountPoint"/> a tmpfs of 600 KiB, in a user and mount
    /// namespace of its own, so that no privilege is needed and the mount goes away with the child.</summary>
    static Process StartOnSmallFileSystem(string mountPoint, params string[] arguments)
    {
        var directory = typeof(SpoolFullDiskTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "ProcessExitAppDirectory").Value!;
        var info = new ProcessStartInfo("unshare")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "--user", "--map-root-user", "--mount", "sh", "-c", "mount -t tmpfs -o size=600k spool \"$1\" && shift && exec \"$@\"",
                     "sh", mountPoint, ChildApp.DotnetHost(),
                     Path.GetFullPath(Path.Combine(directory, "Serilog.Sinks.QueueListener.ProcessExitApp.dll")),
                 })
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        return Process.Start(info) ?? throw new InvalidOperationException("unshare did not start.");
    }

    static void RequireMountNamespaces()
    {
        try
        {
            using var probe = Process.Start(new ProcessStartInfo("unshare", "--user --map-root-user --mount true")
            {
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            if (probe.WaitForExit(Timeouts.Signal) && probe.ExitCode == 0) return;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No unshare.
        }

        Assert.Ignore("needs unshare with unprivileged user and mount namespaces, to mount a small tmpfs");
    }

    static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
