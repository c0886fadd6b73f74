namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// The exception of an event read back from compact JSON: only its text (<c>@x</c>, the original exception's
/// <see cref="Exception.ToString"/>) travels, so this carries the text and gives it back from
/// <see cref="ToString"/>, which is what sinks write.
/// </summary>
sealed class ClefException : Exception
{
    readonly string _text;

    /// <param name="text">The original exception's <see cref="Exception.ToString"/>.</param>
    public ClefException(string text)
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
