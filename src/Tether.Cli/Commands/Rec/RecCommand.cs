using System.CommandLine;
using CliCommand = System.CommandLine.Command;

namespace Tether.Cli.Commands.Rec;

/// <summary>
/// <c>tether rec …</c>: record shell sessions command by command, work with them, replay them safely and export them.
/// The subcommands are grouped by concern in partial files: recording (init, start, stop, status), sessions (list,
/// show, search, rename, tag, untag, delete, copy, diff, stats), replay and export, import and doctor.
/// </summary>
internal sealed partial class RecCommand(CliConsole console, Interruption interruption)
{
    /// <summary>The usage line of <c>tether rec --help</c>.</summary>
    public const string HelpUsage = "VERB [options]";

    /// <summary>The help text printed after the verbs.</summary>
    public const string HelpNotes = """
        Record what you do in a terminal, command by command, then replay it safely or export it as a
        script, a Makefile, a CI file or a Dockerfile.

        Set up once (add to ~/.bashrc, ~/.zshrc or ~/.config/fish/config.fish):
          eval "$(tether rec init bash)"      # or zsh; for fish: tether rec init fish | source

        Sessions are stored as NDJSON (rec's version 2 format) in $TETHER_SESSIONS_DIR, else
        $XDG_DATA_HOME/tether/sessions, else ~/.local/share/tether/sessions. 'tether rec VERB --help'
        describes each verb.

        """;

    private readonly Dictionary<CliCommand, HelpPage> _pages = [];

    /// <summary>The help pages of the verb and its subcommands.</summary>
    public IReadOnlyDictionary<CliCommand, HelpPage> Pages => _pages;

    private CliConsole Console => console;

    private Interruption Interruption => interruption;

    /// <summary>Adds the <c>rec</c> verb to <paramref name="root"/> and its help pages to <paramref name="pages"/>.</summary>
    public static void Register(RootCommand root, IDictionary<CliCommand, HelpPage> pages, CliConsole console, Interruption interruption)
    {
        var command = new RecCommand(console, interruption);
        var rec = command.Build();
        root.Subcommands.Add(rec);
        pages[rec] = new(HelpUsage, HelpNotes);
        foreach (var (verb, page) in command.Pages)
        {
            pages[verb] = page;
        }
    }

    /// <summary>Builds <c>rec</c> with every subcommand the partial files add.</summary>
    public CliCommand Build()
    {
        var rec = new CliCommand("rec", "Record shell sessions command by command; list, replay and export them.");
        AddRecordingVerbs(rec);
        AddSessionVerbs(rec);
        AddReplayAndExportVerbs(rec);
        AddImportAndDoctorVerbs(rec);
        return rec;
    }

    /// <summary>Registers a subcommand's help page.</summary>
    private void Page(CliCommand verb, string usage, string notes) => _pages[verb] = new(usage, notes);

    /// <summary>init, start, stop, status (RecCommand.Recording.cs).</summary>
    partial void AddRecordingVerbs(CliCommand rec);

    /// <summary>list, show, search, rename, tag, untag, delete, copy, diff, stats (RecCommand.Sessions.cs).</summary>
    partial void AddSessionVerbs(CliCommand rec);

    /// <summary>replay, export (RecCommand.ReplayExport.cs).</summary>
    partial void AddReplayAndExportVerbs(CliCommand rec);

    /// <summary>import, doctor (RecCommand.Import.cs).</summary>
    partial void AddImportAndDoctorVerbs(CliCommand rec);
}
