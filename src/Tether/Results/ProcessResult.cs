using System.Collections.Immutable;

namespace Tether;

/// <summary>
/// What a finished run produced and how it ended. A non-zero exit, a signal and a timeout are all data here
/// (see <see cref="Outcome"/>); output captured until then is kept.
/// </summary>
/// <typeparam name="TOutput"><see cref="string"/> or <see cref="T:byte[]"/>.</typeparam>
public sealed record ProcessResult<TOutput>
{
    /// <summary>The program (for a pipeline, the stages joined with <c>|</c>), with secret arguments redacted.</summary>
    public required string Program { get; init; }

    /// <summary>Captured stdout (of the last stage for a pipeline).</summary>
    public required TOutput Stdout { get; init; }

    /// <summary>Captured stderr (of all stages for a pipeline).</summary>
    public required TOutput Stderr { get; init; }

    /// <summary>How the run ended. For a pipeline: the blamed stage's outcome, or the last stage's when none failed.</summary>
    public required Outcome Outcome { get; init; }

    /// <summary>Exit codes that counted as success.</summary>
    public ImmutableArray<int> OkExitCodes { get; init; } = [0];

    /// <summary>Wall time from spawn to the end of the run, on the runner's clock.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>The overall timeout that was configured, or null.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>True when stdout lost bytes to the output limit.</summary>
    public bool StdoutTruncated { get; init; }

    /// <summary>True when stderr lost bytes to the output limit.</summary>
    public bool StderrTruncated { get; init; }

    /// <summary>True when either stream lost bytes to the output limit.</summary>
    public bool Truncated => StdoutTruncated || StderrTruncated;

    /// <summary>
    /// CPU time (user + system). With a cgroup this is the whole tree's; otherwise the direct children's as reported
    /// by <c>wait4</c> (plus descendants they waited for).
    /// </summary>
    public TimeSpan CpuTime { get; init; }

    /// <summary>
    /// Peak resident memory in bytes: the whole tree's from the cgroup's <c>memory.peak</c> when the memory controller
    /// is enabled there; otherwise the largest stage's <c>wait4</c> <c>ru_maxrss</c>. Null when unknown: a spawned
    /// child shares the host's address space until it execs, and the kernel counts that in <c>ru_maxrss</c>, so a
    /// figure that does not exceed the host's own peak cannot be told apart from the host's and is not reported.
    /// </summary>
    public long? PeakMemoryBytes { get; init; }

    /// <summary>
    /// How many processes of the tree the kernel killed because the run reached its memory limit
    /// (<see cref="Command.WithMemoryLimit"/>); 0 without one. A grandchild killed this way counts here even when the
    /// program itself went on and exited.
    /// </summary>
    public int OutOfMemoryKills { get; init; }

    /// <summary>The containment that was in force.</summary>
    public ContainmentMechanism Mechanism { get; init; }

    /// <summary>The pid of the last (or only) stage.</summary>
    public int Pid { get; init; }

    /// <summary>Each stage's own result; one element for a single command.</summary>
    public ImmutableArray<StageResult> Stages { get; init; } = [];

    /// <summary>The index of the stage that failed the pipeline, or null when none did.</summary>
    public int? BlamedStage { get; init; }

    /// <summary>
    /// Every attempt, first to last, when the command had a <see cref="RetryPolicy"/> (this result is the last
    /// attempt's); empty for a run without one.
    /// </summary>
    public ImmutableArray<RunAttempt> Attempts { get; init; } = [];

    /// <summary>The exit code, or null when the run was killed by a signal or timed out.</summary>
    public int? ExitCode => Outcome is Outcome.Exited exited ? exited.Code : null;

    /// <summary>True when the run exited by itself with an ok exit code (every stage, for a pipeline, up to SIGPIPE victims).</summary>
    public bool IsSuccess => BlamedStage is null && Outcome.IsSuccess(OkExitCodes);

    /// <summary>The same result with output converted by <paramref name="convert"/>.</summary>
    public ProcessResult<TOther> WithOutput<TOther>(Func<TOutput, TOther> convert)
    {
        ArgumentNullException.ThrowIfNull(convert);
        return new ProcessResult<TOther>
        {
            Program = Program,
            Stdout = convert(Stdout),
            Stderr = convert(Stderr),
            Outcome = Outcome,
            OkExitCodes = OkExitCodes,
            Duration = Duration,
            Timeout = Timeout,
            StdoutTruncated = StdoutTruncated,
            StderrTruncated = StderrTruncated,
            CpuTime = CpuTime,
            PeakMemoryBytes = PeakMemoryBytes,
            OutOfMemoryKills = OutOfMemoryKills,
            Mechanism = Mechanism,
            Pid = Pid,
            Stages = Stages,
            BlamedStage = BlamedStage,
            Attempts = Attempts,
        };
    }

    /// <summary>A one-line summary without output: program, outcome, duration.</summary>
    public override string ToString() => $"{Program}: {Outcome} in {Durations.Format(Duration)}";
}

/// <summary>One stage of a run: its program, pid and how it ended.</summary>
/// <param name="Program">The stage's program and arguments (secrets redacted).</param>
/// <param name="Pid">The stage's pid.</param>
/// <param name="Outcome">How the stage ended (the real exit status, even when the run as a whole timed out).</param>
/// <param name="CpuTime">CPU time reported by <c>wait4</c> for this stage.</param>
/// <param name="PeakMemoryBytes">Peak resident memory of this stage in bytes, or null when unknown (see <see cref="ProcessResult{TOutput}.PeakMemoryBytes"/>).</param>
public sealed record StageResult(string Program, int Pid, Outcome Outcome, TimeSpan CpuTime, long? PeakMemoryBytes);
