using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// Compiles a snippet of documentation as a reader would paste it into a new console project: with the SDK's implicit
/// usings, nullable enabled, and the assemblies given (see <see cref="PastedProject"/>), or by default every assembly
/// the test project references. A snippet with top-level statements is the project's Program.cs; one of classes only is
/// a file of its own beside the Program.cs that <c>dotnet new console</c> makes.
/// </summary>
static class SnippetCompiler
{
    /// <summary>What <c>&lt;ImplicitUsings&gt;enable&lt;/ImplicitUsings&gt;</c> gives a console project.</summary>
    const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    // Reading the metadata of a few hundred assemblies is most of the cost of a compilation: done once.
    static readonly Lazy<IReadOnlyList<MetadataReference>> References = new(ReadReferences);

    /// <summary>
    /// Compile <paramref name="source"/>, whose lines map (by <c>#line</c> directives in it, if any) to the document.
    /// </summary>
    /// <param name="assemblyName">The assembly's name, and the file's.</param>
    /// <param name="source">The code.</param>
    /// <param name="references">What to compile against; by default every assembly the test run may load.</param>
    public static CSharpCompilation Compile(string assemblyName, string source, IReadOnlyList<MetadataReference>? references = null)
    {
        var tree = CSharpSyntaxTree.ParseText(source, ParseOptions, path: assemblyName + ".cs");
        var hasTopLevelStatements = tree.GetCompilationUnitRoot().Members.OfType<GlobalStatementSyntax>().Any();
        List<SyntaxTree> trees = [tree, CSharpSyntaxTree.ParseText(ImplicitUsings, ParseOptions, path: "GlobalUsings.g.cs")];

        // A block of classes only is a file of its own in the console project, beside the Program.cs that
        // `dotnet new console` makes.
        if (!hasTopLevelStatements) trees.Add(CSharpSyntaxTree.ParseText(NewConsoleProgram, ParseOptions, path: "Program.cs"));

        var options = new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable);
        return CSharpCompilation.Create(assemblyName, trees, references ?? References.Value, options);
    }

    /// <summary>The Program.cs of <c>dotnet new console</c>.</summary>
    const string NewConsoleProgram = """
        // See https://aka.ms/new-console-template for more information
        Console.WriteLine("Hello, World!");
        """;

    /// <summary>The compiler's errors, one a line, each with the document's file and line; empty when none.</summary>
    public static IReadOnlyList<string> Errors(Compilation compilation)
    {
        return compilation.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d =>
            {
                var span = d.Location.GetMappedLineSpan();
                return $"{span.Path}:{span.StartLinePosition.Line + 1}: {d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
            })
            .ToList();
    }

    /// <summary>Compile and load <paramref name="source"/>; fails the test with the compiler's errors.</summary>
    public static Assembly Load(string assemblyName, string source)
    {
        var compilation = Compile(assemblyName, source);
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        Assert.That(result.Success, Is.True, () => string.Join(Environment.NewLine, Errors(compilation)));
        return Assembly.Load(image.ToArray());
    }

    static IReadOnlyList<MetadataReference> ReadReferences()
    {
        // The runtime's list of the assemblies this test run may load: the framework and every package and project
        // the test project references. The test assembly itself is left out: a snippet knows nothing of it.
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var self = typeof(SnippetCompiler).Assembly.GetName().Name + ".dll";
        return paths
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && Path.GetFileName(p) != self)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToList();
    }
}
