using Tether.Journaling;

namespace Tether.Cli.Commands;

/// <summary>
/// <c>tether journal init DIR</c>: creates an empty journal, so the other verbs (<c>append</c> first) have one to work
/// on without a <c>tether run --journal</c>.
/// </summary>
internal sealed class JournalInitVerb : JournalVerb
{
    private const string Usage = "DIR";

    /// <summary>The file that makes a directory a journal (docs/formats/journal.md).</summary>
    private const string JournalManifestName = "journal.json";

    private const string Notes = """
        Creates DIR (and its parents) readable by you alone (0700) and an empty journal in it, the way
        'tether run --journal DIR' does on its first run. An empty DIR is used as it is.

        Like 'mkdir -p', init is safe to repeat: when DIR already holds a journal, it says so and changes
        nothing (exit 0), so scripts can run it unconditionally. A DIR that holds other files is refused: a
        journal is never mixed into a directory of other things.

        Exit codes: 0 created, or already a journal; 1 DIR holds other files, is not a directory, or cannot be
        written; 2 a bad option.

        Examples:
          tether journal init ./journal
          tether journal init ./journal && tether journal append ./journal --type deploy.started

        """;

    public JournalInitVerb(VerbContext context)
        : base(context, "init", "Create an empty journal in a new or empty directory (nothing is changed if it already holds one).", Usage, Notes)
    {
        SetAction((parse, _) =>
        {
            var dir = DirectoryPath(parse);
            return GuardAsync(dir, () => InitAsync(dir));
        });
    }

    private async Task<int> InitAsync(string directory)
    {
        if (File.Exists(Path.Combine(directory, JournalManifestName)))
        {
            WriteLine($"'{Printable(directory)}' is already a journal; nothing was changed.");
            return ExitCodes.Success;
        }

        if (File.Exists(directory))
        {
            return Fail($"journal init: '{directory}' is a file, not a directory: give a new or empty directory for the journal.");
        }

        if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
        {
            return Fail($"journal init: '{directory}' is not empty and holds no journal: give a new or empty directory, so the journal is not mixed with other files.");
        }

        var journal = await Journal.OpenAsync(directory, new JournalOptions { CreateIfMissing = true }).ConfigureAwait(false);
        await journal.DisposeAsync().ConfigureAwait(false);
        WriteLine($"Created an empty journal in '{Printable(directory)}'.");
        return ExitCodes.Success;
    }
}
