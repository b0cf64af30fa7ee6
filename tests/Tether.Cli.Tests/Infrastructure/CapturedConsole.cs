using System.Text;
using Tether.Cli;

namespace Tether.Cli.Tests.Infrastructure;

/// <summary>
/// A console for in-process runs: tether's own text and the child's bytes go to the same stdout (and stderr) buffer,
/// in the order they are written, as on a real terminal.
/// </summary>
internal sealed class CapturedConsole
{
    private readonly MemoryStream _stdout = new();
    private readonly MemoryStream _stderr = new();

    public CapturedConsole(Stream? stdin = null)
    {
        // Synchronized: the child's output arrives on the library's pumps while tether may write a diagnostic.
        var stdout = Stream.Synchronized(_stdout);
        var stderr = Stream.Synchronized(_stderr);
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        Console = new CliConsole(
            TextWriter.Synchronized(new StreamWriter(stdout, utf8) { AutoFlush = true }),
            TextWriter.Synchronized(new StreamWriter(stderr, utf8) { AutoFlush = true }),
            stdout,
            stderr,
            stdin);
    }

    public CliConsole Console { get; }

    public string Stdout => Read(_stdout);

    public string Stderr => Read(_stderr);

    private static string Read(MemoryStream stream)
    {
        lock (stream)
        {
            return Encoding.UTF8.GetString(stream.ToArray());
        }
    }
}
