using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Tether.Cli.Commands;

/// <summary>
/// Ends a <c>tether run</c>: turns how the run ended into tether's exit code, prints the one-line diagnostic when there
/// is one, and with <c>--json</c> prints the result object as the last line of stdout.
/// </summary>
/// <remarks>
/// The JSON object always has the same keys (null when a value is unknown), in this order:
/// <c>version</c> (of this shape, 1), <c>program</c>, <c>arg_count</c>, <c>outcome</c> (<c>exited</c>,
/// <c>signalled</c>, <c>timed_out</c>, <c>interrupted</c>, <c>not_started</c>, <c>failed</c>), <c>exit_code</c>,
/// <c>signal</c>, <c>signal_number</c>, <c>timeout</c> (<c>overall</c> or <c>idle</c>), <c>duration_ms</c>,
/// <c>cpu_ms</c>, <c>peak_memory_bytes</c>, <c>mechanism</c> (<c>cgroup</c>, <c>process-group</c>, or <c>none</c> for a run
/// replayed from a cassette, which has no pid or CPU time), <c>pid</c>,
/// <c>tether_exit_code</c>, <c>error</c>. Arguments are counted, never printed: they may hold secrets.
/// </remarks>
internal sealed class RunReporter(CliConsole console, bool json, Command command, Streams.OutputTee stdout)
{
    public const int JsonVersion = 1;

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
        WriteJson(new Fields("not_started", exitCode) { Error = message });
        return exitCode;
    }

    /// <summary>The run started but could not be followed to its end (an I/O failure in the library).</summary>
    public int Failed(int pid, ContainmentMechanism mechanism, string message)
    {
        console.WriteError(message);
        WriteJson(new Fields("failed", ExitCodes.Failure) { Pid = pid, Mechanism = mechanism, Duration = Elapsed(), Error = message });
        return ExitCodes.Failure;
    }

    /// <summary>The JSON text for <paramref name="fields"/>, on one line.</summary>
    internal string FormatJson(Fields fields)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", JsonVersion);
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
            WriteNumberOrNull(writer, "duration_ms", fields.Duration is { } d ? (long)Math.Round(d.TotalMilliseconds) : null);
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
            WriteStringOrNull(writer, "error", fields.Error);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private void WriteJson(Fields fields)
    {
        if (!json)
        {
            return;
        }

        try
        {
            // The object must be a line of its own even when the program's output did not end with a line break.
            var text = FormatJson(fields);
            console.Out.WriteLine(stdout.AtLineStart ? text : Environment.NewLine + text);
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
    }
}
