using System.CommandLine;
using System.Globalization;
using Tether.Sessions;

namespace Tether.Cli.Commands;

/// <summary><c>tether rec import FILE [--name NAME] [--format FORMAT] [--json]</c>: imports a history file, a script or a session file.</summary>
internal sealed class RecImportVerb : RecVerb
{
    private const string Usage = "FILE [--name NAME] [--format FORMAT] [--json]";

    private const string Notes = """
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

        """;

    public RecImportVerb(VerbContext context)
        : base(context, "import", "Import a shell history file, a shell script or a session file as a session.", Usage, Notes)
    {
        var file = new Argument<string>("FILE") { Description = "A bash, zsh or fish history file, a shell script, or a session file." };
        var name = new Option<string?>("--name") { Description = "The session's name (default: imported-FILENAME; a session file keeps its own)." };
        var format = new Option<string?>("--format") { Description = "The kind of file, instead of detecting it: " + string.Join(", ", ImportFormats.Names) + "." };
        Add(file);
        Add(name);
        Add(format);
        var json = AddJsonOption("Print one JSON object: id, name, format, commands, path.");
        SetAction(parse => Import(parse.GetValue(file)!, parse.GetValue(name), parse.GetValue(format), parse.GetValue(json)));
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
                WriteJson(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("id", session.Id);
                    writer.WriteString("name", session.Name);
                    writer.WriteString("format", ImportFormats.NameOf(detected));
                    writer.WriteNumber("commands", session.Commands.Length);
                    writer.WriteString("path", saved);
                    writer.WriteEndObject();
                });
            }
            else
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"imported '{session.Name}' ({Counted.Of(session.Commands.Length, "command")}, {ImportFormats.NameOf(detected)}) as {session.Id}"));
            }

            return ExitCodes.Success;
        }
        catch (Exception e) when (e is ImportException or SessionFormatException or SessionExistsException or SessionNameException
                                      or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return Fail("rec import: " + Printable(Cause(e)));
        }
    }
}
