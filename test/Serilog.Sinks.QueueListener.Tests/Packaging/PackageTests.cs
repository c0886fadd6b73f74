using System.IO.Compression;
using System.Xml.Linq;
using Serilog.Sinks.QueueListener.Tests.Support;

namespace Serilog.Sinks.QueueListener.Tests.Packaging;

/// <summary>
/// Packs the library as a release would (<c>dotnet pack -c Release</c>) and checks what the package holds.
/// </summary>
[NonParallelizable]
public class PackageTests
{
    const string Id = "Serilog.Sinks.QueueListener";
    static readonly string[] TargetFrameworks = ["netstandard2.0", "net8.0", "net10.0"];

    TempFolder _output = null!;
    string _root = null!;
    string _version = null!;
    XElement _nuspec = null!;
    XNamespace _ns = null!;
    List<string> _entries = null!;
    List<string> _symbolEntries = null!;

    [OneTimeSetUp]
    public void Pack()
    {
        _root = FindRepositoryRoot();
        var project = Path.Combine(_root, "src", Id, Id + ".csproj");
        _version = XDocument.Load(project).Descendants("VersionPrefix").Single().Value;
        _output = new TempFolder();

        var result = DotNet.Run(_root, TimeSpan.FromMinutes(10), "pack", project, "-c", "Release", "-o", _output.Path, "-nologo");
        Assert.That(result.ExitCode, Is.Zero, result.Output);

        var package = Path.Combine(_output.Path, $"{Id}.{_version}.nupkg");
        var symbols = Path.Combine(_output.Path, $"{Id}.{_version}.snupkg");
        Assert.That(System.IO.File.Exists(package), Is.True, $"{package} is missing; the folder holds {string.Join(", ", Directory.GetFiles(_output.Path))}");
        Assert.That(System.IO.File.Exists(symbols), Is.True, $"{symbols} is missing");

        using (var zip = ZipFile.OpenRead(package))
        {
            _entries = zip.Entries.Select(e => e.FullName).ToList();
            using var nuspec = zip.GetEntry($"{Id}.nuspec")!.Open();
            _nuspec = XDocument.Load(nuspec).Root!;
            _ns = _nuspec.Name.Namespace;
        }

        using (var zip = ZipFile.OpenRead(symbols))
        {
            _symbolEntries = zip.Entries.Select(e => e.FullName).ToList();
        }
    }

    [OneTimeTearDown]
    public void Clean() => _output?.Dispose();

    string Metadata(string name) => _nuspec.Element(_ns + "metadata")!.Element(_ns + name)?.Value ?? "";

    [Test]
    public void TheLibraryAndItsXmlDocsArePackedForEveryTargetFramework()
    {
        foreach (var framework in TargetFrameworks)
        {
            Assert.That(_entries, Does.Contain($"lib/{framework}/{Id}.dll"));
            Assert.That(_entries, Does.Contain($"lib/{framework}/{Id}.xml"));
        }

        Assert.That(_entries.Where(e => e.StartsWith("lib/", StringComparison.Ordinal)).ToList(), Has.Count.EqualTo(2 * TargetFrameworks.Length));
    }

    [Test]
    public void TheSymbolPackageHoldsAPdbForEveryTargetFramework()
    {
        foreach (var framework in TargetFrameworks)
        {
            Assert.That(_symbolEntries, Does.Contain($"lib/{framework}/{Id}.pdb"));
        }
    }

    [Test]
    public void TheVersionComesFromTheProjectsVersionPrefix()
    {
        Assert.That(Metadata("version"), Is.EqualTo(_version));
    }

    [Test]
    public void TheIconIsPackedAndNamedByTheNuspec()
    {
        Assert.That(_entries, Does.Contain("icon.png"));
        Assert.That(Metadata("icon"), Is.EqualTo("icon.png"));
    }

    [Test]
    public void TheRepositorysReadmeIsThePackageReadme()
    {
        var readme = Path.Combine(_root, "README.md");
        Assume.That(System.IO.File.Exists(readme), Is.True, "the repository has no README.md yet");

        Assert.That(_entries, Does.Contain("README.md"));
        Assert.That(Metadata("readme"), Is.EqualTo("README.md"));
    }

    [Test]
    public void TheLicenseAndRepositoryAreDeclared()
    {
        Assert.That(Metadata("license"), Is.EqualTo("Apache-2.0"));
        var repository = _nuspec.Element(_ns + "metadata")!.Element(_ns + "repository")!;
        Assert.That(repository.Attribute("url")!.Value, Is.EqualTo("https://github.com/serilog-contrib/Serilog.Sinks.QueueListener"));
    }

    [Test]
    public void TheOnlyDependenciesAreSerilogAndWhatNetstandardLacks()
    {
        var groups = _nuspec.Descendants(_ns + "group").ToDictionary(
            g => g.Attribute("targetFramework")!.Value,
            g => g.Elements(_ns + "dependency").Select(d => d.Attribute("id")!.Value).OrderBy(id => id, StringComparer.Ordinal).ToList());

        Assert.That(groups[".NETStandard2.0"], Is.EqualTo(new[] { "Microsoft.Bcl.AsyncInterfaces", "Serilog", "System.Diagnostics.DiagnosticSource" }));
        Assert.That(groups["net8.0"], Is.EqualTo(new[] { "Serilog" }));
        Assert.That(groups["net10.0"], Is.EqualTo(new[] { "Serilog" }));
    }

    static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(folder.FullName, "Serilog.Sinks.QueueListener.sln"))) return folder.FullName;
        }

        throw new InvalidOperationException("The repository root (with Serilog.Sinks.QueueListener.sln) was not found above " + AppContext.BaseDirectory);
    }
}
