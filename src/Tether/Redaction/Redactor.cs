using System.Collections.Immutable;

namespace Tether;

/// <summary>
/// A <see cref="RedactionPolicy"/> applied to one command line: its masked program and arguments, and a way to mask its
/// output. Every value masked in the arguments is remembered, so that the same value is masked in output should the
/// program echo it (a verbose log, an error quoting it).
/// </summary>
public sealed class Redactor
{
    /// <summary>Values found by a rule this short are not searched for in output: masking every "ab" in a log would
    /// destroy it and protect little. A value marked secret on the command is searched for whatever its length.</summary>
    private const int MinEchoLength = 4;

    private readonly RedactionPolicy _policy;
    private readonly List<string> _found = [];
    private string[]? _echoes;

    internal Redactor(RedactionPolicy policy, string program, IReadOnlyList<string> arguments, IReadOnlyList<bool>? secret)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(arguments);
        _policy = policy;
        Program = policy.Text.Word(program, null, MinEchoLength);
        Arguments = MaskArguments(policy, program, arguments, secret, _found);
    }

    /// <summary>The program with secrets masked (a URL with a password, should one be the program).</summary>
    public string Program { get; }

    /// <summary>The arguments with secrets masked, one for one.</summary>
    public ImmutableArray<string> Arguments { get; }

    /// <summary>The command line as <c>program arg…</c> words: <see cref="Program"/> followed by <see cref="Arguments"/>.</summary>
    public ImmutableArray<string> Argv => [Program, .. Arguments];

    /// <summary>Output (or any text the command produced) with the rules applied and every value masked in the
    /// arguments masked here too.</summary>
    public string Output(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return text;
        }

        text = _policy.Text.Line(text);

        // Longest first, so that a value holding another is masked whole.
        _echoes ??= [.. _found.Where(v => v.Length > 0 && v != RedactionPolicy.Mask).Distinct(StringComparer.Ordinal).OrderByDescending(v => v.Length)];
        foreach (var echo in _echoes)
        {
            text = text.Replace(echo, RedactionPolicy.Mask, StringComparison.Ordinal);
        }

        return text;
    }

    private static ImmutableArray<string> MaskArguments(RedactionPolicy policy, string program, IReadOnlyList<string> arguments, IReadOnlyList<bool>? secret, List<string> found)
    {
        var passwordProgram = policy.PasswordPrograms.Contains(Path.GetFileName(program), StringComparer.Ordinal);
        var result = ImmutableArray.CreateBuilder<string>(arguments.Count);
        var maskNext = false;
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (secret is not null && i < secret.Count && secret[i])
            {
                found.Add(argument);
                result.Add(RedactionPolicy.Mask);
                maskNext = false;
                continue;
            }

            if (maskNext)
            {
                if (argument.Length >= MinEchoLength)
                {
                    found.Add(argument);
                }

                result.Add(RedactionPolicy.Mask);
                maskNext = false;
                continue;
            }

            if (policy.Flags.Contains(argument, StringComparer.Ordinal))
            {
                maskNext = true;
                result.Add(argument);
                continue;
            }

            if (passwordProgram && argument.StartsWith("-p", StringComparison.Ordinal))
            {
                // mysql -p VALUE (the next argument, unless it is another option) and mysql -pVALUE.
                if (argument.Length == 2)
                {
                    maskNext = i + 1 < arguments.Count && !arguments[i + 1].StartsWith('-');
                    result.Add(argument);
                    continue;
                }

                if (argument[2] != '-')
                {
                    if (argument.Length - 2 >= MinEchoLength)
                    {
                        found.Add(argument[2..]);
                    }

                    result.Add("-p" + RedactionPolicy.Mask);
                    continue;
                }
            }

            result.Add(policy.Text.Word(argument, found, MinEchoLength));
        }

        return result.MoveToImmutable();
    }
}
