namespace Tether.Cli.Commands;

/// <summary>
/// <c>tether journal VERB DIR …</c>: creates, appends to, reads, follows, checks, summarises and prunes a Tether journal
/// (docs/formats/journal.md).
/// </summary>
internal sealed class JournalGroup(VerbContext context) : VerbGroup(
    context,
    "journal",
    "Create, append to, read, follow, verify, summarise and prune a Tether journal.",
    usage: null,
    Notes,
    new JournalInitVerb(context),
    new JournalAppendVerb(context),
    new JournalShowVerb(context),
    new JournalTailVerb(context),
    new JournalVerifyVerb(context),
    new JournalStatsVerb(context),
    new JournalPruneVerb(context))
{
    private const string Notes = """
        A journal is a directory of append-only JSON-lines files, one record per line, each with a seq and a
        checksum. 'tether journal init DIR' creates an empty one, and 'tether run --journal DIR -- PROGRAM'
        writes one; the other verbs read and maintain it and never create one: a path that holds none is an
        error.

        Exit codes: 0 success; 1 a failure you can fix (no journal at DIR, damage found); 2 a usage error;
        130 'tail --follow' was interrupted.

        Examples:
          tether journal init ./journal
          tether journal show ./journal --type 'job.*' --since 1h
          tether journal tail ./journal -n 20 --follow
          tether journal verify ./journal && tether journal prune ./journal --max-age 30d
          seq=$(tether journal append ./journal --type deploy.started --job web-42 --data '{"version":"1.2.3"}')

        """;
}
