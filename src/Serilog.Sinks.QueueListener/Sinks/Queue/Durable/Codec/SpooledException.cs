namespace Serilog.Sinks.Queue;

/// <summary>
/// The exception of an event read back from a spool: only its text (the original exception's
/// <see cref="Exception.ToString"/>) is written, so this carries the text and gives it back from
/// <see cref="ToString"/>, which is what sinks write.
/// </summary>
sealed class SpooledException : Exception
{
    readonly string _text;

    /// <param name="text">The original exception's <see cref="Exception.ToString"/>.</param>
    public SpooledException(string text)
        : base(FirstLine(text))
    {
        _text = text;
    }

    /// <summary>The original exception's text, as written.</summary>
    public override string ToString() => _text;

    /// <summary>The first line of an exception's text is its type and message ("System.Exception: boom").</summary>
    static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text.Substring(0, end);
    }
}
