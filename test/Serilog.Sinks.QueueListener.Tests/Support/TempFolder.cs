namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// A folder under the system temp path, deleted on dispose.
/// </summary>
sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "Serilog.Sinks.QueueListener.Tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string AllocateFilename(string extension = "log") => System.IO.Path.Combine(Path, $"{Guid.NewGuid():n}.{extension}");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A sink may still hold a file on some platforms; the folder is under temp and will be cleaned up there.
        }
    }
}
