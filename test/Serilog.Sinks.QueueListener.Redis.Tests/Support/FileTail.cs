using System.Text;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Support;

/// <summary>
/// Reads the whole lines added to a file since the last read, while another process appends to it; a line without
/// its line feed yet is kept for the next read.
/// </summary>
sealed class FileTail(string path)
{
    readonly StringBuilder _partial = new();
    long _position;

    public void ReadNew(Action<string> onLine)
    {
        if (!File.Exists(path)) return;

        // ReadWrite sharing: the writer holds the file open.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        stream.Position = _position;
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            _position += read;

            // The lines are ASCII, so a chunk boundary never splits a character.
            var text = Encoding.ASCII.GetString(buffer, 0, read);
            var start = 0;
            for (var i = 0; i < text.Length; i++)
            {
                if (text[i] != '\n') continue;
                _partial.Append(text, start, i - start);
                if (_partial.Length > 0) onLine(_partial.ToString());
                _partial.Clear();
                start = i + 1;
            }

            _partial.Append(text, start, text.Length - start);
        }
    }
}
