using System.Collections.Immutable;
using System.Diagnostics.Contracts;

namespace Tether.Testing;

/// <summary>
/// What a scripted program does: the output it writes (optionally line by line with delays between) and how it ends —
/// it exits with a code, is killed by a signal, times out, or stays pending until it is stopped. Immutable; each
/// <c>With…</c> returns a new reply. Text is encoded with the replaying command's encoding.
/// </summary>
/// <remarks>
/// A reply is played through a real <see cref="RunningProcess"/>: its output goes through the same capture, line
/// splitting, line handlers, tees and readiness waits as a live child's, the command's ok exit codes decide success,
/// and its timeouts, cancellation, <see cref="RunningProcess.StopAsync"/> and signals act on the scripted program.
/// </remarks>
public sealed class Reply
{
    private Reply(ImmutableArray<ReplyStep> steps, ReplyEnd end)
    {
        Steps = steps;
        End = end;
    }

    internal ImmutableArray<ReplyStep> Steps { get; }

    internal ReplyEnd End { get; }

    /// <summary>Exits 0 after writing <paramref name="stdout"/>.</summary>
    public static Reply Ok(string stdout = "") => new Reply([], ReplyEnd.Exit(0)).WithStdout(stdout);

    /// <summary>Exits with <paramref name="code"/> after writing <paramref name="stderr"/> to stderr.</summary>
    public static Reply Fail(int code, string stderr = "")
    {
        ArgumentOutOfRangeException.ThrowIfNegative(code);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(code, 255);
        return new Reply([], ReplyEnd.Exit(code)).WithStderr(stderr);
    }

    /// <summary>
    /// Writes each line (with <c>\n</c>) to stdout, waiting <paramref name="delay"/> between lines on the runner's
    /// clock, then exits 0.
    /// </summary>
    public static Reply Lines(IEnumerable<string> lines, TimeSpan? delay = null) => Ok().WithStdoutLines(lines, delay);

    /// <summary>Writes each line to stdout without delay, then exits 0.</summary>
    public static Reply Lines(params string[] lines) => Lines(lines, null);

    /// <summary>
    /// Writes <paramref name="stdout"/>, then times out: the run is stopped as a real timeout stops it, and the result
    /// is <see cref="Outcome.TimedOut"/> carrying the replaying command's timeout (its idle timeout when it has only
    /// that; zero when it has neither).
    /// </summary>
    public static Reply TimedOut(string stdout = "") => new Reply([], ReplyEnd.Timeout).WithStdout(stdout);

    /// <summary>Writes <paramref name="stderr"/>, then is killed by <paramref name="signal"/> (null: an unknown signal).</summary>
    public static Reply Signalled(Signal? signal = null, string stderr = "") => new Reply([], ReplyEnd.KilledBy(signal)).WithStderr(stderr);

    /// <summary>
    /// Writes nothing and never exits by itself: it runs until it is stopped, signalled, cancelled or timed out —
    /// for testing the caller's timeouts, cancellation and readiness waits.
    /// </summary>
    public static Reply Pending() => new([], ReplyEnd.Pending);

    /// <summary>Writes the output, then ends as <paramref name="outcome"/> says.</summary>
    public static Reply FromOutcome(Outcome outcome, string stdout = "", string stderr = "")
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var end = outcome switch
        {
            Outcome.Exited exited => ReplyEnd.Exit(exited.Code),
            Outcome.Signalled signalled => ReplyEnd.KilledBy(signalled.Signal),
            Outcome.TimedOut => ReplyEnd.Timeout,
            _ => throw new ArgumentException($"Unknown outcome {outcome}.", nameof(outcome)),
        };
        return new Reply([], end).WithStdout(stdout).WithStderr(stderr);
    }

    /// <summary>The same reply, also writing <paramref name="text"/> to stdout (after what it already writes).</summary>
    [Pure]
    public Reply WithStdout(string text) => WithStep(OutputStreams.Stdout, text, TimeSpan.Zero);

    /// <summary>The same reply, also writing <paramref name="text"/> to stderr (after what it already writes).</summary>
    [Pure]
    public Reply WithStderr(string text) => WithStep(OutputStreams.Stderr, text, TimeSpan.Zero);

    /// <summary>The same reply, also writing raw bytes to stdout (for testing undecodable output).</summary>
    [Pure]
    public Reply WithStdoutBytes(ReadOnlyMemory<byte> bytes) =>
        bytes.IsEmpty ? this : new Reply(Steps.Add(new ReplyStep(OutputStreams.Stdout, null, bytes.ToArray(), TimeSpan.Zero)), End);

    /// <summary>The same reply, also writing raw bytes to stderr (for testing undecodable output).</summary>
    [Pure]
    public Reply WithStderrBytes(ReadOnlyMemory<byte> bytes) =>
        bytes.IsEmpty ? this : new Reply(Steps.Add(new ReplyStep(OutputStreams.Stderr, null, bytes.ToArray(), TimeSpan.Zero)), End);

    /// <summary>The same reply, also writing these lines to stdout, <paramref name="delay"/> apart.</summary>
    [Pure]
    public Reply WithStdoutLines(IEnumerable<string> lines, TimeSpan? delay = null) => WithLines(OutputStreams.Stdout, lines, delay);

    /// <summary>The same reply, also writing these lines to stderr, <paramref name="delay"/> apart.</summary>
    [Pure]
    public Reply WithStderrLines(IEnumerable<string> lines, TimeSpan? delay = null) => WithLines(OutputStreams.Stderr, lines, delay);

    /// <summary>The same output, ending with exit code <paramref name="code"/> instead.</summary>
    [Pure]
    public Reply WithExitCode(int code)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(code);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(code, 255);
        return new Reply(Steps, ReplyEnd.Exit(code));
    }

    /// <inheritdoc/>
    public override string ToString() => $"reply writing {Steps.Length} chunk(s), then {End}";

    private Reply WithLines(OutputStreams stream, IEnumerable<string> lines, TimeSpan? delay)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var wait = delay ?? TimeSpan.Zero;
        ArgumentOutOfRangeException.ThrowIfLessThan(wait, TimeSpan.Zero, nameof(delay));
        var steps = Steps.ToBuilder();
        var first = true;
        foreach (var line in lines)
        {
            ArgumentNullException.ThrowIfNull(line, nameof(lines));
            steps.Add(new ReplyStep(stream, line + "\n", null, first ? TimeSpan.Zero : wait));
            first = false;
        }

        return new Reply(steps.ToImmutable(), End);
    }

    private Reply WithStep(OutputStreams stream, string text, TimeSpan delay)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length == 0 ? this : new Reply(Steps.Add(new ReplyStep(stream, text, null, delay)), End);
    }
}

/// <summary>One piece of scripted output: text (encoded at play time) or raw bytes, after a delay.</summary>
internal sealed record ReplyStep(OutputStreams Stream, string? Text, byte[]? Bytes, TimeSpan DelayBefore);

/// <summary>How a scripted program ends.</summary>
internal sealed record ReplyEnd(ReplyEndKind Kind, int Code, Signal? Signal)
{
    public static ReplyEnd Timeout { get; } = new(ReplyEndKind.TimedOut, 0, null);

    public static ReplyEnd Pending { get; } = new(ReplyEndKind.Pending, 0, null);

    public static ReplyEnd Exit(int code) => new(ReplyEndKind.Exited, code, null);

    public static ReplyEnd KilledBy(Signal? signal) => new(ReplyEndKind.Signalled, 0, signal);

    public override string ToString() => Kind switch
    {
        ReplyEndKind.Exited => $"exit {Code}",
        ReplyEndKind.Signalled => Signal is { } s ? $"killed by {s}" : "killed by an unknown signal",
        ReplyEndKind.TimedOut => "time out",
        _ => "stay pending",
    };
}

internal enum ReplyEndKind
{
    Exited,
    Signalled,
    TimedOut,
    Pending,
}
