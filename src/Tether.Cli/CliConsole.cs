using Tether.Cli.Streams;

namespace Tether.Cli;

/// <summary>
/// Where the tool reads and writes: text writers for its own messages, raw streams for a child's bytes, and stdin when
/// it is redirected. <see cref="System"/> is the real console; tests pass their own.
/// </summary>
/// <param name="Out">Human and JSON output of tether itself.</param>
/// <param name="Error">Diagnostics of tether itself: one line per error, prefixed <c>tether: </c>.</param>
/// <param name="Stdout">Receives a child's stdout bytes unchanged.</param>
/// <param name="Stderr">Receives a child's stderr bytes unchanged.</param>
/// <param name="RedirectedStdin">Tether's stdin when it comes from a pipe or a file (the child's input), or null when it is a terminal.</param>
internal sealed record CliConsole(TextWriter Out, TextWriter Error, Stream Stdout, Stream Stderr, Stream? RedirectedStdin)
{
    public const string Prefix = "tether: ";

    /// <summary>The process's own console. The raw streams bypass <see cref="Console.Out"/>'s encoder so bytes pass unchanged.</summary>
    public static CliConsole System() => new(
        Console.Out,
        Console.Error,
        StandardStreams.OpenOutput(1),
        StandardStreams.OpenOutput(2),
        Console.IsInputRedirected ? Console.OpenStandardInput() : null)
    {
        StdoutInheritable = Console.IsOutputRedirected,
        StdinInheritable = Console.IsInputRedirected,
    };

    /// <summary>
    /// True when a child may read tether's own stdin (descriptor 0) itself instead of through
    /// <see cref="RedirectedStdin"/>: the real console, when its stdin is a pipe or a file.
    /// </summary>
    public bool StdinInheritable { get; init; }

    /// <summary>
    /// True when a child may write straight to tether's own stdout (descriptor 1) instead of through
    /// <see cref="Stdout"/>: the real console, when its stdout is a file or a pipe. A terminal is not passed on, so
    /// that the program does not start to see one (that is what <c>--tty</c> asks for).
    /// </summary>
    public bool StdoutInheritable { get; init; }

    /// <summary>The last line <see cref="WriteError"/> wrote, without the prefix: the message of a <c>--json</c> error object.</summary>
    public string? LastError { get; private set; }

    /// <summary>Writes one diagnostic line: <c>tether: </c> + <paramref name="message"/>, with line breaks flattened.</summary>
    public void WriteError(string message)
    {
        var oneLine = message.ReplaceLineEndings(" ").TrimEnd();
        LastError = oneLine;
        try
        {
            Error.WriteLine(Prefix + oneLine);
        }
        catch (IOException)
        {
            // Nobody reads our stderr any more; the exit code still tells.
        }
    }
}
