namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// Finds the clone the tests were built from, for tests that read or pack its files.
/// </summary>
static class Repository
{
    static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The folder that holds <c>Serilog.Sinks.QueueListener.sln</c>.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>A file of the clone, by its path from the root with <c>/</c> between folders.</summary>
    public static string File(string relativePath) => Path.Combine([Root, .. relativePath.Split('/')]);

    static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(folder.FullName, "Serilog.Sinks.QueueListener.sln"))) return folder.FullName;
        }

        throw new InvalidOperationException("The repository root (with Serilog.Sinks.QueueListener.sln) was not found above " + AppContext.BaseDirectory);
    }
}
