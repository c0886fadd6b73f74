using System.Collections.Concurrent;
using System.Text.Json;
using System.Xml.Linq;
using Microsoft.CodeAnalysis;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// The assemblies a reader's new console project compiles against once it has the packages an example names
/// (<c>dotnet new console</c>, then <c>dotnet add package</c> for each): a real project is restored once per set of
/// packages, and its <c>project.assets.json</c> gives exactly the assemblies that set brings, dependencies included.
/// </summary>
/// <remarks>
/// This repository's own packages are not published yet: they stand as their assemblies, built beside the tests,
/// with the packages they depend on restored in their place, as a reference to the package would bring them.
/// Other packages are restored at the version this repository's projects use.
/// </remarks>
static class PastedProject
{
    /// <summary>This repository's packages, by id: the project each is built from.</summary>
    static readonly Dictionary<string, string> OwnPackages = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Serilog.Sinks.QueueListener"] = "src/Serilog.Sinks.QueueListener/Serilog.Sinks.QueueListener.csproj",
        ["Serilog.Sinks.QueueListener.Redis"] = "src/Serilog.Sinks.QueueListener.Redis/Serilog.Sinks.QueueListener.Redis.csproj",
    };

    static readonly ConcurrentDictionary<string, Lazy<IReadOnlyList<MetadataReference>>> BySet = new();

    static readonly Lazy<IReadOnlyDictionary<string, string>> Versions = new(ReadVersions);

    static readonly Lazy<IReadOnlyList<MetadataReference>> Framework = new(ReadFramework);

    /// <summary>The assemblies a console project with <paramref name="packages"/> compiles against.</summary>
    public static IReadOnlyList<MetadataReference> References(IEnumerable<string> packages)
    {
        var set = packages.Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase).ToList();
        return BySet.GetOrAdd(string.Join(";", set), _ => new Lazy<IReadOnlyList<MetadataReference>>(() => Restore(set))).Value;
    }

    static IReadOnlyList<MetadataReference> Restore(IReadOnlyList<string> packages)
    {
        using var folder = new TempFolder();
        var restored = new List<string>();
        var own = new List<string>();
        foreach (var package in packages)
        {
            if (OwnPackages.TryGetValue(package, out var project))
            {
                own.Add(package);
                restored.AddRange(DependenciesOf(project));
            }
            else
            {
                restored.Add(package);
            }
        }

        var references = restored.Distinct(StringComparer.OrdinalIgnoreCase).Select(p =>
        {
            if (!Versions.Value.TryGetValue(p, out var version))
            {
                Assert.Fail($"the docs name the package {p}, which no project of this repository uses, so its version is not known here");
            }

            return new XElement("PackageReference", new XAttribute("Include", p), new XAttribute("Version", version!));
        });
        var projectFile = new XElement("Project", new XAttribute("Sdk", "Microsoft.NET.Sdk"),
            new XElement("PropertyGroup",
                new XElement("OutputType", "Exe"),
                new XElement("TargetFramework", "net10.0")),
            new XElement("ItemGroup", references));
        projectFile.Save(Path.Combine(folder.Path, "Pasted.csproj"));

        var result = DotNet.Run(folder.Path, TimeSpan.FromMinutes(5), "restore", "-nologo");
        Assert.That(result.ExitCode, Is.Zero, $"restoring a project with {string.Join(", ", packages)} failed:{Environment.NewLine}{result.Output}");

        var assemblies = CompileAssets(Path.Combine(folder.Path, "obj", "project.assets.json"))
            .Concat(own.Select(p => Path.Combine(AppContext.BaseDirectory, p + ".dll")));
        return [.. Framework.Value, .. assemblies.Select(a => (MetadataReference)MetadataReference.CreateFromFile(a))];
    }

    /// <summary>The compile-time assemblies of every package in a restored project, dependencies included.</summary>
    static IEnumerable<string> CompileAssets(string assetsFile)
    {
        using var assets = JsonDocument.Parse(System.IO.File.ReadAllText(assetsFile));
        var root = assets.RootElement;
        var packageFolder = root.GetProperty("packageFolders").EnumerateObject().First().Name;
        var libraries = root.GetProperty("libraries");
        foreach (var target in root.GetProperty("targets").EnumerateObject().First().Value.EnumerateObject())
        {
            if (!target.Value.TryGetProperty("compile", out var compile)) continue;
            var libraryPath = libraries.GetProperty(target.Name).GetProperty("path").GetString()!;
            foreach (var asset in compile.EnumerateObject())
            {
                // "_._" marks a package with nothing to compile against on this framework.
                if (asset.Name.EndsWith("_._", StringComparison.Ordinal)) continue;
                yield return Path.Combine(packageFolder, libraryPath, asset.Name);
            }
        }
    }

    /// <summary>The packages a project of this repository depends on, as its package would.</summary>
    static IEnumerable<string> DependenciesOf(string project)
    {
        var file = XDocument.Load(Repository.File(project));
        foreach (var reference in file.Descendants("PackageReference"))
        {
            // Build-time tools, and references for older frameworks only, are not dependencies of the net10.0 assets.
            if (reference.Element("PrivateAssets")?.Value == "all" || reference.Attribute("PrivateAssets")?.Value == "all") continue;
            if (reference.Parent?.Attribute("Condition") is not null) continue;
            yield return reference.Attribute("Include")!.Value;
        }

        foreach (var reference in file.Descendants("ProjectReference"))
        {
            var name = Path.GetFileNameWithoutExtension(reference.Attribute("Include")!.Value);
            if (OwnPackages.TryGetValue(name, out var other))
            {
                foreach (var dependency in DependenciesOf(other)) yield return dependency;
            }
        }
    }

    /// <summary>Each package id this repository's projects reference, with the version they use.</summary>
    static IReadOnlyDictionary<string, string> ReadVersions()
    {
        var versions = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var project in Directory.EnumerateFiles(Repository.Root, "*.csproj", SearchOption.AllDirectories))
        {
            if (project.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ||
                project.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)) continue;
            foreach (var reference in XDocument.Load(project).Descendants("PackageReference"))
            {
                if (reference.Attribute("Include")?.Value is { } id && reference.Attribute("Version")?.Value is { } version)
                {
                    versions.TryAdd(id, version);
                }
            }
        }

        return versions;
    }

    /// <summary>The shared framework a console project runs on: the runtime's own assemblies.</summary>
    static IReadOnlyList<MetadataReference> ReadFramework()
    {
        var frameworkFolder = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        return ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) &&
                        string.Equals(Path.GetDirectoryName(p), frameworkFolder, StringComparison.Ordinal))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToList();
    }
}
