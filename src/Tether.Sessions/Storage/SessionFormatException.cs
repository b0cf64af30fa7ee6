namespace Tether.Sessions;

/// <summary>
/// A session file that cannot be loaded at all: it has no readable header line (empty, cut off while the recording
/// started, or not a session file), or its header says a format version other than 2. A bad line after the header never
/// gives this: it is skipped and reported in <see cref="SessionLoad.Problems"/>.
/// </summary>
public sealed class SessionFormatException : Exception
{
    internal SessionFormatException(string path, int line, string reason)
        : base(line > 0
            ? $"The session file '{path}' cannot be loaded: line {line}: {reason}."
            : $"The session file '{path}' cannot be loaded: {reason}.")
    {
        Path = path;
        Line = line;
        Reason = reason;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The 1-based line at fault; 0 when the fault is the file as a whole (it is empty).</summary>
    public int Line { get; }

    /// <summary>Why, in words.</summary>
    public string Reason { get; }
}
