using System.IO.Compression;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Serilog.Sinks.QueueListener.Tests.Support;

namespace Serilog.Sinks.QueueListener.Tests.Packaging;

/// <summary>
/// Packs the library as a release would (<c>dotnet pack -c Release</c>) and checks what the package holds.
/// </summary>
[NonParallelizable]
public partial class PackageTests
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
    string _readme = null!;

    [OneTimeSetUp]
    public void Pack()
    {
        _root = Repository.Root;
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
            using var readme = new StreamReader(zip.GetEntry("README.md")?.Open() ?? Stream.Null);
            _readme = readme.ReadToEnd();
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
    public void TheProjectsOwnReadmeIsThePackageReadme()
    {
        Assert.That(_entries, Does.Contain("README.md"));
        Assert.That(Metadata("readme"), Is.EqualTo("README.md"));
        Assert.That(_readme, Is.EqualTo(System.IO.File.ReadAllText(Repository.File($"src/{Id}/README.md"))));
    }

    /// <remarks>
    /// The package page resolves a relative link or image against itself, where the repository's files are not, so
    /// every link must be absolute (http or https) and every image https; an in-page <c>#anchor</c> counts as
    /// relative.
    /// </remarks>
    [Test]
    public void ThePackedReadmeHasNoRelativeLinksOrImages()
    {
        var links = MarkdownLink().Matches(_readme).Select(m => m.Groups["target"].Value)
            .Concat(ReferenceDefinition().Matches(_readme).Select(m => m.Groups["target"].Value))
            .Concat(HtmlHref().Matches(_readme).Select(m => m.Groups["target"].Value))
            .ToList();
        var images = MarkdownImage().Matches(_readme).Select(m => m.Groups["target"].Value)
            .Concat(HtmlImage().Matches(_readme).Select(m => m.Groups["target"].Value))
            .ToList();

        Assert.Multiple(() =>
        {
            Assert.That(links, Is.Not.Empty, "the README links to the repository for the rest");
            Assert.That(links, Has.All.Match("^https?://"), "a relative link does not resolve on the package page");
            Assert.That(images, Has.All.Match("^https://"), "a relative image does not show on the package page");
        });
    }

    [GeneratedRegex(@"\]\((?<target>[^)\s]*)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"!\[[^\]]*\]\((?<target>[^)\s]*)")]
    private static partial Regex MarkdownImage();

    [GeneratedRegex(@"^\s{0,3}\[[^\]]+\]:\s*(?<target>\S+)", RegexOptions.Multiline)]
    private static partial Regex ReferenceDefinition();

    [GeneratedRegex(@"<a\s[^>]*href\s*=\s*[""']?(?<target>[^""'\s>]*)", RegexOptions.IgnoreCase)]
    private static partial Regex HtmlHref();

    [GeneratedRegex(@"<img\s[^>]*src\s*=\s*[""']?(?<target>[^""'\s>]*)", RegexOptions.IgnoreCase)]
    private static partial Regex HtmlImage();

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
}
