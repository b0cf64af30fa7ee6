using System.Collections.Immutable;
using Tether.Internal;

namespace Tether;

/// <summary>The result of a finished run: per-stage outcomes, pipefail blame, resources and the reason it ended.</summary>
public sealed partial class RunningProcess
{
    private ProcessResult<byte[]> BuildResult(TimeSpan duration)
    {
        var stages = ImmutableArray.CreateBuilder<StageResult>(_pipeline.Stages.Length);
        var cpu = TimeSpan.Zero;
        var treePeak = _tree.TreePeakMemory();
        var peak = treePeak;
        for (var i = 0; i < _pipeline.Stages.Length; i++)
        {
            var status = _tree.StageExits[i].Result;

            // A posix_spawn child shares the host's address space until it execs, and the kernel folds that address
            // space's high-water mark into the child's ru_maxrss. A figure at or below the host's own peak may be the
            // host's, so it is reported as unknown rather than as a wrong number. (The host's peak is read only when
            // needed: it is a /proc read.)
            long? stagePeak = null;
            if (status.PeakMemoryBytes is { } p)
            {
                stagePeak = treePeak is null && HostMemory.PeakIsAtLeast(p) == true ? null : p;
            }

            stages.Add(new StageResult(_pipeline.Stages[i].ToString(), _tree.Pids[i], status.Outcome, status.CpuTime, stagePeak));
            cpu += status.CpuTime;
            if (treePeak is null && stagePeak is { } sp && (peak is null || sp > peak))
            {
                peak = sp;
            }
        }

        // A SIGKILL in a run that ended by itself and whose memory group counted an OOM kill was the kernel's
        // out-of-memory killer (a run we stopped may have been SIGKILLed by us).
        var oomKills = _tree.OutOfMemoryKills();
        if (oomKills > 0 && _arbiter.Reason == StopReason.None)
        {
            for (var i = 0; i < stages.Count; i++)
            {
                if (stages[i].Outcome is Outcome.Signalled { Signal.Number: 9 } signalled)
                {
                    stages[i] = stages[i] with { Outcome = signalled with { OutOfMemory = true } };
                }
            }
        }

        var stageResults = stages.MoveToImmutable();
        var blamed = Blame(stageResults);
        Outcome outcome = _arbiter.Reason switch
        {
            StopReason.Timeout => new Outcome.TimedOut(TimeoutKind.Overall, _pipeline.Timeout!.Value),
            StopReason.IdleTimeout => new Outcome.TimedOut(TimeoutKind.Idle, _pipeline.IdleTimeout!.Value),
            StopReason.ReportedTimeout => ReportedTimeoutOutcome(),
            _ => blamed is { } b ? stageResults[b].Outcome : stageResults[^1].Outcome,
        };

        return new ProcessResult<byte[]>
        {
            Program = Program,
            Stdout = _stdoutCapture.ToArray(),
            Stderr = _stderrCapture.ToArray(),
            Outcome = outcome,
            OkExitCodes = blamed is { } bi ? _pipeline.Stages[bi].OkExitCodes : _pipeline.Last.OkExitCodes,
            Duration = duration,
            Timeout = _pipeline.Timeout,
            StdoutTruncated = _stdoutCapture.Truncated,
            StderrTruncated = _stderrCapture.Truncated,
            CpuTime = _tree.TreeCpuTime() ?? cpu,
            PeakMemoryBytes = peak,
            OutOfMemoryKills = oomKills,
            Mechanism = _tree.Mechanism,
            Pid = Pid,
            Stages = stageResults,
            BlamedStage = outcome is Outcome.TimedOut ? null : blamed,
        };
    }

    /// <summary>
    /// The deadline a reported timeout carries: the command's overall timeout, else its idle timeout, else zero (a
    /// scripted timeout on a command that sets none).
    /// </summary>
    private Outcome.TimedOut ReportedTimeoutOutcome() => _pipeline.Timeout is { } overall
        ? new Outcome.TimedOut(TimeoutKind.Overall, overall)
        : _pipeline.IdleTimeout is { } idle ? new Outcome.TimedOut(TimeoutKind.Idle, idle) : new Outcome.TimedOut(TimeoutKind.Overall, TimeSpan.Zero);

    /// <summary>
    /// pipefail with honest blame: the first stage that failed, skipping earlier stages that died of SIGPIPE (or
    /// exited 141, a shell's report of it) because a later stage stopped reading.
    /// </summary>
    private int? Blame(ImmutableArray<StageResult> stages)
    {
        for (var i = 0; i < stages.Length; i++)
        {
            var outcome = stages[i].Outcome;
            if (outcome.IsSuccess(_pipeline.Stages[i].OkExitCodes))
            {
                continue;
            }

            var isLast = i == stages.Length - 1;
            var sigpipeVictim = !isLast && outcome is Outcome.Signalled { Signal.Number: 13 } or Outcome.Exited { Code: 141 };
            if (!sigpipeVictim)
            {
                return i;
            }
        }

        return null;
    }
}
