using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Serilog.Sinks.Queue;

/// <summary>
/// The two things a spool asks of the file system that .NET's file API does not offer on every target: blocks
/// allocated for the whole of a segment file before it is mapped, and a folder's entries made durable (fsync of the
/// folder).
/// </summary>
/// <remarks>
/// <para><b>Allocation.</b> A segment is written through a memory mapping. Were its file sparse (a length set, no
/// blocks behind it), the first store into each page would allocate a block, and on a full disk that store would
/// fail with SIGBUS, which ends the process: no exception, no report. So the blocks are allocated while the file is
/// created, where a full disk is an <see cref="IOException"/> the producer reports. On Linux (and other Unix with
/// it) <c>posix_fallocate</c> allocates them without writing (the C library falls back to writing a byte per block
/// on a file system that cannot); on macOS the zeros are written; on Windows, setting the length allocates the
/// clusters.</para>
/// <para><b>Folder entries.</b> A file's data flushed to the disk is of no use after a power loss if its name in the
/// folder was not: a new segment, or the checkpoint, would be gone. With a flush policy, the spool's folder is
/// flushed once a new segment's data is (see <see cref="SpoolSegment.Flush"/>) and when the spool is opened. Only
/// Unix can: Windows has no handle on a folder to flush, and NTFS journals the entry with the file.</para>
/// </remarks>
static class SpoolFileSystem
{
    static readonly bool IsWindows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
    static readonly bool IsMacOs = RuntimeInformation.IsOSPlatform(OSPlatform.OSX);

    /// <summary>The chunk zeros are written in where they must be written.</summary>
    const int ZeroChunk = 64 * 1024;

    /// <summary>Set <paramref name="stream"/>'s file to <paramref name="length"/> bytes, every block of it
    /// allocated.</summary>
    /// <exception cref="IOException">When the blocks cannot be allocated: a full disk, a file size limit.</exception>
    public static void Allocate(FileStream stream, long length)
    {
        stream.SetLength(length);
        if (IsWindows) return;
        if (!IsMacOs && TryPosixAllocate(stream.SafeFileHandle, length, out var error))
        {
            if (error == 0) return;
            throw new IOException($"Could not allocate {length:N0} bytes for the spool segment {stream.Name}: {Describe(error)}.");
        }

        WriteZeros(stream, length);
    }

    /// <summary>Make the entries of the folder <paramref name="directory"/> durable (fsync); nothing on Windows, nor
    /// on a Unix whose C library .NET cannot load by the name "libc".</summary>
    /// <exception cref="IOException">When the folder cannot be opened or flushed.</exception>
    public static void SyncDirectory(string directory)
    {
        if (IsWindows) return;

        int fd;
        try
        {
            fd = Open(NullTerminated(directory), ReadOnly);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return;
        }

        if (fd < 0) throw new IOException($"Could not open the spool folder {directory} to flush it: {Describe(Marshal.GetLastWin32Error())}.");
        try
        {
            // EINVAL: a file system that cannot flush a folder (some network and FUSE ones), which there is no
            // other way to ask for.
            if (Fsync(fd) != 0 && Marshal.GetLastWin32Error() is var error && error != InvalidArgument)
            {
                throw new IOException($"Could not flush the spool folder {directory}: {Describe(error)}.");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <returns><see langword="false"/> when the C library has no <c>posix_fallocate</c>; otherwise
    /// <paramref name="error"/> is its result: 0, or the error number.</returns>
    static bool TryPosixAllocate(SafeFileHandle handle, long length, out int error)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var fd = handle.DangerousGetHandle().ToInt32();

            // The 64-bit form first: plain posix_fallocate takes a 32-bit offset on 32-bit glibc.
            try
            {
                error = PosixFallocate64(fd, 0, length);
            }
            catch (EntryPointNotFoundException)
            {
                error = PosixFallocate(fd, 0, length);
            }

            return true;
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            error = 0;
            return false;
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    static void WriteZeros(FileStream stream, long length)
    {
        var zeros = new byte[ZeroChunk];
        stream.Position = 0;
        for (var left = length; left > 0; left -= ZeroChunk)
        {
            stream.Write(zeros, 0, (int)Math.Min(ZeroChunk, left));
        }

        stream.Flush();
    }

    static string Describe(int error) => error switch
    {
        28 => "no space left on the device (ENOSPC)",
        27 => "the file would pass the file size limit (EFBIG)",
        _ => $"error {error}",
    };

    static byte[] NullTerminated(string path)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, 0, path.Length, bytes, 0);
        return bytes;
    }

    const int ReadOnly = 0;
    const int InvalidArgument = 22;

    [DllImport("libc", EntryPoint = "posix_fallocate64")]
    static extern int PosixFallocate64(int fd, long offset, long length);

    [DllImport("libc", EntryPoint = "posix_fallocate")]
    static extern int PosixFallocate(int fd, long offset, long length);

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    static extern int Open(byte[] path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    static extern int Close(int fd);
}
