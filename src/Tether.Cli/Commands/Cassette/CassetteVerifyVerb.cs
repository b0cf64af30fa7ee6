using Tether.Testing;

namespace Tether.Cli.Commands;

/// <summary><c>tether cassette verify FILE [--json]</c>: checks a cassette file the way a replay loads it.</summary>
internal sealed class CassetteVerifyVerb : CassetteVerb
{
    private const string Usage = "FILE [--json]";

    private const string Notes = """
        Runs every check a replay runs, without replaying anything: FILE exists and is readable, is at most
        64 MiB, is JSON, has a format version from 1 to 4, and every entry has a program, arguments, stdout,
        stderr and at most one of an exit code, a signal, a timeout and a recorded error (none means an
        unknown signal). A valid cassette prints 'FILE: valid cassette, N entries'; otherwise one line on stderr says what is wrong
        (a missing file says it does not exist). Verify only reads: it never changes the file.

        Exit codes: 0 the cassette is valid; 1 it does not exist or is not a valid cassette; 2 a bad option.

        Examples:
          tether cassette verify tests/cassettes/build.json
          for f in tests/cassettes/*.json; do tether cassette verify "$f" || exit 1; done

        """;

    public CassetteVerifyVerb(VerbContext context)
        : base(context, "verify", "Check a cassette file the way a replay loads it: size, JSON, format version and every entry.", Usage, Notes)
    {
        var json = AddJsonOption("Print one JSON object: path, valid, entries (null when invalid), problem (null, not_found, unreadable, too_large, invalid_json, unsupported_version or invalid_entry) and error (null, or code: the problem, and message).");
        SetAction(parse => Verify(FilePath(parse), parse.GetValue(json)));
    }

    private int Verify(string path, bool json)
    {
        var (cassette, problem, error) = Load(path);
        if (json)
        {
            WriteJson(writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("path", path);
                writer.WriteBoolean("valid", cassette is not null);
                if (cassette is not null)
                {
                    writer.WriteNumber("entries", cassette.Entries.Length);
                }
                else
                {
                    writer.WriteNull("entries");
                }

                if (problem is { } p)
                {
                    writer.WriteString("problem", CassetteMessages.ProblemName(p));
                }
                else
                {
                    writer.WriteNull("problem");
                }

                if (problem is { } failed && error is not null)
                {
                    JsonLine.WriteError(writer, CassetteMessages.ProblemName(failed), error);
                }
                else
                {
                    writer.WriteNull("error");
                }

                writer.WriteEndObject();
            });
        }

        if (cassette is null)
        {
            return Fail(error!);
        }

        if (!json)
        {
            WriteLine($"{Printable(path)}: valid cassette, {Entries(cassette.Entries.Length)}");
        }

        return ExitCodes.Success;
    }
}
