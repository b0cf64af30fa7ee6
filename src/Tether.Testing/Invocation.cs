using System.Collections.Immutable;
using System.Text;

namespace Tether.Testing;

/// <summary>
/// One program a runner was asked to run, as the code under test built it: program, arguments, working directory,
/// environment changes and standard input. A pipeline is one invocation per stage. <see cref="ToString"/> shows the
/// command line with secret arguments as <c>***</c> and never an environment value.
/// </summary>
public sealed class Invocation
{
    private Invocation(Command command, int stage)
    {
        Command = command;
        Stage = stage;
    }

    /// <summary>The command itself, for anything the helpers do not cover.</summary>
    public Command Command { get; }

    /// <summary>The stage index within its pipeline (0 for a single command).</summary>
    public int Stage { get; }

    /// <summary>The program as given (not resolved against PATH).</summary>
    public string Program => Command.Program;

    /// <summary>The arguments, verbatim (secret ones included: assertions may need them).</summary>
    public ImmutableArray<string> Arguments => Command.Arguments;

    /// <summary>The program followed by its arguments.</summary>
    public ImmutableArray<string> Argv => [Command.Program, .. Command.Arguments];

    /// <summary>The working directory, or null for the runner's own.</summary>
    public string? WorkingDirectory => Command.WorkingDirectory;

    /// <summary>The environment changes: the base (inherit, clear, allow-list) plus sets and removals.</summary>
    public EnvironmentSpec Environment => Command.Environment;

    /// <summary>Environment variables set (with their values) or removed (null), in name order.</summary>
    public ImmutableSortedDictionary<string, string?> EnvironmentOverrides => Command.Environment.Overrides;

    /// <summary>The standard input source.</summary>
    public StandardInput Stdin => Command.Stdin;

    /// <summary>True when standard input was given (anything but <see cref="StandardInput.Empty"/>).</summary>
    public bool HasStdin => !ReferenceEquals(Command.Stdin, StandardInput.Empty);

    /// <summary>
    /// The text fed on stdin when it came from a string or bytes (decoded with the command's encoding), else null
    /// (empty, interactive, a file, a stream or a line source).
    /// </summary>
    public string? StdinText => Command.Stdin.ContentBytes(Command.Encoding) is { } bytes ? Command.Encoding.GetString(bytes) : null;

    /// <summary>The overall timeout the command set, or null.</summary>
    public TimeSpan? Timeout => Command.Timeout;

    /// <summary>The invocations of every stage of <paramref name="pipeline"/>, first to last.</summary>
    public static ImmutableArray<Invocation> Of(Pipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return [.. pipeline.Stages.Select((command, i) => new Invocation(command, i))];
    }

    /// <summary>The invocation of a single command.</summary>
    public static Invocation Of(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return new Invocation(command, 0);
    }

    /// <summary>True when <paramref name="flag"/> is an argument, alone (<c>--force</c>) or with a value (<c>--out=x</c>).</summary>
    public bool HasFlag(string flag)
    {
        ArgumentException.ThrowIfNullOrEmpty(flag);
        return Arguments.Any(a => a == flag || (a.StartsWith(flag, StringComparison.Ordinal) && a.Length > flag.Length && a[flag.Length] == '='));
    }

    /// <summary>
    /// The value given to <paramref name="flag"/>, as <c>--flag=value</c> or <c>--flag value</c> (the first occurrence),
    /// or null when the flag is absent or has no value.
    /// </summary>
    public string? ValueOf(string flag)
    {
        ArgumentException.ThrowIfNullOrEmpty(flag);
        for (var i = 0; i < Arguments.Length; i++)
        {
            var argument = Arguments[i];
            if (argument == flag)
            {
                return i + 1 < Arguments.Length ? Arguments[i + 1] : null;
            }

            if (argument.Length > flag.Length && argument.StartsWith(flag, StringComparison.Ordinal) && argument[flag.Length] == '=')
            {
                return argument[(flag.Length + 1)..];
            }
        }

        return null;
    }

    /// <summary>True when the argv (program first) starts with <paramref name="prefix"/>; the program matches as <see cref="ProgramIs"/> says.</summary>
    public bool StartsWith(params IEnumerable<string> prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var expected = prefix.ToArray();
        if (expected.Length == 0)
        {
            return true;
        }

        if (!ProgramIs(expected[0]) || expected.Length - 1 > Arguments.Length)
        {
            return false;
        }

        for (var i = 1; i < expected.Length; i++)
        {
            if (Arguments[i - 1] != expected[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// True when the program is <paramref name="program"/>: the same string, or — when <paramref name="program"/> is a
    /// bare name without <c>/</c> — a path whose file name is that name (<c>git</c> matches <c>/usr/bin/git</c>).
    /// </summary>
    public bool ProgramIs(string program)
    {
        ArgumentNullException.ThrowIfNull(program);
        return Program == program || (!program.Contains('/', StringComparison.Ordinal) && Path.GetFileName(Program) == program);
    }

    /// <summary>True when the command sets environment variable <paramref name="name"/> to exactly <paramref name="value"/>.</summary>
    public bool EnvIs(string name, string value) =>
        EnvironmentOverrides.TryGetValue(name, out var actual) && actual is not null && actual == value;

    /// <summary>True when the command sets environment variable <paramref name="name"/> (to any value).</summary>
    public bool EnvSets(string name) => EnvironmentOverrides.TryGetValue(name, out var actual) && actual is not null;

    /// <summary>True when the command explicitly removes environment variable <paramref name="name"/>.</summary>
    public bool EnvRemoves(string name) => EnvironmentOverrides.TryGetValue(name, out var actual) && actual is null;

    /// <summary>The command line (capped, secret arguments as <c>***</c>, no environment values), with the working directory when set.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(Command.ToString());
        if (WorkingDirectory is { } cwd)
        {
            text.Append(" (in ").Append(cwd).Append(')');
        }

        if (HasStdin)
        {
            text.Append(" <stdin: ").Append(Command.Stdin.Describe()).Append('>');
        }

        return text.ToString();
    }
}
