using System.CommandLine;
using System.Globalization;
using Tether.Sessions;
using CliCommand = System.CommandLine.Command;

namespace Tether.Cli.Commands.Rec;

// tether rec import FILE [--name NAME] [--format FORMAT] [--json]; tether rec doctor [--json]
internal sealed partial class RecCommand
{
    partial void AddImportAndDoctorVerbs(CliCommand rec)
    {
        rec.Subcommands.Add(BuildImport());
        rec.Subcommands.Add(BuildDoctor());
    }

    private CliCommand BuildImport()
    {
        var file = new Argument<string>("FILE") { Description = "A bash, zsh or fish history file, a shell script, or a session file." };
        var name = new Option<string?>("--name") { Description = "The session's name (default: imported-FILENAME; a session file keeps its own)." };
        var format = new Option<string?>("--format") { Description = "The kind of file, instead of detecting it: " + string.Join(", ", ImportFormats.Names) + "." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object: id, name, format, commands, path." };
        var command = new CliCommand("import", "Import a shell history file, a shell script or a session file as a session.")
        {
            file, name, format, json,
        };
        command.SetAction(parse => Import(parse.GetValue(file)!, parse.GetValue(name), parse.GetValue(format), parse.GetValue(json)));
        Page(command, "FILE [--name NAME] [--format FORMAT] [--json]", """
            The kind of file is detected from its first lines: a session header (rec's or Tether's NDJSON),
            zsh's ': 1700000000:0;cmd', fish's '- cmd:', bash's '#1700000000' lines, a '#!' line; then from
            the file name (.bash_history, .zsh_history, fish_history); anything else is a shell script, one
            command per logical line (continuations and here-documents kept whole, comments skipped).
            History files do not say where a command ran or how it exited: every command gets the directory
            the import runs in, and no exit code. A session file whose id is taken gets a new id.

            Exit codes: 0 imported; 1 the file cannot be read, holds no command, or the name is taken;
            2 a bad option.

            Examples:
              tether rec import ~/.zsh_history --name zsh-history
              tether rec import deploy.sh
              tether rec import notes.txt --format bash-history --json

            """);
        return command;
    }

    private int Import(string path, string? name, string? formatName, bool json)
    {
        ImportFormat? format = null;
        if (formatName is not null)
        {
            format = ImportFormats.TryParse(formatName, out var parsed)
                ? parsed
                : throw new UsageException($"rec import: '{formatName}' is not a format: use one of {string.Join(", ", ImportFormats.Names)}.");
        }

        try
        {
            var detected = format ?? SessionImporter.Detect(path);
            var store = SessionStore.Open();
            var session = SessionImporter.ImportInto(store, path, new ImportOptions { Name = name, Format = detected });
            store.TryFind(session.Id, out var saved);
            if (json)
            {
                Console.Out.WriteLine(JsonLine.Write(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("id", session.Id);
                    writer.WriteString("name", session.Name);
                    writer.WriteString("format", ImportFormats.NameOf(detected));
                    writer.WriteNumber("commands", session.Commands.Length);
                    writer.WriteString("path", saved);
                    writer.WriteEndObject();
                }));
            }
            else
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"imported '{session.Name}' ({session.Commands.Length} commands, {ImportFormats.NameOf(detected)}) as {session.Id}"));
            }

            return ExitCodes.Success;
        }
        catch (Exception e) when (e is ImportException or SessionFormatException or SessionExistsException or SessionNameException
                                      or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            Console.WriteError("rec import: " + e.Message);
            return ExitCodes.Failure;
        }
    }

    private CliCommand BuildDoctor()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object: ok and checks [{name, status, detail}]." };
        var command = new CliCommand("doctor", "Check that recording works: storage, permissions, session files, hooks, stale recordings.")
        {
            json,
        };
        command.SetAction(parse => Doctor(parse.GetValue(json)));
        Page(command, "[--json]", """
            One line per check: ok, warn or FAIL, its name and what was found. Nothing is changed (a
            writability probe file is created and removed at once). The checks: storage (the sessions
            directory exists or can be created), storage-writable, storage-permissions (0700),
            session-permissions (0600, the others are named), session-files (readable, no corrupt lines),
            state-dir (recordings in progress), hooks ('tether rec init' in ~/.bashrc, ~/.zshrc or
            ~/.config/fish/config.fish, or TETHER_REC_HOOKS set), stale-recordings (of shells that are gone).

            Exit codes: 0 no check failed (warnings allowed); 1 a check failed; 2 a bad option.

            Example:
              tether rec doctor

            """);
        return command;
    }

    private int Doctor(bool json)
    {
        var checks = SessionDoctor.Run();
        var failed = checks.Any(c => c.Status == DoctorStatus.Fail);
        if (json)
        {
            Console.Out.WriteLine(JsonLine.Write(writer =>
            {
                writer.WriteStartObject();
                writer.WriteBoolean("ok", !failed);
                writer.WriteStartArray("checks");
                foreach (var check in checks)
                {
                    writer.WriteStartObject();
                    writer.WriteString("name", check.Name);
                    writer.WriteString("status", StatusWord(check.Status).ToLowerInvariant());
                    writer.WriteString("detail", check.Detail);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }));
        }
        else
        {
            foreach (var check in checks)
            {
                Console.Out.WriteLine($"{StatusWord(check.Status),-4}  {check.Name,-19}  {check.Detail}");
            }
        }

        if (failed)
        {
            Console.WriteError(string.Create(CultureInfo.InvariantCulture, $"rec doctor: {checks.Count(c => c.Status == DoctorStatus.Fail)} checks failed (marked FAIL on stdout)."));
            return ExitCodes.Failure;
        }

        return ExitCodes.Success;
    }

    private static string StatusWord(DoctorStatus status) => status switch
    {
        DoctorStatus.Ok => "ok",
        DoctorStatus.Warn => "warn",
        _ => "FAIL",
    };
}
