using System.Globalization;

namespace DummyProgram;

/// <summary>Verbs that move bytes: copy stdin, count it, or write a lot of output.</summary>
internal static class StreamVerbs
{
    private const int LineLength = 80;

    /// <summary><c>cat</c>: copies stdin to stdout byte for byte, writing each chunk as soon as it is read.</summary>
    public static int Cat()
    {
        using var stdin = Console.OpenStandardInput();
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = stdin.Read(buffer)) > 0)
        {
            Output.StdoutStream.Write(buffer, 0, read);
            Output.StdoutStream.Flush();
        }

        return 0;
    }

    /// <summary><c>count-stdin</c>: reads stdin to the end and prints how many bytes it got.</summary>
    public static int CountStdin()
    {
        using var stdin = Console.OpenStandardInput();
        var buffer = new byte[64 * 1024];
        long total = 0;
        int read;
        while ((read = stdin.Read(buffer)) > 0)
        {
            total += read;
        }

        Output.Stdout.WriteLine(total.ToString(CultureInfo.InvariantCulture));
        return 0;
    }

    /// <summary><c>spew BYTES [--stderr]</c>: exactly BYTES bytes of <c>x</c>, every 80th byte a newline.</summary>
    public static int Spew(string[] args)
    {
        Write(Output.ParseLong(args[0]), Output.Flag(args, "--stderr") ? Output.StderrStream : Output.StdoutStream);
        return 0;
    }

    /// <summary>
    /// <c>lines N [--delay-ms MS] [--stderr] [--both]</c>: <c>line 1</c> to <c>line N</c>, on stdout, on stderr
    /// (<c>--stderr</c>) or on both (<c>--both</c>), pausing MS milliseconds after each.
    /// </summary>
    public static int Lines(string[] args)
    {
        var count = Output.ParseInt(args[0]);
        var delay = Output.Option(args, "--delay-ms") is { } ms ? Output.ParseInt(ms) : 0;
        var both = Output.Flag(args, "--both");
        var toStdout = both || !Output.Flag(args, "--stderr");
        var toStderr = both || Output.Flag(args, "--stderr");
        for (var i = 1; i <= count; i++)
        {
            var line = "line " + i.ToString(CultureInfo.InvariantCulture);
            if (toStdout)
            {
                Output.Stdout.WriteLine(line);
            }

            if (toStderr)
            {
                Output.Stderr.WriteLine(line);
            }

            if (delay > 0)
            {
                Thread.Sleep(delay);
            }
        }

        return 0;
    }

    /// <summary>
    /// <c>flood-stderr BYTES then-stdout TEXT</c>: writes BYTES to stderr first and only then TEXT to stdout. A
    /// runner that reads stdout alone until the end deadlocks on it once the stderr pipe is full.
    /// </summary>
    public static int FloodStderr(string[] args)
    {
        Write(Output.ParseLong(args[0]), Output.StderrStream);
        Output.Stdout.WriteLine(args.Length > 2 ? args[2] : "");
        return 0;
    }

    private static void Write(long count, Stream destination)
    {
        var pattern = new byte[LineLength * 820]; // whole lines, so chunk boundaries do not shift the newlines
        for (var i = 0; i < pattern.Length; i++)
        {
            pattern[i] = (i + 1) % LineLength == 0 ? (byte)'\n' : (byte)'x';
        }

        while (count > 0)
        {
            var n = (int)Math.Min(count, pattern.Length);
            destination.Write(pattern, 0, n);
            count -= n;
        }

        destination.Flush();
    }
}
