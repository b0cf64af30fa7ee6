using System.Globalization;

namespace Tether.Watch;

/// <summary>What is wrong with a recovery command line (see <see cref="RecoveryCommand.Parse"/>).</summary>
public enum RecoveryCommandError
{
    /// <summary>The line holds no word at all (it is empty or only blanks).</summary>
    Empty,

    /// <summary>The first word, the program, is empty (<c>'' arg</c>).</summary>
    EmptyProgram,

    /// <summary>A single quote is never closed.</summary>
    UnterminatedSingleQuote,

    /// <summary>A double quote is never closed.</summary>
    UnterminatedDoubleQuote,

    /// <summary>The line ends with a backslash that escapes nothing.</summary>
    TrailingBackslash,

    /// <summary>A line break outside quotes: a shell would start a second command there, and a recovery runs exactly one.</summary>
    LineBreak,

    /// <summary>A NUL character, which no program can receive in its arguments.</summary>
    NulCharacter,
}

/// <summary>
/// A recovery command line that cannot be split into words. <see cref="Index"/> is where the problem is: a 0-based
/// character index into the line (for a command file, into the trimmed command line on <see cref="Line"/>).
/// </summary>
public sealed class RecoveryCommandFormatException : FormatException
{
    internal RecoveryCommandFormatException(RecoveryCommandError error, int index, string? file = null, int? line = null)
        : base(Describe(error, index, file, line))
    {
        Error = error;
        Index = index;
        File = file;
        Line = line;
    }

    /// <summary>What is wrong.</summary>
    public RecoveryCommandError Error { get; }

    /// <summary>The 0-based character index of the problem: the opening quote, the trailing backslash, the line break, the NUL, the start of the empty program word; 0 for an empty line.</summary>
    public int Index { get; }

    /// <summary>The command file the line came from, or null for a line given directly.</summary>
    public string? File { get; }

    /// <summary>The 1-based line of <see cref="File"/> that holds the command, or null for a line given directly.</summary>
    public int? Line { get; }

    private static string Describe(RecoveryCommandError error, int index, string? file, int? line)
    {
        var at = index.ToString(CultureInfo.InvariantCulture);
        var what = error switch
        {
            RecoveryCommandError.Empty => "the recovery command is empty; give a program and its arguments",
            RecoveryCommandError.EmptyProgram => $"the program (the first word, at index {at}) is empty; give a program name or path",
            RecoveryCommandError.UnterminatedSingleQuote => $"the single quote at index {at} is never closed; add the closing '",
            RecoveryCommandError.UnterminatedDoubleQuote => $"the double quote at index {at} is never closed; add the closing \"",
            RecoveryCommandError.TrailingBackslash => $"the backslash at index {at} ends the command and escapes nothing; remove it or quote it",
            RecoveryCommandError.LineBreak => $"a line break outside quotes at index {at} would start a second command; a recovery runs exactly one (quote it to pass it as text)",
            _ => $"a NUL character at index {at} cannot be passed to a program; remove it",
        };

        var where = file is null ? "Recovery command: " : $"Recovery command file '{file}' line {line?.ToString(CultureInfo.InvariantCulture)}: ";
        return where + what + ".";
    }
}
