using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Serilog.Core;
using Serilog.Events;
using Serilog.Settings.Configuration;
using Serilog.Sinks.QueueListener.Tests.Support;

namespace Serilog.Sinks.QueueListener.Tests.Docs;

/// <summary>
/// The READMEs' examples work as written: every C# block compiles as pasted into a new console project (see
/// <see cref="SnippetCompiler"/>), or, marked <c>&lt;!-- fragment: NAME --&gt;</c>, inside the context of that name
/// below; the JSON example binds and logs; the <c>RedactingListener</c> example does what the README says of it.
/// </summary>
public partial class ReadmeTests
{
    /// <summary>The repository's README, the packages', and the pages under docs/.</summary>
    static readonly string[] Documents =
    [
        "README.md",
        "src/Serilog.Sinks.QueueListener/README.md",
        "src/Serilog.Sinks.QueueListener.Redis/README.md",
        .. Directory.GetFiles(Repository.File("docs"), "*.md").Order(StringComparer.Ordinal).Select(f => "docs/" + Path.GetFileName(f)),
    ];

    static readonly string[] CSharpLanguages = ["csharp", "cs", "c#"];

    /// <summary>
    /// The code a fragment is pasted after, by the name its marker gives. A fragment is a few lines that would only
    /// repeat what the blocks around it set up; its context sets that up once more.
    /// </summary>
    static readonly Dictionary<string, string> FragmentContexts = new()
    {
        // A queue, a listener over it, and a logger that enqueues, as in "The queue and the listener by hand".
        ["listener"] = """
            using Serilog;
            using Serilog.Configuration;
            using Serilog.Sinks.Queue;

            var queue = new LogEventQueue(capacity: 10_000, QueueFullMode.Block);
            var listener = new QueueListener(queue, LoggerSinkConfiguration.CreateSink(wt => wt.Console()));
            var logger = new LoggerConfiguration().WriteTo.Sink(new QueueSink(queue)).CreateLogger();
            """,
    };

    static IReadOnlyList<MarkdownCodeBlock> Blocks(string document) =>
        MarkdownCodeBlocks.Read(document, System.IO.File.ReadAllText(Repository.File(document)));

    static IEnumerable<TestCaseData> CSharpBlocks() =>
        Documents.SelectMany(Blocks)
            .Where(b => CSharpLanguages.Contains(b.Language))
            .Select(b => new TestCaseData(b.ToString()));

    static MarkdownCodeBlock Block(string name) =>
        Documents.SelectMany(Blocks).Single(b => b.ToString() == name);

    /// <summary>The source to compile for a block: its code, after its fragment's context if it names one, with
    /// <c>#line</c> directives so that the compiler's errors name the document's lines.</summary>
    static string Source(MarkdownCodeBlock block)
    {
        var source = new StringBuilder();
        if (block.Fragment is not null)
        {
            source.AppendLine($"#line 1 \"fragment context '{block.Fragment}'\"");
            source.AppendLine(FragmentContexts.GetValueOrDefault(block.Fragment, ""));
        }

        source.AppendLine($"#line {block.Line} \"{block.File}\"");
        source.AppendLine(block.Code);
        return source.ToString();
    }

    /// <summary>What is wrong with a C# block, one problem a line, or nothing.</summary>
    static IReadOnlyList<string> CompileProblems(MarkdownCodeBlock block)
    {
        if (block.Fragment is not null && !FragmentContexts.ContainsKey(block.Fragment))
        {
            return [$"{block}: the fragment context '{block.Fragment}' is not one of ReadmeTests' ({string.Join(", ", FragmentContexts.Keys)})"];
        }

        var references = PackagesFor(block) is { } packages ? PastedProject.References(packages) : null;
        return SnippetCompiler.Errors(SnippetCompiler.Compile("Block", Source(block), references));
    }

    /// <summary>
    /// The packages a reader has added when pasting <paramref name="block"/> into a new console project: those the
    /// README's Install section adds, and those its own page names with <c>dotnet add package</c>, in its own Install
    /// section, at the top of the page or in the block's own section; <see langword="null"/> for a block of no page
    /// here.
    /// </summary>
    static IReadOnlyList<string>? PackagesFor(MarkdownCodeBlock block)
    {
        if (!Documents.Contains(block.File)) return null;

        var install = SectionLines("README.md", line => line == "## Install").Concat(SectionLines(block.File, line => line == "## Install"));
        var page = System.IO.File.ReadAllText(Support.Repository.File(block.File)).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var firstSection = Array.FindIndex(page, l => l.StartsWith("## ", StringComparison.Ordinal));
        var preamble = page.Take(firstSection < 0 ? page.Length : firstSection);
        var sectionStart = Array.FindLastIndex(page, block.Line - 1, l => l.StartsWith("## ", StringComparison.Ordinal));
        var section = sectionStart < 0
            ? []
            : page.Skip(sectionStart).TakeWhile((l, i) => i == 0 || !l.StartsWith("## ", StringComparison.Ordinal));
        return install.Concat(preamble).Concat(section)
            .Select(l => AddPackage().Match(l))
            .Where(m => m.Success)
            .Select(m => m.Groups["id"].Value)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    /// <summary>The lines of a page's section, from the heading <paramref name="isHeading"/> picks to the next.</summary>
    static IEnumerable<string> SectionLines(string document, Func<string, bool> isHeading) =>
        System.IO.File.ReadAllLines(Support.Repository.File(document))
            .SkipWhile(l => !isHeading(l))
            .TakeWhile((l, i) => i == 0 || !l.StartsWith("## ", StringComparison.Ordinal));

    [GeneratedRegex(@"dotnet add package (?<id>[\w.]+)")]
    private static partial Regex AddPackage();

    static string Describe(MarkdownCodeBlock block, IReadOnlyList<string> problems) =>
        $"The C# block at {block} (under \"{block.Heading}\") does not compile:{Environment.NewLine}" +
        string.Join(Environment.NewLine, problems);

    /// <summary>Restore the projects of every set of packages the pages name at once, side by side: each restore
    /// waits mostly on files and the network.</summary>
    [OneTimeSetUp]
    public void RestoreThePastedProjects()
    {
        var sets = Documents.SelectMany(Blocks).Where(b => CSharpLanguages.Contains(b.Language))
            .Select(PackagesFor).OfType<IReadOnlyList<string>>().ToList();
        Parallel.ForEach(sets, new ParallelOptions { MaxDegreeOfParallelism = 4 }, set => PastedProject.References(set));
    }

    [TestCaseSource(nameof(CSharpBlocks))]
    public void EveryCSharpBlockCompiles(string block)
    {
        var codeBlock = Block(block);
        var problems = CompileProblems(codeBlock);

        Assert.That(problems, Is.Empty, () => Describe(codeBlock, problems));
    }

    [Test]
    public void ABlockThatStopsCompilingIsNamedWithTheCompilersError()
    {
        var block = MarkdownCodeBlocks.Read("EXAMPLE.md", "# Usage\n\n```csharp\nusing Serilog;\n\nLog.Information(orderId);\n```\n").Single();

        var problems = CompileProblems(block);

        Assert.That(Describe(block, problems), Does.Contain("EXAMPLE.md:4 (under \"Usage\")")
            .And.Contain("EXAMPLE.md:6: CS0103: The name 'orderId' does not exist in the current context"));
    }

    [Test]
    public void ABlockThatNeedsAPackageItsPageDoesNotNameDoesNotCompile()
    {
        const string Code = "using Microsoft.Extensions.Hosting;\nusing Serilog;\n\nvar builder = Host.CreateApplicationBuilder(args);\n" +
                            "builder.Services.AddSerilog(lc => lc.WriteTo.Queue(a => a.File(\"app.log\")));\n";
        var block = MarkdownCodeBlocks.Read("EXAMPLE.md", $"# Hosting\n\n```csharp\n{Code}```\n").Single();

        var withoutHosting = SnippetCompiler.Errors(SnippetCompiler.Compile("Block", Source(block),
            PastedProject.References(["Serilog.Sinks.QueueListener", "Serilog.Sinks.File"])));
        var withHosting = SnippetCompiler.Errors(SnippetCompiler.Compile("Block", Source(block),
            PastedProject.References(["Serilog.Sinks.QueueListener", "Serilog.Sinks.File", "Microsoft.Extensions.Hosting", "Serilog.Extensions.Hosting"])));

        Assert.That(withoutHosting, Has.Some.Contains("EXAMPLE.md:4").And.Contains("CS0234"));
        Assert.That(withHosting, Is.Empty);
    }

    [Test]
    public void AFragmentCompilesInTheContextItNamesAndOnlyThere()
    {
        const string Code = "listener.Start();\nlogger.Information(\"Hello\");\nlistener.Stop();";
        var inContext = MarkdownCodeBlocks.Read("EXAMPLE.md", $"<!-- fragment: listener -->\n\n```csharp\n{Code}\n```\n").Single();
        var alone = MarkdownCodeBlocks.Read("EXAMPLE.md", $"```csharp\n{Code}\n```\n").Single();
        var unknown = MarkdownCodeBlocks.Read("EXAMPLE.md", $"<!-- fragment: nowhere -->\n```csharp\n{Code}\n```\n").Single();

        Assert.Multiple(() =>
        {
            Assert.That(CompileProblems(inContext), Is.Empty);
            Assert.That(CompileProblems(alone), Has.Some.Contains("CS0103"));
            Assert.That(CompileProblems(unknown), Has.One.Contains("'nowhere' is not one of ReadmeTests'"));
        });
    }

    [Test]
    public void EveryLinkBetweenThePagesNamesAPageThatExistsAndOneOfItsHeadings()
    {
        const string Repository = "https://github.com/serilog-contrib/Serilog.Sinks.QueueListener";
        var broken = new List<string>();
        var checkedLinks = 0;
        foreach (var document in Documents)
        {
            var text = System.IO.File.ReadAllText(Support.Repository.File(document));
            var folder = Path.GetDirectoryName(document) ?? "";
            foreach (Match link in PageLink().Matches(text))
            {
                var target = link.Groups["target"].Value;
                var anchor = link.Groups["anchor"].Success ? link.Groups["anchor"].Value : null;

                // The package's README links to the repository by absolute address; the pages link by relative path.
                string page;
                if (target.StartsWith(Repository, StringComparison.Ordinal))
                {
                    var rest = target[Repository.Length..].TrimStart('/');
                    page = rest.Length == 0 ? "README.md" : rest.Replace("blob/main/", "", StringComparison.Ordinal);
                }
                else if (target.Length == 0)
                {
                    page = document;
                }
                else if (target.Contains("://", StringComparison.Ordinal))
                {
                    continue;
                }
                else
                {
                    page = Path.GetRelativePath(".", Path.Combine(folder, target)).Replace('\\', '/');
                }

                checkedLinks++;
                var path = Support.Repository.File(page);
                if (!System.IO.File.Exists(path) && !Directory.Exists(path))
                {
                    broken.Add($"{document}: {link.Value} names no file");
                    continue;
                }

                if (anchor is null) continue;
                var anchors = HeadingLine().Matches(System.IO.File.ReadAllText(path)).Select(m => GitHubAnchor(m.Groups["title"].Value));
                if (!anchors.Contains(anchor)) broken.Add($"{document}: {link.Value} names no heading of {page}");
            }
        }

        Assert.That(checkedLinks, Is.GreaterThan(20));
        Assert.That(broken, Is.Empty);
    }

    /// <summary>The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens.</summary>
    static string GitHubAnchor(string title) =>
        new string(title.ToLowerInvariant().Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_').ToArray()).Replace(' ', '-');

    [GeneratedRegex(@"^#{1,6} (?<title>.+)$", RegexOptions.Multiline)]
    private static partial Regex HeadingLine();

    /// <summary>A Markdown link: its target (a path, an address, or nothing) and its anchor.</summary>
    [GeneratedRegex(@"\]\((?<target>[^)#\s]*)(#(?<anchor>[^)\s]+))?\)")]
    private static partial Regex PageLink();

    [Test]
    public void TheJsonExampleBindsAsWrittenAndLogsThroughTheQueue()
    {
        var json = Blocks("README.md").Single(b => b.Language == "json" && b.Heading == "JSON configuration").Code;
        using var folder = new TempFolder();
        var path = folder.AllocateFilename();
        var configuration = new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)))
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                // Set on top, as environment variables would: a file of the test's own, and a template that shows
                // what the prepare enricher added.
                ["Serilog:WriteTo:0:Args:configure:0:Args:path"] = path,
                ["Serilog:WriteTo:0:Args:configure:0:Args:outputTemplate"] = "{Level:u3} {Message:lj} {MachineName}{NewLine}",
            })
            .Build();
        var switches = new Dictionary<string, LoggingLevelSwitch>();
        var options = new ConfigurationReaderOptions { OnLevelSwitchCreated = (name, levelSwitch) => switches[name] = levelSwitch };

        using (var logger = new LoggerConfiguration().ReadFrom.Configuration(configuration, options).CreateLogger())
        {
            logger.Information("Order {OrderId} shipped", 42);
            switches["$queueSwitch"].MinimumLevel = LogEventLevel.Warning;
            logger.Information("filtered by the switch");
            logger.Warning("Order {OrderId} late", 43);
        }

        Assert.That(LogFile.ReadLines(path), Is.EqualTo(new[]
        {
            $"INF Order 42 shipped {Environment.MachineName}",
            $"WRN Order 43 late {Environment.MachineName}",
        }));
    }

    [Test]
    public void TheRedactingListenerRemovesThePasswordAndKeepsTheTraceAndSpanIds()
    {
        var block = Documents.SelectMany(Blocks).Single(b => b.Language == "csharp" && b.Code.Contains("class RedactingListener", StringComparison.Ordinal));
        var listenerType = SnippetCompiler.Load("RedactingListenerExample", Source(block)).GetType("RedactingListener", throwOnError: true)!;
        var sink = new CollectingSink();

        using (var activity = new Activity("sign-in").Start())
        {
            using (var logger = new LoggerConfiguration().WriteTo.Queue(a => a.Sink(sink), listenerType: listenerType).CreateLogger())
            {
                logger.Information("Sign-in by {User} with {Password}", "ada", "secret");
            }

            Assert.That(sink.Events, Has.Count.EqualTo(1));
            var written = sink.Events[0];
            Assert.Multiple(() =>
            {
                Assert.That(written.Properties.Keys, Is.EquivalentTo(new[] { "User" }));
                Assert.That(written.TraceId, Is.EqualTo(activity.TraceId));
                Assert.That(written.SpanId, Is.EqualTo(activity.SpanId));
            });
        }
    }
}
