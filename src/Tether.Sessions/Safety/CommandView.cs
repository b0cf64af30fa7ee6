using System.Collections.Immutable;

namespace Tether.Sessions;

/// <summary>
/// A simple command as the built-in danger rules read it: the program's name and the arguments, all in lower case
/// (danger detection is case-insensitive, see <see cref="DangerRules"/>), with helpers for flags given combined or
/// separate (<c>-rf</c>, <c>-fr</c>, <c>-r -f</c>, <c>--recursive --force</c>) and for subcommands
/// (<c>git -C dir push</c>).
/// </summary>
internal sealed class CommandView
{
    private CommandView(string program, ImmutableArray<string> args)
    {
        Program = program;
        Args = args;
    }

    /// <summary>The program's name: the last path segment, lower case; empty when there is no program.</summary>
    public string Program { get; }

    /// <summary>The arguments, lower case.</summary>
    public ImmutableArray<string> Args { get; }

    public static CommandView Of(SimpleCommand command) => command.Words.IsEmpty
        ? new CommandView("", [])
        : new CommandView(
            CommandPrefixes.ProgramName(command.Words[0]),
            [.. command.Words.Skip(1).Select(w => w.ToLowerInvariant())]);

    public bool Is(string name) => Program == name;

    public bool IsAny(params ReadOnlySpan<string> names)
    {
        foreach (var name in names)
        {
            if (Program == name)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when the short option <paramref name="letter"/> (lower case) is given, alone or in a cluster
    /// (<c>-rf</c>), before any <c>--</c>. Options may follow operands, as GNU tools allow.</summary>
    public bool HasShort(char letter)
    {
        foreach (var arg in Options())
        {
            if (arg.Length > 1 && arg[1] != '-' && arg.AsSpan(1).Contains(letter))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when the long option <c>--<paramref name="name"/></c> is given, with or without <c>=value</c>,
    /// or abbreviated to a prefix of at least three letters (<c>--rec</c>), as getopt_long accepts.</summary>
    public bool HasLong(string name)
    {
        foreach (var arg in Options())
        {
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                continue;
            }

            var given = arg.AsSpan(2);
            var equals = given.IndexOf('=');
            if (equals >= 0)
            {
                given = given[..equals];
            }

            if (given.SequenceEqual(name) || (given.Length >= 3 && name.AsSpan().StartsWith(given)))
            {
                return true;
            }
        }

        return false;
    }

    public bool HasFlag(char letter, string longName) => HasShort(letter) || HasLong(longName);

    /// <summary>True when some argument is exactly <paramref name="arg"/> (lower case).</summary>
    public bool HasArg(string arg) => Args.Contains(arg);

    /// <summary>The operands: arguments that are not options, and everything after <c>--</c>.</summary>
    public IEnumerable<string> Operands()
    {
        var afterDashes = false;
        foreach (var arg in Args)
        {
            if (afterDashes || arg == "-" || !arg.StartsWith('-'))
            {
                yield return arg;
            }
            else if (arg == "--")
            {
                afterDashes = true;
            }
        }
    }

    /// <summary>
    /// The subcommand — the first operand after global options, skipping the value of each option in
    /// <paramref name="optionsWithValue"/> given without <c>=</c> — as a view of its own (program: the subcommand,
    /// arguments: what follows it); null when there is none.
    /// </summary>
    public CommandView? Subcommand(params ReadOnlySpan<string> optionsWithValue)
    {
        for (var i = 0; i < Args.Length; i++)
        {
            var arg = Args[i];
            if (arg == "--")
            {
                return i + 1 < Args.Length ? new CommandView(Args[i + 1], Args[(i + 2)..]) : null;
            }

            if (arg.StartsWith('-') && arg.Length > 1)
            {
                foreach (var option in optionsWithValue)
                {
                    if (arg == option)
                    {
                        i++;
                        break;
                    }
                }

                continue;
            }

            return new CommandView(arg, Args[(i + 1)..]);
        }

        return null;
    }

    private IEnumerable<string> Options()
    {
        foreach (var arg in Args)
        {
            if (arg == "--")
            {
                yield break;
            }

            if (arg.Length > 1 && arg[0] == '-')
            {
                yield return arg;
            }
        }
    }
}
