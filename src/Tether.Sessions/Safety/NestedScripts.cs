namespace Tether.Sessions;

/// <summary>
/// Finds the script a command hands to another shell, so that it is read too: the script of <c>sh -c '…'</c> (and
/// bash, zsh, dash, ksh, mksh, ash, yash, fish, csh, tcsh, including <c>bash -lc</c>, <c>bash -o pipefail -c</c> and
/// fish's <c>--command</c>), of <c>su [user] -c '…'</c>, and the arguments of <c>eval</c> joined by spaces.
/// </summary>
internal static class NestedScripts
{
    private static readonly HashSet<string> Shells =
        ["sh", "bash", "rbash", "zsh", "dash", "ksh", "mksh", "ash", "yash", "posh", "fish", "csh", "tcsh"];

    /// <summary>The script and, for each of its characters, its position in the original line; null when the command
    /// hands no script on.</summary>
    public static (string Text, IReadOnlyList<int> Origin)? Find(ShellCommandBuilder command)
    {
        var words = command.Words;
        var first = command.ProgramIndex;
        if (first >= words.Count)
        {
            return null;
        }

        var program = CommandPrefixes.ProgramName(words[first].Value);
        if (program == "eval")
        {
            return first + 1 < words.Count ? Join(words, first + 1) : null;
        }

        if (program == "su")
        {
            return FindSuCommand(words, first + 1);
        }

        return Shells.Contains(program) ? FindShellCommand(words, first + 1) : null;
    }

    /// <summary>True for a shell that reads its script from its input: no <c>-c</c>, and no script file (or
    /// <c>-s</c>) — <c>sh</c>, <c>bash -s -- --yes</c>, <c>sudo bash -x</c>.</summary>
    public static bool ReadsScriptFromInput(ShellCommandBuilder command)
    {
        var words = command.Words;
        var index = command.ProgramIndex;
        if (index >= words.Count || !Shells.Contains(CommandPrefixes.ProgramName(words[index].Value)))
        {
            return false;
        }

        var fromInput = false;
        for (index++; index < words.Count; index++)
        {
            var word = words[index].Value;
            if (word is "--" or "-")
            {
                index++;
                break;
            }

            if (word.StartsWith("--", StringComparison.Ordinal))
            {
                if (word.StartsWith("--command", StringComparison.Ordinal))
                {
                    return false;
                }

                index += word is "--rcfile" or "--init-file" or "--init-command" ? 1 : 0;
                continue;
            }

            if (word.Length > 1 && word[0] is '-' or '+')
            {
                if (word.Contains('c', StringComparison.Ordinal))
                {
                    return false;
                }

                fromInput |= word.Contains('s', StringComparison.Ordinal);
                index += word[^1] is 'o' or 'O' ? 1 : 0;
                continue;
            }

            break;
        }

        return fromInput || index >= words.Count;
    }

    /// <summary>True for a command that passes its input on unchanged: <c>cat</c>, <c>tee</c>, or no program at all
    /// (<c>&lt;&lt;EOF</c> alone).</summary>
    public static bool Passes(ShellCommandBuilder command) =>
        command.ProgramIndex >= command.Words.Count
        || CommandPrefixes.ProgramName(command.Words[command.ProgramIndex].Value) is "cat" or "tee";

    /// <summary>What an <c>echo</c> or <c>printf</c> prints, roughly: its arguments joined by spaces, for when it
    /// is piped into a shell. Null for any other command.</summary>
    public static (string Text, IReadOnlyList<int> Origin)? Printed(ShellCommandBuilder command)
    {
        var words = command.Words;
        var index = command.ProgramIndex;
        if (index + 1 >= words.Count || CommandPrefixes.ProgramName(words[index].Value) is not ("echo" or "printf"))
        {
            return null;
        }

        var from = index + 1;
        if (CommandPrefixes.ProgramName(words[index].Value) == "echo")
        {
            while (from < words.Count - 1 && words[from].Value is ['-', .. var flags] && flags.Length > 0 && flags.All(f => f is 'n' or 'e' or 'E'))
            {
                from++; // echo's own options
            }
        }

        return Join(words, from);
    }

    private static (string, IReadOnlyList<int>)? FindShellCommand(List<ShellWordBuilder> words, int index)
    {
        var command = false;
        while (index < words.Count)
        {
            var word = words[index].Value;
            if (word is "--" or "-")
            {
                index++;
                break;
            }

            if (word.StartsWith("--", StringComparison.Ordinal))
            {
                if (word == "--command")
                {
                    command = true;
                    index++;
                    break;
                }

                if (word.StartsWith("--command=", StringComparison.Ordinal))
                {
                    return Slice(words[index], "--command=".Length);
                }

                index += word is "--rcfile" or "--init-file" or "--init-command" ? 2 : 1;
                continue;
            }

            if (word.Length > 1 && word[0] is '-' or '+')
            {
                command |= word.Contains('c', StringComparison.Ordinal);
                index += word[^1] is 'o' or 'O' ? 2 : 1; // `-o pipefail`, `-O extglob`
                continue;
            }

            break;
        }

        return command && index < words.Count ? Slice(words[index], 0) : null;
    }

    private static (string, IReadOnlyList<int>)? FindSuCommand(List<ShellWordBuilder> words, int index)
    {
        for (; index < words.Count; index++)
        {
            var word = words[index].Value;
            if (word == "--command")
            {
                return index + 1 < words.Count ? Slice(words[index + 1], 0) : null;
            }

            if (word.StartsWith("--command=", StringComparison.Ordinal))
            {
                return Slice(words[index], "--command=".Length);
            }

            if (word.Length > 1 && word[0] == '-' && word[1] != '-')
            {
                var c = word.IndexOf('c', StringComparison.Ordinal);
                if (c > 0)
                {
                    return c < word.Length - 1 ? Slice(words[index], c + 1)
                        : index + 1 < words.Count ? Slice(words[index + 1], 0)
                        : null;
                }
            }
        }

        return null;
    }

    private static (string, IReadOnlyList<int>) Slice(ShellWordBuilder word, int from) =>
        (word.Value[from..], word.Origin.Skip(from).ToArray());

    private static (string, IReadOnlyList<int>) Join(List<ShellWordBuilder> words, int from)
    {
        var text = new System.Text.StringBuilder();
        var origin = new List<int>();
        for (var i = from; i < words.Count; i++)
        {
            if (i > from)
            {
                text.Append(' ');
                origin.Add(origin.Count > 0 ? origin[^1] + 1 : 0);
            }

            text.Append(words[i].Value);
            origin.AddRange(words[i].Origin);
        }

        return (text.ToString(), origin);
    }
}
