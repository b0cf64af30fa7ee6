namespace Tether.Cli.Commands;

/// <summary>
/// <c>tether cassette VERB FILE …</c>: lists and checks a cassette file, the record of runs that
/// <c>tether run --cassette FILE</c> writes and replays (processkit's JSON cassette format, versions 1 to 4).
/// </summary>
internal sealed class CassetteGroup(VerbContext context) : VerbGroup(
    context,
    "cassette",
    "List and check cassette files: the recorded runs that 'tether run --cassette' replays.",
    usage: null,
    Notes,
    new CassetteShowVerb(context),
    new CassetteVerifyVerb(context))
{
    private const string Notes = """
        A cassette is a JSON file of recorded runs: program, arguments, working directory, stdout and
        stderr as text (and as bytes when it is not text), and how each run ended. 'tether run
        --cassette FILE -- PROGRAM' records one and replays from it; these verbs read it and never
        change it. The format is processkit's JSON cassette: tether reads versions 1 to 4 and writes
        version 4, so cassettes move between Tether and processkit both ways.

        Exit codes: 0 success; 1 FILE does not exist or is not a valid cassette; 2 a usage error.

        Examples:
          tether cassette show tests/cassettes/git-status.json
          tether cassette show tests/cassettes/git-status.json --json | jq '.entries[].code'
          tether cassette verify tests/cassettes/git-status.json

        """;
}
