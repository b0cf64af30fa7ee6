namespace Tether.Testing.Scripting;

/// <summary>Starts a real <see cref="RunningProcess"/> over a <see cref="ScriptedProcessTree"/> playing a reply.</summary>
internal static class ScriptedRun
{
    /// <summary>As <see cref="ProcessRunner"/> does before spawning: a cancelled token fails the run before it starts.</summary>
    public static void ThrowIfCancelled(Pipeline pipeline, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var token in pipeline.AllCancellationTokens())
        {
            token.ThrowIfCancellationRequested();
        }
    }

    public static RunningProcess Start(Pipeline pipeline, Reply reply, TimeProvider time, bool streaming, CancellationToken runCancellation)
    {
        var tree = new ScriptedProcessTree(reply, pipeline, time);
        var process = new RunningProcess(pipeline, tree, time, time.GetTimestamp(), streaming, runCancellation);
        tree.Play(process);
        return process;
    }

    public static async Task<ProcessResult<byte[]>> OutputBytesAsync(Pipeline pipeline, Reply reply, TimeProvider time, CancellationToken cancellationToken)
    {
        if (TryAnswerAtOnce(pipeline, reply, time, cancellationToken) is { } answer)
        {
            return answer;
        }

        var process = Start(pipeline, reply, time, streaming: false, cancellationToken);
        await using (process.ConfigureAwait(false))
        {
            return await process.Completion.ConfigureAwait(false);
        }
    }

    public static async Task<ProcessResult<string>> OutputStringAsync(Pipeline pipeline, Reply reply, TimeProvider time, CancellationToken cancellationToken)
    {
        var result = await OutputBytesAsync(pipeline, reply, time, cancellationToken).ConfigureAwait(false);
        return result.WithOutput(pipeline.Last.Encoding.GetString);
    }

    /// <summary>
    /// The result a capturing verb would get from playing <paramref name="reply"/> through a <see cref="RunningProcess"/>,
    /// computed directly — when nothing in the play could be observed or could change it: no line handlers or tees, no
    /// delays, output within the limit, and an ending that needs no clock (anything but pending). Null otherwise, and
    /// the reply is played for real. Specs check that both paths give equal results.
    /// </summary>
    private static ProcessResult<byte[]>? TryAnswerAtOnce(Pipeline pipeline, Reply reply, TimeProvider time, CancellationToken cancellationToken)
    {
        var command = pipeline.Last;
        if (pipeline.Stages.Length != 1 || reply.End.Kind == ReplyEndKind.Pending
            || !command.StdoutLineHandlers.IsEmpty || !command.StderrLineHandlers.IsEmpty
            || !command.StdoutTees.IsEmpty || !command.StderrTees.IsEmpty)
        {
            return null;
        }

        foreach (var step in reply.Steps)
        {
            if (step.DelayBefore > TimeSpan.Zero)
            {
                return null;
            }
        }

        var start = time.GetTimestamp();
        var stdout = Collect(reply, OutputStreams.Stdout, command);
        var stderr = Collect(reply, OutputStreams.Stderr, command);
        if (stdout.Length > command.OutputLimit.MaxBytes || stderr.Length > command.OutputLimit.MaxBytes)
        {
            return null;
        }

        ThrowIfCancelled(pipeline, cancellationToken);
        var pid = ScriptedProcessTree.NextPid();
        Outcome outcome;
        Outcome stageOutcome;
        switch (reply.End.Kind)
        {
            case ReplyEndKind.Exited:
                outcome = stageOutcome = new Outcome.Exited(reply.End.Code);
                break;
            case ReplyEndKind.Signalled:
                outcome = stageOutcome = new Outcome.Signalled(reply.End.Signal);
                break;
            default:
                // As the arbiter reports a scripted timeout: the command's deadline; the stage died of the stop signal.
                outcome = pipeline.Timeout is { } overall ? new Outcome.TimedOut(TimeoutKind.Overall, overall)
                    : pipeline.IdleTimeout is { } idle ? new Outcome.TimedOut(TimeoutKind.Idle, idle)
                    : new Outcome.TimedOut(TimeoutKind.Overall, TimeSpan.Zero);
                stageOutcome = new Outcome.Signalled(pipeline.StopSignal);
                break;
        }

        var blamed = outcome is Outcome.TimedOut || stageOutcome.IsSuccess(command.OkExitCodes) ? (int?)null : 0;
        return new ProcessResult<byte[]>
        {
            Program = pipeline.ToString(),
            Stdout = stdout,
            Stderr = stderr,
            Outcome = outcome,
            OkExitCodes = command.OkExitCodes,
            Duration = time.GetElapsedTime(start),
            Timeout = pipeline.Timeout,
            CpuTime = TimeSpan.Zero,
            Mechanism = ContainmentMechanism.None,
            Pid = pid,
            Stages = [new StageResult(command.ToString(), pid, stageOutcome, TimeSpan.Zero, null)],
            BlamedStage = blamed,
        };
    }

    private static byte[] Collect(Reply reply, OutputStreams stream, Command command)
    {
        byte[]? single = null;
        List<byte>? many = null;
        foreach (var step in reply.Steps)
        {
            if (step.Stream != stream)
            {
                continue;
            }

            var bytes = step.Bytes is { } raw ? raw.ToArray() : command.Encoding.GetBytes(step.Text!);
            if (single is null && many is null)
            {
                single = bytes;
                continue;
            }

            many ??= [.. single!];
            many.AddRange(bytes);
        }

        return many is not null ? [.. many] : single ?? [];
    }
}
