namespace Tether.Sessions;

/// <summary>What kind of file <see cref="SessionImporter"/> reads.</summary>
public enum ImportFormat
{
    /// <summary>A bash history file (<c>~/.bash_history</c>): one command per line, or, when it has
    /// <c>#1700000000</c> timestamp lines (<c>HISTTIMEFORMAT</c>), one command per timestamp.</summary>
    BashHistory,

    /// <summary>A zsh history file (<c>~/.zsh_history</c>), plain or extended (<c>: 1700000000:12;command</c>).</summary>
    ZshHistory,

    /// <summary>A fish history file (<c>~/.local/share/fish/fish_history</c>): <c>- cmd: …</c> / <c>  when: …</c>.</summary>
    FishHistory,

    /// <summary>A shell script: one command per logical line.</summary>
    Script,

    /// <summary>A session file (rec's or Tether's NDJSON version 2).</summary>
    Session,
}

/// <summary>The names of <see cref="ImportFormat"/> on the command line: <c>bash-history</c>, <c>zsh-history</c>,
/// <c>fish-history</c>, <c>script</c>, <c>session</c>.</summary>
public static class ImportFormats
{
    /// <summary>Every name, in the order of <see cref="ImportFormat"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["bash-history", "zsh-history", "fish-history", "script", "session"];

    /// <summary>The name of <paramref name="format"/>.</summary>
    public static string NameOf(ImportFormat format) => format switch
    {
        ImportFormat.BashHistory => "bash-history",
        ImportFormat.ZshHistory => "zsh-history",
        ImportFormat.FishHistory => "fish-history",
        ImportFormat.Script => "script",
        ImportFormat.Session => "session",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Not an import format."),
    };

    /// <summary>Reads a name (exactly, lower case).</summary>
    public static bool TryParse(string name, out ImportFormat format)
    {
        var index = Names.ToList().IndexOf(name);
        format = index < 0 ? default : (ImportFormat)index;
        return index >= 0;
    }
}
