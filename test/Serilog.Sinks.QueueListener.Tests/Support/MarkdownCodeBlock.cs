using System.Text.RegularExpressions;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// A fenced code block of a Markdown file: where its code starts, its language, its code, the heading it stands
/// under, and the fragment context named by an HTML comment <c>&lt;!-- fragment: NAME --&gt;</c> on the line before
/// the fence (blank lines may stand between).
/// </summary>
sealed record MarkdownCodeBlock(string File, int Line, string Language, string Code, string Heading, string? Fragment)
{
    /// <summary>Names the block in test names and messages: the file and the line of its first line of code.</summary>
    public override string ToString() => $"{File}:{Line}";
}

/// <summary>
/// Reads the fenced code blocks (<c>```</c>) of a Markdown file.
/// </summary>
static partial class MarkdownCodeBlocks
{
    [GeneratedRegex(@"^<!--\s*fragment:\s*(?<name>[\w-]+)\s*-->$")]
    private static partial Regex FragmentComment();

    public static IReadOnlyList<MarkdownCodeBlock> Read(string fileName, string markdown)
    {
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var blocks = new List<MarkdownCodeBlock>();
        var heading = "(top)";
        string? fragment = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                var language = line[3..].Trim();
                var start = i + 1;
                var end = start;
                while (end < lines.Length && !lines[end].StartsWith("```", StringComparison.Ordinal)) end++;
                var code = string.Join('\n', lines[start..end]);
                blocks.Add(new MarkdownCodeBlock(fileName, start + 1, language, code, heading, fragment));
                fragment = null;
                i = end;
            }
            else if (FragmentComment().Match(line.Trim()) is { Success: true } match)
            {
                fragment = match.Groups["name"].Value;
            }
            else if (line.Trim().Length > 0)
            {
                // A fragment comment names the block right after it, not one further down.
                fragment = null;
                if (line.StartsWith('#')) heading = line.TrimStart('#').Trim();
            }
        }

        return blocks;
    }
}
