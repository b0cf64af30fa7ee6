using System.Collections.Immutable;
using System.Diagnostics.Contracts;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Tether;

/// <summary>
/// An immutable description of one program to run: what, with which arguments, where, with which environment and
/// input, and under which limits. Every <c>With…</c> method returns a new command and leaves this one unchanged.
/// Run it with an <see cref="IProcessRunner"/> such as <see cref="ProcessRunner.Default"/>.
/// </summary>
/// <remarks>
/// No shell is involved: each argument reaches the program verbatim, whatever characters it holds.
/// Defaults are the safe ones: stdin is empty, output is captured up to 64 MiB per stream, only exit code 0 is ok,
/// the stop signal is SIGTERM with a 5 s grace before SIGKILL, and containment is <see cref="ContainmentMode.Auto"/>.
/// </remarks>
public sealed partial class Command
{
    /// <summary>The grace period between the stop signal and SIGKILL unless <see cref="WithGrace"/> says otherwise.</summary>
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromSeconds(5);

    /// <summary>How long output is drained after the program exited while a descendant still holds its pipes.</summary>
    public static readonly TimeSpan DefaultDrainTimeout = TimeSpan.FromMilliseconds(500);

    private const int ToStringCap = 256;

    /// <summary>Creates a command for <paramref name="program"/>: a path, or a name looked up on <c>PATH</c>.</summary>
    /// <exception cref="ArgumentException">The program is empty or contains a NUL character.</exception>
    public Command(string program)
    {
        ValidateText(program, nameof(program), "program");
        if (program.Length == 0)
        {
            throw new ArgumentException("The program name is empty; give a program name or path.", nameof(program));
        }

        Program = program;
    }

    /// <summary>
    /// The program: a name without a slash is looked up on <c>PATH</c> (the command's own, else this process's); a
    /// path with a slash is used as is, a relative one taken from <see cref="WorkingDirectory"/> when set (as the
    /// program itself would see it), else from the current directory.
    /// </summary>
    public string Program { get; private set; }

    /// <summary>The arguments, each passed verbatim.</summary>
    public ImmutableArray<string> Arguments { get; private set; } = [];

    /// <summary>Which arguments are secret (same length as <see cref="Arguments"/>): redacted in <see cref="ToString"/>, logs and records.</summary>
    public ImmutableArray<bool> SecretArguments { get; private set; } = [];

    /// <summary>The working directory, or null for the current one.</summary>
    public string? WorkingDirectory { get; private set; }

    /// <summary>The environment the program gets.</summary>
    public EnvironmentSpec Environment { get; private set; } = EnvironmentSpec.Inherit;

    /// <summary>The standard input source.</summary>
    public StandardInput Stdin { get; private set; } = StandardInput.Empty;

    /// <summary>Exit codes that count as success (default: 0 only).</summary>
    public ImmutableArray<int> OkExitCodes { get; private set; } = [0];

    /// <summary>The encoding used to decode output and encode text input (default: UTF-8 without BOM).</summary>
    public Encoding Encoding { get; private set; } = new UTF8Encoding(false);

    /// <summary>How much output is kept per stream and what happens beyond it.</summary>
    public OutputLimit OutputLimit { get; private set; } = OutputLimit.Default;

    /// <summary>The overall timeout, or null for none.</summary>
    public TimeSpan? Timeout { get; private set; }

    /// <summary>How long the tree gets between the stop signal and SIGKILL.</summary>
    public TimeSpan Grace { get; private set; } = DefaultGrace;

    /// <summary>The signal sent first when the run is stopped (timeout, cancellation, <see cref="RunningProcess.StopAsync"/>).</summary>
    public Signal StopSignal { get; private set; } = Signal.Terminate;

    /// <summary>Stop the run when neither stdout nor stderr produced a byte for this long; null for no idle timeout.</summary>
    public TimeSpan? IdleTimeout { get; private set; }

    /// <summary>
    /// After the program exits, how long to keep reading output that a descendant still writes before the tree is
    /// torn down and the run ends.
    /// </summary>
    public TimeSpan DrainTimeout { get; private set; } = DefaultDrainTimeout;

    /// <summary>A token that, when cancelled, stops the tree and makes the run throw <see cref="OperationCanceledException"/>.</summary>
    public CancellationToken CancellationToken { get; private set; }

    /// <summary>The containment asked for.</summary>
    public ContainmentMode Containment { get; private set; } = ContainmentMode.Auto;

    /// <summary>Called with every stdout line, in order, on the output pump (keep it fast).</summary>
    public ImmutableArray<Action<string>> StdoutLineHandlers { get; private set; } = [];

    /// <summary>Called with every stderr line, in order, on the output pump (keep it fast).</summary>
    public ImmutableArray<Action<string>> StderrLineHandlers { get; private set; } = [];

    /// <summary>Streams that receive a copy of every stdout byte as it arrives. Not disposed by Tether.</summary>
    public ImmutableArray<Stream> StdoutTees { get; private set; } = [];

    /// <summary>Streams that receive a copy of every stderr byte as it arrives. Not disposed by Tether.</summary>
    public ImmutableArray<Stream> StderrTees { get; private set; } = [];

    /// <summary>True when the program writes straight to this process's own stdout (see <see cref="WithInheritedStdout"/>).</summary>
    public bool InheritsStdout { get; private set; }

    /// <summary>
    /// Where the program's stdout is passed on byte for byte by the kernel, or null when Tether reads it (see
    /// <see cref="WithStdoutForwardedTo"/>).
    /// </summary>
    public SafeFileHandle? StdoutForwardedTo { get; private set; }

    /// <summary>Returns a command that runs another program.</summary>
    [Pure]
    public Command WithProgram(string program)
    {
        var probe = new Command(program);
        return Copy(c => c.Program = probe.Program);
    }

    /// <summary>Returns a command with these arguments (replacing any), each passed verbatim.</summary>
    /// <exception cref="ArgumentException">An argument contains a NUL character, which no program can receive.</exception>
    [Pure]
    public Command WithArguments(params IEnumerable<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var list = arguments.ToImmutableArray();
        for (var i = 0; i < list.Length; i++)
        {
            ValidateText(list[i], nameof(arguments), $"argument {i + 1}");
        }

        return Copy(c =>
        {
            c.Arguments = list;
            c.SecretArguments = ImmutableArray.CreateRange(Enumerable.Repeat(false, list.Length));
        });
    }

    /// <summary>Returns a command with one more argument appended.</summary>
    [Pure]
    public Command AddArgument(string argument) => AddArgumentCore(argument, secret: false);

    /// <summary>
    /// Returns a command with one more argument appended that is secret: it reaches the program verbatim but is shown
    /// as <c>***</c> by <see cref="ToString"/> and never written to journals, cassettes or logs.
    /// </summary>
    [Pure]
    public Command AddSecretArgument(string argument) => AddArgumentCore(argument, secret: true);

    /// <summary>Returns a command that runs in <paramref name="directory"/> (checked when the run starts).</summary>
    [Pure]
    public Command WithWorkingDirectory(string? directory)
    {
        if (directory is not null)
        {
            ValidateText(directory, nameof(directory), "working directory");
        }

        return Copy(c => c.WorkingDirectory = directory);
    }

    /// <summary>Returns a command with the environment variable set (overriding an inherited value).</summary>
    [Pure]
    public Command WithEnvironmentVariable(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        ValidateText(value, nameof(value), $"the value of environment variable {name}");
        return Copy(c => c.Environment = c.Environment.Set(name, value));
    }

    /// <summary>Returns a command without the environment variable, even when the parent has it.</summary>
    [Pure]
    public Command WithoutEnvironmentVariable(string name) => Copy(c => c.Environment = c.Environment.Remove(name));

    /// <summary>Returns a command whose environment starts empty: only variables set with <see cref="WithEnvironmentVariable"/> are passed.</summary>
    [Pure]
    public Command WithClearedEnvironment() => Copy(c => c.Environment = c.Environment.WithBase(EnvironmentBase.Clear, []));

    /// <summary>Returns a command that inherits the whole parent environment (the default), keeping explicit sets and removals.</summary>
    [Pure]
    public Command WithInheritedEnvironment() => Copy(c => c.Environment = c.Environment.WithBase(EnvironmentBase.Inherit, []));

    /// <summary>Returns a command that inherits only the named parent variables (plus explicit sets).</summary>
    [Pure]
    public Command WithEnvironmentAllowList(params IEnumerable<string> names) =>
        Copy(c => c.Environment = c.Environment.WithBase(EnvironmentBase.AllowList, names));

    /// <summary>Returns a command with this standard input.</summary>
    [Pure]
    public Command WithStdin(StandardInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Copy(c => c.Stdin = input);
    }

    /// <summary>Returns a command that reads <paramref name="text"/> on stdin.</summary>
    [Pure]
    public Command WithStdin(string text) => WithStdin(StandardInput.FromString(text));

    /// <summary>Returns a command whose exit codes in <paramref name="codes"/> count as success.</summary>
    [Pure]
    public Command WithOkExitCodes(params IEnumerable<int> codes)
    {
        var list = codes.Distinct().ToImmutableArray();
        if (list.IsEmpty)
        {
            throw new ArgumentException("At least one exit code must count as success.", nameof(codes));
        }

        return Copy(c => c.OkExitCodes = list);
    }

    /// <summary>Returns a command that decodes output and encodes text input with <paramref name="encoding"/>.</summary>
    [Pure]
    public Command WithEncoding(Encoding encoding)
    {
        ArgumentNullException.ThrowIfNull(encoding);
        return Copy(c => c.Encoding = encoding);
    }

    /// <summary>Returns a command with this output cap and overflow policy.</summary>
    [Pure]
    public Command WithOutputLimit(OutputLimit limit)
    {
        ArgumentNullException.ThrowIfNull(limit);
        return Copy(c => c.OutputLimit = limit);
    }

    /// <summary>Returns a command with this output cap and overflow policy.</summary>
    [Pure]
    public Command WithOutputLimit(long maxBytes, OverflowPolicy policy = OverflowPolicy.Error) => WithOutputLimit(new OutputLimit(maxBytes, policy));

    /// <summary>Returns a command that is stopped (stop signal, grace, SIGKILL) when it runs longer than <paramref name="timeout"/>; null removes the timeout.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is not positive (<see cref="System.Threading.Timeout.InfiniteTimeSpan"/> included: pass null for none), or longer than <see cref="Durations.LongestWait"/>.</exception>
    [Pure]
    public Command WithTimeout(TimeSpan? timeout)
    {
        ValidatePositive(timeout, nameof(timeout));
        return Copy(c => c.Timeout = timeout);
    }

    /// <summary>Returns a command whose tree gets <paramref name="grace"/> between the stop signal and SIGKILL.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="grace"/> is negative or longer than <see cref="Durations.LongestWait"/>.</exception>
    [Pure]
    public Command WithGrace(TimeSpan grace)
    {
        ValidateWait(grace, nameof(grace), "A grace period");
        return Copy(c => c.Grace = grace);
    }

    /// <summary>Returns a command stopped with <paramref name="signal"/> first (default SIGTERM).</summary>
    [Pure]
    public Command WithStopSignal(Signal signal) => Copy(c => c.StopSignal = signal);

    /// <summary>Returns a command stopped when it produced no output for <paramref name="idleTimeout"/>; null removes it.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="idleTimeout"/> is not positive (<see cref="System.Threading.Timeout.InfiniteTimeSpan"/> included: pass null for none), or longer than <see cref="Durations.LongestWait"/>.</exception>
    [Pure]
    public Command WithIdleTimeout(TimeSpan? idleTimeout)
    {
        ValidatePositive(idleTimeout, nameof(idleTimeout));
        return Copy(c => c.IdleTimeout = idleTimeout);
    }

    /// <summary>Returns a command that drains output for at most <paramref name="drainTimeout"/> after the program exited.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="drainTimeout"/> is negative or longer than <see cref="Durations.LongestWait"/>.</exception>
    [Pure]
    public Command WithDrainTimeout(TimeSpan drainTimeout)
    {
        ValidateWait(drainTimeout, nameof(drainTimeout), "A drain timeout");
        return Copy(c => c.DrainTimeout = drainTimeout);
    }

    /// <summary>Returns a command that is stopped, and whose run throws <see cref="OperationCanceledException"/>, when the token is cancelled.</summary>
    [Pure]
    public Command WithCancellation(CancellationToken cancellationToken) => Copy(c => c.CancellationToken = cancellationToken);

    /// <summary>Returns a command with the given containment request.</summary>
    [Pure]
    public Command WithContainment(ContainmentMode mode) => Copy(c => c.Containment = mode);

    /// <summary>Returns a command that also calls <paramref name="handler"/> with every stdout line.</summary>
    [Pure]
    public Command WithStdoutLineHandler(Action<string> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Copy(c => c.StdoutLineHandlers = c.StdoutLineHandlers.Add(handler));
    }

    /// <summary>Returns a command that also calls <paramref name="handler"/> with every stderr line.</summary>
    [Pure]
    public Command WithStderrLineHandler(Action<string> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Copy(c => c.StderrLineHandlers = c.StderrLineHandlers.Add(handler));
    }

    /// <summary>Returns a command that also copies every stdout byte to <paramref name="stream"/> as it arrives.</summary>
    [Pure]
    public Command WithStdoutTee(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Copy(c => c.StdoutTees = c.StdoutTees.Add(stream));
    }

    /// <summary>Returns a command that also copies every stderr byte to <paramref name="stream"/> as it arrives.</summary>
    [Pure]
    public Command WithStderrTee(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Copy(c => c.StderrTees = c.StderrTees.Add(stream));
    }

    /// <summary>
    /// Returns a command whose program writes straight to this process's own stdout (file descriptor 1), as a shell
    /// would run it: its output never passes through Tether, so it flows at the speed of the destination. Nothing of
    /// stdout is then captured (the result's stdout is empty) or split into lines; stderr is read as usual. A run
    /// refuses it together with stdout tees, stdout line handlers, an idle timeout or a pseudo-terminal, which all
    /// need to see the output (<see cref="UnsupportedException"/>).
    /// </summary>
    [Pure]
    public Command WithInheritedStdout() => Copy(c => c.InheritsStdout = true);

    /// <summary>
    /// Returns a command whose stdout is passed on to <paramref name="destination"/> (such as this process's own stdout,
    /// descriptor 1) byte for byte, at the speed of a pipe: the program writes into a pipe of Tether's, and a thread of
    /// the run moves the bytes on with <c>splice(2)</c> (where the destination cannot take that, such as a terminal or
    /// a file opened for appending, with large reads and writes). Tether notices that output happened, so an idle
    /// timeout works, but keeps none of it: the result's stdout is empty and no stdout line is seen. Every byte the
    /// program wrote reaches the destination before the run ends. When the destination stops taking bytes (a reader
    /// that went away: <c>EPIPE</c>), Tether closes the pipe, so the program's next write fails with <c>SIGPIPE</c>
    /// or <c>EPIPE</c>, as if it wrote to the destination itself. A run refuses it together with stdout tees, stdout
    /// line handlers, an inherited stdout or a pseudo-terminal (<see cref="UnsupportedException"/>). The handle is
    /// not disposed by Tether and must stay open for the run.
    /// </summary>
    /// <param name="destination">An open descriptor to write to; its blocking mode and file offset are its owner's.</param>
    [Pure]
    public Command WithStdoutForwardedTo(SafeFileHandle destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (destination.IsInvalid || destination.IsClosed)
        {
            throw new ArgumentException("The destination handle is closed or invalid: pass an open descriptor, such as new SafeFileHandle(1, ownsHandle: false) for stdout.", nameof(destination));
        }

        return Copy(c => c.StdoutForwardedTo = destination);
    }

    /// <summary>Connects this command's stdout to <paramref name="right"/>'s stdin, without a shell.</summary>
    public static Pipeline operator |(Command left, Command right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return new Pipeline([left, right]);
    }

    /// <summary>Connects this command's stdout to the first stage of <paramref name="right"/>.</summary>
    public static Pipeline operator |(Command left, Pipeline right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return right.Prepend(left);
    }

    /// <summary>Returns this command as a one-stage pipeline.</summary>
    public Pipeline ToPipeline() => new([this]);

    /// <summary>
    /// The program and arguments as a shell-like line, capped at 256 characters, with secrets masked as
    /// <see cref="RedactionPolicy.Mask"/> by <see cref="RedactionPolicy.Default"/> (arguments marked secret, secret flag
    /// values, credentials in headers and URLs, <c>API_KEY=…</c>, …) and control characters escaped. Never includes
    /// environment values.
    /// </summary>
    public override string ToString()
    {
        var redacted = RedactionPolicy.Default.For(this);
        var builder = new StringBuilder();
        AppendQuoted(builder, redacted.Program);
        for (var i = 0; i < redacted.Arguments.Length && builder.Length <= ToStringCap; i++)
        {
            builder.Append(' ');
            AppendQuoted(builder, redacted.Arguments[i]);
        }

        if (builder.Length > ToStringCap)
        {
            builder.Length = ToStringCap - 1;
            builder.Append('…');
        }

        return builder.ToString();
    }

    private static void AppendQuoted(StringBuilder builder, string value)
    {
        var needsQuotes = value.Length == 0;

        // The mask's asterisks are not a glob: "--password=***" reads the same in every file Tether writes.
        foreach (var ch in value.Replace(RedactionPolicy.Mask, "", StringComparison.Ordinal))
        {
            if (char.IsWhiteSpace(ch) || ch is '\'' or '"' or '\\' or '$' or '`' or '|' or '&' or ';' or '<' or '>' or '(' or ')' or '*' or '?')
            {
                needsQuotes = true;
                break;
            }
        }

        if (needsQuotes)
        {
            builder.Append('\'');
        }

        foreach (var ch in value)
        {
            if (char.IsControl(ch))
            {
                builder.Append(ch switch { '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", _ => $"\\x{(int)ch:x2}" });
            }
            else if (ch == '\'' && needsQuotes)
            {
                builder.Append("'\\''");
            }
            else
            {
                builder.Append(ch);
            }
        }

        if (needsQuotes)
        {
            builder.Append('\'');
        }
    }

    private Command AddArgumentCore(string argument, bool secret)
    {
        ArgumentNullException.ThrowIfNull(argument);
        ValidateText(argument, nameof(argument), $"argument {Arguments.Length + 1}");
        return Copy(c =>
        {
            c.Arguments = c.Arguments.Add(argument);
            c.SecretArguments = c.SecretArguments.Add(secret);
        });
    }

    private Command Copy(Action<Command> change)
    {
        var copy = (Command)MemberwiseClone();
        change(copy);
        return copy;
    }

    internal static void ValidateText(string value, string parameterName, string what)
    {
        ArgumentNullException.ThrowIfNull(value, parameterName);
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The {what} contains a NUL character, which cannot be passed to a program; remove it.", parameterName);
        }
    }

    private static void ValidatePositive(TimeSpan? value, string parameterName)
    {
        if (value is { } v && v <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(parameterName, v, "A timeout must be positive; pass null for no timeout.");
        }

        if (value > Durations.LongestWait)
        {
            throw new ArgumentOutOfRangeException(parameterName, value, $"A timeout can be at most {Durations.Format(Durations.LongestWait)} (about 49.7 days, the longest a timer can wait); pass null for no timeout.");
        }
    }

    private static void ValidateWait(TimeSpan value, string parameterName, string what)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero, parameterName);
        if (value > Durations.LongestWait)
        {
            throw new ArgumentOutOfRangeException(parameterName, value, $"{what} can be at most {Durations.Format(Durations.LongestWait)} (about 49.7 days, the longest a timer can wait).");
        }
    }
}
