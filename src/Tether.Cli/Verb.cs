using System.CommandLine;
using CliCommand = System.CommandLine.Command;

namespace Tether.Cli;

/// <summary>
/// The base of every verb of the tool (<c>run</c>, <c>journal show</c>, <c>rec list</c>, …) and of every group of verbs
/// (<see cref="VerbGroup"/>): a System.CommandLine command that knows the console it writes to, its help page, the one
/// way to fail, and the one <c>--json</c> option.
/// </summary>
/// <remarks>
/// A verb declares its arguments and options and sets its action in its constructor; a group adds its verbs in its
/// constructor; <see cref="TetherApp"/> adds the top-level verbs to the root. A verb holds no domain logic: it reads
/// the command line, calls a library, and presents the result (text or <c>--json</c>). Errors the user can fix are one
/// line on stderr through <see cref="Fail"/> (exit 1), and with <c>--json</c> also an error object on stdout; a wrong
/// command line is a <see cref="UsageException"/> (exit 2). Every JSON document goes through <see cref="WriteJson"/>, which
/// puts it in the one envelope (<see cref="JsonLine"/>).
/// </remarks>
internal abstract class Verb : CliCommand
{
    /// <summary>Creates the verb <paramref name="name"/>.</summary>
    /// <param name="context">The console, stop requests and runner the verb works with.</param>
    /// <param name="name">The verb as typed, such as <c>show</c>.</param>
    /// <param name="description">One sentence for the list of verbs and the top of <c>--help</c>.</param>
    /// <param name="usage">The usage line after <c>tether VERB </c> in <c>--help</c>, replacing the generated one; or null to keep it.</param>
    /// <param name="notes">What <c>--help</c> prints after the options: behaviour, exit codes, examples; or null.</param>
    protected Verb(VerbContext context, string name, string description, string? usage = null, string? notes = null)
        : base(name, description)
    {
        Context = context;
        Page = new HelpPage(usage, notes);
    }

    /// <summary>What <c>--help</c> shows beyond System.CommandLine's sections (see <see cref="HelpPages"/>).</summary>
    public HelpPage Page { get; }

    /// <summary>The console, stop requests and runner the verb works with.</summary>
    protected VerbContext Context { get; }

    /// <summary>Where the verb writes its output and diagnostics.</summary>
    protected CliConsole Console => Context.Console;

    /// <summary>The user's stop requests; a long-running verb ends with <see cref="ExitCodes.Interrupted"/> when asked.</summary>
    protected Interruption Interruption => Context.Interruption;

    /// <summary>Adds the verb's <c>--json</c> option (the same option for every verb; only what it prints differs).</summary>
    /// <param name="description">What the verb prints with <c>--json</c>.</param>
    protected Option<bool> AddJsonOption(string description)
    {
        var json = new Option<bool>("--json") { Description = description };
        Add(json);
        JsonOption = json;
        return json;
    }

    /// <summary>The verb's <c>--json</c> option, or null when it has none.</summary>
    public Option<bool>? JsonOption { get; private set; }

    /// <summary>The invocation's <c>--json</c> output.</summary>
    protected JsonOutput Json => Context.Json;

    /// <summary>
    /// Writes one error line (<c>tether: </c> + <paramref name="message"/>) on stderr, and with <c>--json</c> the error
    /// object on stdout unless the verb's result document already reports the failure, and returns
    /// <see cref="ExitCodes.Failure"/>.
    /// </summary>
    /// <param name="message">What is wrong and what to do, in one line.</param>
    /// <param name="code">The error object's code (<see cref="JsonErrorCode"/>).</param>
    protected int Fail(string message, string code = JsonErrorCode.Failed)
    {
        Console.WriteError(message);
        Json.WriteError(code, message.ReplaceLineEndings(" ").TrimEnd());
        return ExitCodes.Failure;
    }

    /// <summary>Writes the JSON object written by <paramref name="write"/> (braces included) as one line of stdout, in the envelope.</summary>
    protected void WriteJson(Action<System.Text.Json.Utf8JsonWriter> write) => Json.Write(write);

    /// <summary>Writes one line of output on stdout.</summary>
    protected void WriteLine(string line) => Console.Out.WriteLine(line);

    /// <summary><paramref name="text"/> from a file or a recording, safe to print on a terminal (see <see cref="TerminalText"/>).</summary>
    protected static string Printable(string text) => TerminalText.Printable(text);
}
