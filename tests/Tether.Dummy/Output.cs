using System.Globalization;
using System.Text;

namespace DummyProgram;

/// <summary>
/// Stdout and stderr as UTF-8 writers that flush every write, whatever the locale says, so that the specs see
/// exactly the bytes they expect and see each line as soon as it is written.
/// </summary>
internal static class Output
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static Stream StdoutStream { get; } = Console.OpenStandardOutput();

    public static Stream StderrStream { get; } = Console.OpenStandardError();

    public static TextWriter Stdout { get; } = new StreamWriter(StdoutStream, Utf8) { AutoFlush = true, NewLine = "\n" };

    public static TextWriter Stderr { get; } = new StreamWriter(StderrStream, Utf8) { AutoFlush = true, NewLine = "\n" };

    public static int ParseInt(string text) => int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture);

    public static long ParseLong(string text) => long.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture);

    /// <summary>The value after <paramref name="option"/> (e.g. <c>--delay-ms 20</c>), or null when absent.</summary>
    public static string? Option(string[] args, string option)
    {
        var index = Array.IndexOf(args, option);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    public static bool Flag(string[] args, string flag) => Array.IndexOf(args, flag) >= 0;
}
