using System.CommandLine;
using Tether.Testing;
using CliCommand = System.CommandLine.Command;

namespace Tether.Cli.Commands;

// tether cassette verify FILE [--json]
internal sealed partial class CassetteCommand
{
    private (CliCommand, HelpPage) BuildVerify()
    {
        var file = FileArgument();
        var json = JsonOption("Print one JSON object: path, valid, entries (null when invalid), problem (null, not_found, unreadable, too_large, invalid_json, unsupported_version or invalid_entry) and error.");
        var command = new CliCommand("verify", "Check a cassette file the way a replay loads it: size, JSON, format version and every entry.")
        {
            file, json,
        };
        command.SetAction(parse =>
        {
            var path = FilePath(parse.GetValue(file), "verify");
            return Verify(path, parse.GetValue(json));
        });
        return (command, new("FILE [--json]", """
            Runs every check a replay runs, without replaying anything: FILE exists and is readable, is at most
            64 MiB, is JSON, has a format version from 1 to 4, and every entry has a program, arguments, stdout,
            stderr and at most one of an exit code, a signal, a timeout and a recorded error (none means an
            unknown signal). A valid
            cassette prints 'FILE: valid cassette, N entries'; otherwise one line on stderr says what is wrong
            (a missing file says it does not exist). Verify only reads: it never changes the file.

            Exit codes: 0 the cassette is valid; 1 it does not exist or is not a valid cassette; 2 a bad option.

            Examples:
              tether cassette verify tests/cassettes/build.json
              for f in tests/cassettes/*.json; do tether cassette verify "$f" || exit 1; done

            """));
    }

    private int Verify(string path, bool json)
    {
        var (cassette, problem, error) = Load("verify", path);
        if (json)
        {
            WriteLine(Json(writer =>
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

                if (error is not null)
                {
                    writer.WriteString("error", error);
                }
                else
                {
                    writer.WriteNull("error");
                }

                writer.WriteEndObject();
            }));
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
