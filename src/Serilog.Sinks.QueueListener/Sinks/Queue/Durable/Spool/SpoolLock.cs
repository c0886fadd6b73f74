using System.Globalization;
using System.Text;

namespace Serilog.Sinks.Queue;

/// <summary>
/// One queue per spool: the file <c>spool.lock</c>, held open with <see cref="FileShare.None"/> for the queue's life.
/// </summary>
/// <remarks>
/// <para>Why one spool per process rather than a sub-spool per process under one folder, drained by whichever process
/// starts next: the checkpoint, the order of events and the size limit all belong to one writer and one reader; with
/// sub-spools, a process would have to drain spools it did not write while writing its own, decide which dead
/// process's spool to take and race other starting processes for it, and the size limit would hold per process
/// only. An application with several processes gives each its own spool path (its role, an instance number). The
/// cost is that a spool whose process never starts again keeps its events: the lock makes that visible rather than
/// silent.</para>
/// <para>The operating system releases the lock when the process dies, however it dies, so a killed process never
/// leaves a stale lock behind (the file stays; only the open handle locks). On Linux and macOS .NET implements
/// <see cref="FileShare.None"/> with an advisory <c>flock</c>, which another .NET process, or another queue in the
/// same process, respects; <c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c> turns that off.</para>
/// </remarks>
sealed class SpoolLock : IDisposable
{
    public const string FileName = "spool.lock";

    readonly FileStream _stream;

    SpoolLock(FileStream stream)
    {
        _stream = stream;
    }

    /// <exception cref="IOException">When another process, or another queue of this one, holds the spool.</exception>
    public static SpoolLock Acquire(string directory)
    {
        var path = Path.Combine(directory, FileName);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new IOException(
                $"The spool {directory} is in use: another process, or another queue in this one, holds its lock file {FileName}. " +
                "Give each process (and each queue) a spool of its own.", ex);
        }

        try
        {
            // For a person looking at the folder: which process holds it.
            var owner = Encoding.UTF8.GetBytes(CurrentProcessId().ToString(CultureInfo.InvariantCulture) + "\n");
            stream.SetLength(0);
            stream.Write(owner, 0, owner.Length);
            stream.Flush();
        }
        catch (IOException)
        {
            // The note is only informative.
        }

        return new SpoolLock(stream);
    }

    public void Dispose() => _stream.Dispose();

#if NET8_0_OR_GREATER
    static int CurrentProcessId() => Environment.ProcessId;
#else
    static int CurrentProcessId()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.Id;
    }
#endif
}
