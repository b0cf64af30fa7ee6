using System.CommandLine;
using System.Globalization;
using Tether.Testing;

namespace Tether.Cli.Commands;

/// <summary>
/// The base of the <c>tether cassette</c> verbs: each takes the cassette file <c>FILE</c> and loads it the way a replay
/// does. None changes the file.
/// </summary>
internal abstract class CassetteVerb : Verb
{
    protected CassetteVerb(VerbContext context, string name, string description, string usage, string notes)
        : base(context, name, description, usage, notes)
    {
        FileArgument = new("FILE") { Description = "The cassette file (the one given to 'tether run --cassette')." };
        Add(FileArgument);
    }

    /// <summary>The <c>FILE</c> argument.</summary>
    protected Argument<string> FileArgument { get; }

    /// <summary>The file given; an empty path is a usage error.</summary>
    protected string FilePath(ParseResult parse)
    {
        var text = parse.GetValue(FileArgument);
        return string.IsNullOrEmpty(text)
            ? throw new UsageException($"cassette {Name}: the cassette file is empty: give its path, as in 'tether cassette {Name} ./cassette.json'.")
            : text;
    }

    /// <summary>Loads and checks the cassette; or returns what is wrong, with the one-line error.</summary>
    protected (Cassette? Cassette, CassetteProblem? Problem, string? Error) Load(string path)
    {
        if (Directory.Exists(path))
        {
            return (null, CassetteProblem.Unreadable, $"cassette {Name}: '{path}' is a directory, not a cassette file: give the path of a cassette file.");
        }

        try
        {
            return (Cassette.Load(path), null, null);
        }
        catch (CassetteException ex)
        {
            return (null, ex.Problem, CassetteMessages.Describe(Name, path, ex));
        }
    }

    /// <summary>"1 entry", "3 entries".</summary>
    protected static string Entries(int count) => Counted.Of(count, "entry", "entries");
}
