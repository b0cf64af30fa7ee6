using System.CommandLine;
using System.Globalization;
using System.Text;
using CliCommand = System.CommandLine.Command;

namespace Tether.Cli.Commands;

/// <summary>
/// <c>tether audit VERB FILE…</c>: checks the watcher's hash-chained audit log (docs/formats/audit.md). No verb changes
/// a file.
/// </summary>
internal sealed partial class AuditCommand(CliConsole console)
{
    /// <summary>The help text of <c>tether audit --help</c>, after the verbs.</summary>
    public const string HelpNotes = """
        The audit log is the watcher's record of its decisions: boot, spawn, complete and refused rows, tab-
        separated, each with a seq and a chain value (SHA-256 over the row and the chain before it), so an
        edited, removed or reordered row breaks verification. When it grows past its size it rotates: FILE
        becomes FILE.1, FILE.1 becomes FILE.2, and so on; each new file's header links to the last row before.

        Exit codes: 0 the log verified; 1 it did not, or a FILE does not exist; 2 a usage error.

        Examples:
          tether audit verify /var/lib/tether/audit.log
          tether audit verify /var/lib/tether/audit.log --generations
          tether audit verify audit.log.2 audit.log.1 audit.log --json

        """;

    /// <summary>Every verb with its help page, for <see cref="HelpPages"/>.</summary>
    public IReadOnlyDictionary<CliCommand, HelpPage> Pages { get; private set; } = new Dictionary<CliCommand, HelpPage>();

    /// <summary>Adds the <c>audit</c> verb to <paramref name="root"/> and its help pages to <paramref name="pages"/>.</summary>
    public static void Register(RootCommand root, IDictionary<CliCommand, HelpPage> pages, CliConsole console)
    {
        var audit = new AuditCommand(console);
        root.Subcommands.Add(audit.Build());
        foreach (var (command, page) in audit.Pages)
        {
            pages[command] = page;
        }
    }

    /// <summary>Builds the <c>audit</c> verb and its verbs for System.CommandLine.</summary>
    public CliCommand Build()
    {
        var pages = new Dictionary<CliCommand, HelpPage>();
        var command = new CliCommand("audit", "Check the watcher's hash-chained audit log.");
        pages[command] = new(null, HelpNotes);
        var (verify, page) = BuildVerify();
        command.Subcommands.Add(verify);
        pages[verify] = page;
        Pages = pages;
        return command;
    }

    private int Fail(string message)
    {
        console.WriteError(message);
        return ExitCodes.Failure;
    }

    private void WriteLine(string line) => console.Out.WriteLine(line);

    private static string Printable(string text) => TerminalText.Printable(text);
}
