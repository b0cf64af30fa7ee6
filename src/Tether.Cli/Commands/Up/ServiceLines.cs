using Tether.Supervisor;

namespace Tether.Cli.Commands;

/// <summary>
/// How a service's output line is shown by <c>tether up</c> in the foreground and by <c>tether logs</c>: the instance's
/// name, padded, a bar, the line — the name coloured on a terminal (one colour per service, the same on every run), plain
/// otherwise.
/// </summary>
/// <param name="colour">Whether to colour the names (stdout is a terminal and NO_COLOR is not set).</param>
internal sealed class ServiceLines(bool colour)
{
    // Readable on dark and light backgrounds; red is left for tether's own warnings.
    private static readonly string[] Colours = ["\e[36m", "\e[32m", "\e[35m", "\e[33m", "\e[34m", "\e[96m", "\e[92m", "\e[95m"];

    private int _width = 8;

    /// <summary>Whether lines written to the process's stdout should be coloured: a terminal, and no <c>NO_COLOR</c>.</summary>
    public static bool ColourFor(CliConsole console) =>
        ReferenceEquals(console.Out, System.Console.Out) && !System.Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));

    /// <summary><c>web    | text</c>, or <c>web#1  | text</c> for a replica; stderr lines are marked <c>!</c> instead of <c>|</c>.</summary>
    public string Format(LogLine line)
    {
        var name = line.Instance.Index == 0 ? line.Instance.Service : line.Instance.ToString();
        _width = Math.Max(_width, Math.Min(name.Length, 24));
        var bar = line.Stream == LogStream.Stderr ? "!" : "|";
        var text = TerminalText.Printable(line.Text);
        var padded = TerminalText.Printable(name).PadRight(_width);
        return colour ? $"{Colour(line.Instance.Service)}{padded} {bar}\e[0m {text}" : $"{padded} {bar} {text}";
    }

    /// <summary>A line of tether's own about a service (a state change), marked so it stands apart from the service's output.</summary>
    public string Event(string service, string text)
    {
        var padded = TerminalText.Printable(service).PadRight(_width);
        return colour ? $"{Colour(service)}{padded} *\e[0m {text}" : $"{padded} * {text}";
    }

    private static string Colour(string service)
    {
        // A stable hash (string.GetHashCode is randomised per process): the same service keeps its colour across runs.
        var hash = 0u;
        foreach (var c in service)
        {
            hash = (hash * 31) + c;
        }

        return Colours[hash % (uint)Colours.Length];
    }
}
