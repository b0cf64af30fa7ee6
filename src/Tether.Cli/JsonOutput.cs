using System.Text.Json;

namespace Tether.Cli;

/// <summary>
/// The <c>--json</c> output of one invocation: whether the user asked for it, and whether a document has been written,
/// so that a failure the verb did not report as JSON still gets its error object (see <see cref="TetherApp"/>).
/// </summary>
internal sealed class JsonOutput(CliConsole console)
{
    /// <summary>Whether the verb was given <c>--json</c>; set by <see cref="TetherApp"/> before the verb runs.</summary>
    public bool Requested { get; set; }

    /// <summary>
    /// Whether a document that tells how the verb ended (its result, or an error object) has been written on stdout.
    /// The records of a stream (<see cref="WriteStored"/>) do not count.
    /// </summary>
    public bool Written { get; private set; }

    /// <summary>Writes the object written by <paramref name="write"/> as one line, in the envelope (<see cref="JsonLine.Write"/>).</summary>
    /// <param name="write">Writes the whole object, braces included.</param>
    /// <param name="breakLineFirst">Whether to end the line that is open on stdout first (a program's output that did not end with a line break).</param>
    public void Write(Action<Utf8JsonWriter> write, bool breakLineFirst = false)
    {
        var line = JsonLine.Write(write);
        WriteLine(breakLineFirst ? Environment.NewLine + line : line);
    }

    /// <summary>Writes the stored JSON object <paramref name="json"/> (a journal record) as one line, in the envelope.</summary>
    public void WriteStored(string json) => console.Out.WriteLine(JsonLine.Envelope(json));

    /// <summary>
    /// Writes the error object when <c>--json</c> was given and no document has told how the verb ended yet (a verify
    /// report with its <c>error</c> key, a replay's summary); otherwise nothing: the stderr line says it all.
    /// </summary>
    public void WriteError(string code, string message)
    {
        if (Requested && !Written)
        {
            WriteLine(JsonLine.Error(code, message));
        }
    }

    private void WriteLine(string line)
    {
        Written = true;
        console.Out.WriteLine(line);
    }
}
