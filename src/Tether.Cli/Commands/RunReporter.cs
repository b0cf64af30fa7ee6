using System.Text.Json;

namespace Tether.Cli.Commands;

/// <summary>
/// Ends a <c>tether run</c>: turns how the run ended into tether's exit code, prints the one-line diagnostic when there
/// is one, and with <c>--json</c> prints the result object as the last line of stdout.
/// </summary>
/// <remarks>
/// The JSON object always has the same keys (null when a value is unknown), in this order:
/// <c>json_version</c> (of the JSON contract, see <see cref="JsonLine"/>), <c>program</c>, <c>arg_count</c>, <c>outcome</c> (<c>exited</c>,
/// <c>signalled</c>, <c>timed_out</c>, <c>interrupted</c>, <c>not_started</c>, <c>failed</c>), <c>exit_code</c>,
/// <c>signal</c>, <c>signal_number</c>, <c>timeout</c> (<c>overall</c> or <c>idle</c>), <c>duration_ms</c>,
/// <c>cpu_ms</c>, <c>peak_memory_bytes</c>, <c>mechanism</c> (<c>cgroup</c>, <c>process-group</c>, or <c>none</c> for a run
/// replayed from a cassette, which has no pid or CPU time), <c>pid</c>,
/// <c>tether_exit_code</c>, <c>error</c> (null, or the object <c>{"code":…,"message":…}</c>). <c>duration_ms</c> has a
/// fraction of a millisecond; <c>cpu_ms</c> is whole. Arguments are counted, never printed: they may hold secrets.
/// </remarks>
internal sealed class RunReporter(CliConsole console, JsonOutput json, Command command, Streams.OutputTee stdout)
{
    private readonly long _startTimestamp = TimeProvider.System.GetTimestamp();

    /// <summary>
    /// The run ended by itself or by a timeout: mirror it; or, when <paramref name="unsaved"/> says why the run could not
    /// be recorded to its cassette, print that and exit 1.
    /// </summary>
    public int Finished(ProcessResult<byte[]> result, string? unsaved = null)
    {
        // A replayed run has no process: its pid is made up and it used no CPU, so neither is reported.
        var replayed = result.Mechanism == ContainmentMechanism.None;
        int exitCode;
        Signal? signal = null;
        int? childExitCode = null;
        string? timeout = null;
        string outcome;
        switch (result.Outcome)
        {
            case Outcome.Exited exited:
                outcome = "exited";
                exitCode = exited.Code;
                childExitCode = exited.Code;
                break;
            case Outcome.Signalled signalled:
                outcome = "signalled";
                signal = signalled.Signal;
                exitCode = ExitCodes.KilledBy(signalled.Signal);
                break;
            case Outcome.TimedOut timedOut:
                outcome = "timed_out";
                timeout = timedOut.Kind == TimeoutKind.Idle ? "idle" : "overall";
                exitCode = ExitCodes.TimedOut;
                console.WriteError(replayed
                    ? $"{command}: timed out (replayed from the cassette: the recorded run timed out)."
                    : $"{command}: {timedOut}; its process tree was stopped.");
                break;
            default:
                throw new InvalidOperationException($"Unknown outcome {result.Outcome}.");
        }

        if (unsaved is not null)
        {
            console.WriteError(unsaved);
            exitCode = ExitCodes.Failure;
        }

        WriteJson(new Fields(outcome, exitCode)
        {
            ChildExitCode = childExitCode,
            Signal = signal,
            Timeout = timeout,
            Duration = result.Duration,
            CpuTime = replayed ? null : result.CpuTime,
            PeakMemoryBytes = result.PeakMemoryBytes,
            Mechanism = result.Mechanism,
            Pid = replayed ? null : result.Pid,
            Error = unsaved,
        });
        return exitCode;
    }

    /// <summary>Tether was interrupted and stopped the tree (or never started it).</summary>
    public int Interrupted(int? pid, ContainmentMechanism? mechanism)
    {
        WriteJson(new Fields("interrupted", ExitCodes.Interrupted) { Pid = pid, Mechanism = mechanism, Duration = Elapsed() });
        return ExitCodes.Interrupted;
    }

    /// <summary>The program could not be started; <paramref name="message"/> says why and what to do.</summary>
    public int NotStarted(int exitCode, string message)
    {
        console.WriteError(message);
        WriteJson(new Fields("not_started", exitCode)
        {
            Error = message,
            ErrorCode = exitCode switch
            {
                ExitCodes.NotFound => JsonErrorCode.NotFound,
                ExitCodes.Usage => JsonErrorCode.Usage,
                _ => JsonErrorCode.Failed,
            },
        });
        return exitCode;
    }

    /// <summary>The run started but could not be followed to its end (an I/O failure in the library).</summary>
    public int Failed(int pid, ContainmentMechanism mechanism, string message)
    {
        console.WriteError(message);
        WriteJson(new Fields("failed", ExitCodes.Failure) { Pid = pid, Mechanism = mechanism, Duration = Elapsed(), Error = message });
        return ExitCodes.Failure;
    }

    /// <summary>Writes the object for <paramref name="fields"/>.</summary>
    private void WriteFields(Utf8JsonWriter writer, Fields fields)
    {
        writer.WriteStartObject();
        writer.WriteString("program", command.Program);
        writer.WriteNumber("arg_count", command.Arguments.Length);
        writer.WriteString("outcome", fields.Outcome);
        WriteNumberOrNull(writer, "exit_code", fields.ChildExitCode);
        if (fields.Signal is { } signal)
        {
            writer.WriteString("signal", signal.ToString());
            writer.WriteNumber("signal_number", signal.Number);
        }
        else
        {
            writer.WriteNull("signal");
            writer.WriteNull("signal_number");
        }

        WriteStringOrNull(writer, "timeout", fields.Timeout);
        JsonLine.WriteDuration(writer, fields.Duration);
        WriteNumberOrNull(writer, "cpu_ms", fields.CpuTime is { } c ? (long)Math.Round(c.TotalMilliseconds) : null);
        WriteNumberOrNull(writer, "peak_memory_bytes", fields.PeakMemoryBytes);
        WriteStringOrNull(writer, "mechanism", fields.Mechanism switch
        {
            ContainmentMechanism.Cgroup => "cgroup",
            ContainmentMechanism.ProcessGroup => "process-group",
            ContainmentMechanism.None => "none",
            _ => null,
        });
        WriteNumberOrNull(writer, "pid", fields.Pid);
        writer.WriteNumber("tether_exit_code", fields.TetherExitCode);
        if (fields.Error is { } error)
        {
            JsonLine.WriteError(writer, fields.ErrorCode, error);
        }
        else
        {
            writer.WriteNull("error");
        }

        writer.WriteEndObject();
    }

    private void WriteJson(Fields fields)
    {
        if (!json.Requested)
        {
            return;
        }

        try
        {
            // The object must be a line of its own even when the program's output did not end with a line break.
            json.Write(writer => WriteFields(writer, fields), breakLineFirst: !stdout.AtLineStart);
            console.Out.Flush();
        }
        catch (IOException)
        {
            // Nobody reads stdout any more; the exit code still tells.
        }
    }

    private TimeSpan Elapsed() => TimeProvider.System.GetElapsedTime(_startTimestamp);

    private static void WriteNumberOrNull(Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void WriteStringOrNull(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    /// <summary>What the JSON object says beyond the command itself.</summary>
    internal sealed record Fields(string Outcome, int TetherExitCode)
    {
        public int? ChildExitCode { get; init; }

        public Signal? Signal { get; init; }

        public string? Timeout { get; init; }

        public TimeSpan? Duration { get; init; }

        public TimeSpan? CpuTime { get; init; }

        public long? PeakMemoryBytes { get; init; }

        public ContainmentMechanism? Mechanism { get; init; }

        public int? Pid { get; init; }

        public string? Error { get; init; }

        /// <summary>The error object's code when <see cref="Error"/> is set.</summary>
        public string ErrorCode { get; init; } = JsonErrorCode.Failed;
    }
}
