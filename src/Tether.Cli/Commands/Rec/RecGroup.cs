namespace Tether.Cli.Commands;

/// <summary>
/// <c>tether rec …</c>: record shell sessions command by command, work with them, replay them safely and export them.
/// </summary>
internal sealed class RecGroup(VerbContext context) : VerbGroup(
    context,
    "rec",
    "Record shell sessions command by command; list, replay and export them.",
    "VERB [options]",
    Notes,
    new RecInitVerb(context),
    new RecStartVerb(context),
    new RecStopVerb(context),
    new RecStatusVerb(context),
    new RecListVerb(context),
    new RecShowVerb(context),
    new RecSearchVerb(context),
    new RecRenameVerb(context),
    new RecTagVerb(context),
    new RecUntagVerb(context),
    new RecDeleteVerb(context),
    new RecCopyVerb(context),
    new RecDiffVerb(context),
    new RecStatsVerb(context),
    new RecReplayVerb(context),
    new RecExportVerb(context),
    new RecImportVerb(context),
    new RecDoctorVerb(context))
{
    private const string Notes = """
        Record what you do in a terminal, command by command, then replay it safely or export it as a
        script, a Makefile, a CI file or a Dockerfile.

        Set up once (add to ~/.bashrc, ~/.zshrc or ~/.config/fish/config.fish):
          eval "$(tether rec init bash)"      # or zsh; for fish: tether rec init fish | source

        Sessions are stored as NDJSON (rec's version 2 format) in $TETHER_SESSIONS_DIR, else
        $XDG_DATA_HOME/tether/sessions, else ~/.local/share/tether/sessions. 'tether rec VERB --help'
        describes each verb.

        """;
}
