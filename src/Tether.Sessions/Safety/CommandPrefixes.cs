using System.Collections.Frozen;

namespace Tether.Sessions;

/// <summary>
/// Takes off the front of a simple command what only changes how its program runs: leading assignments
/// (<c>FOO=1</c>) and wrappers with their options — <c>sudo -u root</c>, <c>doas</c>, <c>pkexec</c>,
/// <c>env -i FOO=1</c>, <c>command</c>, <c>builtin</c>, <c>exec -a name</c>, <c>nohup</c>, <c>time -p</c>,
/// <c>nice -n 5</c>, <c>ionice -c 3</c>, <c>timeout 10s</c>, <c>setsid</c>, <c>stdbuf -oL</c>, <c>xargs -0</c>,
/// <c>busybox</c>, <c>noglob</c>, <c>nocorrect</c>.
/// </summary>
/// <remarks>
/// Wrapper names match case-insensitively (like every program name in danger detection); their options are read
/// case-sensitively, as the wrapper itself reads them (<c>sudo -H</c> takes no value, <c>sudo -h host</c> would). A
/// wrapper that runs nothing — <c>sudo -l</c>, <c>command -v rm</c>, <c>ionice -p 42</c>, a bare <c>sudo -i</c> — is
/// the program itself.
/// </remarks>
internal static class CommandPrefixes
{
    private static readonly FrozenDictionary<string, Wrapper> Wrappers = new Dictionary<string, Wrapper>
    {
        ["sudo"] = new(
            ShortWithValue: "ugpCDrtTUR",
            LongWithValue: ["user", "group", "prompt", "close-from", "chdir", "role", "type", "command-timeout", "other-user", "chroot", "host"],
            Stops: "lveKV",
            LongStops: ["list", "validate", "edit", "help", "version", "remove-timestamp"],
            Assignments: true),
        ["doas"] = new(ShortWithValue: "uC", Stops: "L"),
        ["pkexec"] = new(LongWithValue: ["user"]),
        ["env"] = new(ShortWithValue: "uCS", LongWithValue: ["unset", "chdir", "split-string"], Assignments: true),
        ["command"] = new(Stops: "vV"),
        ["builtin"] = new(),
        ["exec"] = new(ShortWithValue: "a"),
        ["nohup"] = new(),
        ["time"] = new(ShortWithValue: "fo", LongWithValue: ["format", "output"]),
        ["nice"] = new(ShortWithValue: "n", LongWithValue: ["adjustment"], NumericOption: true),
        ["ionice"] = new(ShortWithValue: "cn", Stops: "pPu"),
        ["timeout"] = new(ShortWithValue: "sk", LongWithValue: ["signal", "kill-after"], Positionals: 1),
        ["setsid"] = new(),
        ["stdbuf"] = new(ShortWithValue: "ioe", LongWithValue: ["input", "output", "error"]),
        ["xargs"] = new(
            ShortWithValue: "adEILnPs",
            LongWithValue: ["arg-file", "delimiter", "max-args", "max-procs", "max-chars", "process-slot-var"]),
        ["busybox"] = new(),
        ["noglob"] = new(),
        ["nocorrect"] = new(),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Sets the command's program index, effective words, prefix words and wrappers.</summary>
    public static void Apply(ShellCommandBuilder command)
    {
        var words = command.Words.Select(w => w.Value).ToArray();
        var wrappers = new List<string>();
        var index = 0;
        while (index < words.Length)
        {
            if (command.Words[index].IsAssignment)
            {
                index++;
                continue;
            }

            if (!Wrappers.TryGetValue(ProgramName(words[index]), out var wrapper))
            {
                break;
            }

            var next = wrapper.Skip(words, index + 1);
            if (next < 0 || next >= words.Length)
            {
                break; // the wrapper runs nothing: it is the program
            }

            wrappers.Add(words[index]);
            index = next;
        }

        command.ProgramIndex = index;
        command.EffectiveWords = [.. words.AsSpan(index)];
        command.PrefixWords = [.. words.AsSpan(0, index)];
        command.Wrappers = [.. wrappers];
    }

    /// <summary>The name a program is known by: the last path segment, in lower case (<c>/usr/bin/RM</c> is
    /// <c>rm</c>).</summary>
    public static string ProgramName(string word)
    {
        var slash = word.LastIndexOf('/');
        var name = slash >= 0 && slash < word.Length - 1 ? word[(slash + 1)..] : word;
        return name.ToLowerInvariant();
    }

    /// <summary>How one wrapper reads its options before the command it runs.</summary>
    /// <param name="ShortWithValue">Short options that take a value (attached, or the next word).</param>
    /// <param name="LongWithValue">Long options that take a value (after <c>=</c>, or the next word).</param>
    /// <param name="Stops">Short options after which the wrapper runs no command.</param>
    /// <param name="LongStops">Long options after which the wrapper runs no command.</param>
    /// <param name="Positionals">Operands before the command (<c>timeout</c>'s duration).</param>
    /// <param name="Assignments">Whether <c>NAME=value</c> words may come before the command (<c>env</c>, <c>sudo</c>).</param>
    /// <param name="NumericOption">Whether <c>-10</c> is an option (<c>nice</c>).</param>
    private sealed record Wrapper(
        string ShortWithValue = "",
        string[]? LongWithValue = null,
        string Stops = "",
        string[]? LongStops = null,
        int Positionals = 0,
        bool Assignments = false,
        bool NumericOption = false)
    {
        /// <summary>The index of the wrapped command's first word, or -1 when the wrapper runs none.</summary>
        public int Skip(string[] words, int index)
        {
            while (index < words.Length)
            {
                var word = words[index];
                if (word == "--")
                {
                    index++;
                    break;
                }

                if (Assignments && (ShellWordBuilder.AssignmentEqualsAt(word) > 0 || word == "-"))
                {
                    index++;
                    continue;
                }

                if (word.StartsWith("--", StringComparison.Ordinal))
                {
                    var name = word[2..];
                    var equals = name.IndexOf('=', StringComparison.Ordinal);
                    if (equals >= 0)
                    {
                        name = name[..equals];
                    }

                    if (LongStops?.Contains(name) == true)
                    {
                        return -1;
                    }

                    index += equals < 0 && LongWithValue?.Contains(name) == true ? 2 : 1;
                    continue;
                }

                if (word.Length > 1 && word[0] == '-')
                {
                    if (NumericOption && word.AsSpan(1).ContainsAnyExceptInRange('0', '9') is false)
                    {
                        index++;
                        continue;
                    }

                    var takesNext = false;
                    for (var k = 1; k < word.Length; k++)
                    {
                        if (Stops.Contains(word[k], StringComparison.Ordinal))
                        {
                            return -1;
                        }

                        if (ShortWithValue.Contains(word[k], StringComparison.Ordinal))
                        {
                            takesNext = k == word.Length - 1;
                            break;
                        }
                    }

                    index += takesNext ? 2 : 1;
                    continue;
                }

                break;
            }

            return index + Positionals;
        }
    }
}
