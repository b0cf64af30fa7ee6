namespace Tether.Watch;

// The four kinds of row.
public sealed partial class AuditLog
{
    /// <summary>
    /// Appends a <c>boot</c> row: the watcher started. Fields: <c>version</c>, <c>pid</c> (this process),
    /// <c>reason=start</c>, <c>options</c>.
    /// </summary>
    /// <param name="version">The watcher's version; free text.</param>
    /// <param name="options">A summary of the watcher's options; free text. Never put secrets here: it is written as given (made single-line).</param>
    /// <returns>The row as written.</returns>
    /// <exception cref="AuditLogException">The row could not be written (see the message); the log is unchanged.</exception>
    /// <exception cref="ObjectDisposedException">The log was disposed.</exception>
    public AuditRow Boot(string version, string options) =>
        Append(AuditRowKind.Boot, [Text("version", version), Field("pid", Environment.ProcessId), new("reason", "start"), Text("options", options)]);

    /// <summary>
    /// Appends a <c>spawn</c> row: a recovery command started for a stalled agent. Fields: <c>id</c>, <c>pid</c>,
    /// <c>start_time</c> (when known), <c>program</c> (the file name only, no directory) and <c>argc</c>. The
    /// arguments and the environment are never written.
    /// </summary>
    /// <param name="recoveryId">The recovery's id, as the watcher numbers them.</param>
    /// <param name="agentPid">The stalled agent's pid.</param>
    /// <param name="agentStartTime">The agent's start time (clock ticks since boot, <c>/proc/PID/stat</c> field 22), or null when unknown.</param>
    /// <param name="program">The program run, a name or a path; only its file name is written.</param>
    /// <param name="argumentCount">How many arguments it was given.</param>
    /// <returns>The row as written.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="argumentCount"/> is negative.</exception>
    /// <exception cref="AuditLogException">The row could not be written (see the message); the log is unchanged.</exception>
    /// <exception cref="ObjectDisposedException">The log was disposed.</exception>
    public AuditRow Spawn(long recoveryId, uint agentPid, ulong? agentStartTime, string program, int argumentCount)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentOutOfRangeException.ThrowIfNegative(argumentCount);
        var name = System.IO.Path.GetFileName(program);
        List<KeyValuePair<string, string>> fields = [Field("id", recoveryId), Field("pid", agentPid)];
        if (agentStartTime is { } start)
        {
            fields.Add(Field("start_time", start));
        }

        fields.Add(Text("program", name.Length > 0 ? name : program));
        fields.Add(Field("argc", argumentCount));
        return Append(AuditRowKind.Spawn, fields);
    }

    /// <summary>
    /// Appends a <c>spawn</c> row for <paramref name="command"/>: its program's file name and its argument count —
    /// never the arguments, the environment or the working directory.
    /// </summary>
    /// <param name="recoveryId">The recovery's id.</param>
    /// <param name="agentPid">The stalled agent's pid.</param>
    /// <param name="agentStartTime">The agent's start time (clock ticks since boot), or null when unknown.</param>
    /// <param name="command">The recovery command.</param>
    /// <returns>The row as written.</returns>
    /// <exception cref="AuditLogException">The row could not be written (see the message); the log is unchanged.</exception>
    /// <exception cref="ObjectDisposedException">The log was disposed.</exception>
    public AuditRow Spawn(long recoveryId, uint agentPid, ulong? agentStartTime, Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return Spawn(recoveryId, agentPid, agentStartTime, command.Program, command.Arguments.Length);
    }

    /// <summary>
    /// Appends a <c>complete</c> row: a recovery command ended, or could not start. Fields: <c>id</c>, <c>pid</c>,
    /// <c>outcome</c> (<c>exited</c>, <c>signalled</c>, <c>timed_out</c> or <c>failed</c>), <c>code</c> (exited) or
    /// <c>signal</c> (signalled, when known), <c>duration_ms</c>, and for stdout and stderr the bytes captured and
    /// whether the capture was truncated. The output itself is never written.
    /// </summary>
    /// <param name="recoveryId">The recovery's id.</param>
    /// <param name="agentPid">The stalled agent's pid.</param>
    /// <param name="outcome">How the command ended; null when it could not start (<c>failed</c>).</param>
    /// <param name="duration">How long it ran; written in whole milliseconds.</param>
    /// <param name="stdout">The size of its captured stdout.</param>
    /// <param name="stderr">The size of its captured stderr.</param>
    /// <returns>The row as written.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A negative duration or byte count.</exception>
    /// <exception cref="AuditLogException">The row could not be written (see the message); the log is unchanged.</exception>
    /// <exception cref="ObjectDisposedException">The log was disposed.</exception>
    public AuditRow Complete(long recoveryId, uint agentPid, Outcome? outcome, TimeSpan duration, AuditOutput stdout, AuditOutput stderr)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(stdout.Bytes, nameof(stdout));
        ArgumentOutOfRangeException.ThrowIfNegative(stderr.Bytes, nameof(stderr));
        List<KeyValuePair<string, string>> fields = [Field("id", recoveryId), Field("pid", agentPid)];
        switch (outcome)
        {
            case Outcome.Exited exited:
                fields.Add(new("outcome", "exited"));
                fields.Add(Field("code", exited.Code));
                break;
            case Outcome.Signalled signalled:
                fields.Add(new("outcome", "signalled"));
                if (signalled.Signal is { } signal)
                {
                    fields.Add(Field("signal", signal.Number));
                }

                break;
            case Outcome.TimedOut:
                fields.Add(new("outcome", "timed_out"));
                break;
            default:
                fields.Add(new("outcome", "failed"));
                break;
        }

        fields.Add(Field("duration_ms", (long)duration.TotalMilliseconds));
        fields.Add(Field("stdout_bytes", stdout.Bytes));
        fields.Add(Field("stdout_truncated", stdout.Truncated));
        fields.Add(Field("stderr_bytes", stderr.Bytes));
        fields.Add(Field("stderr_truncated", stderr.Truncated));
        return Append(AuditRowKind.Complete, fields);
    }

    /// <summary>
    /// Appends a <c>refused</c> row: a recovery was not run. Fields: <c>pid</c>, <c>reason</c>, and <c>detail</c>
    /// when given.
    /// </summary>
    /// <param name="agentPid">The agent's pid.</param>
    /// <param name="reason">
    /// Why, as one lower-case word of <c>a-z0-9_</c>: <c>cross_namespace</c>, <c>network_unverified</c>,
    /// <c>socket_mode_only</c>, <c>debounced</c>, <c>in_flight</c>, <c>in_flight_full</c>,
    /// <c>debounce_ledger_full</c>, <c>resumed</c>, <c>pid_recycled</c>, <c>agent_gone</c>, …
    /// </param>
    /// <param name="detail">More about it, free text (made single-line), or null.</param>
    /// <returns>The row as written.</returns>
    /// <exception cref="ArgumentException"><paramref name="reason"/> is not a lower-case word.</exception>
    /// <exception cref="AuditLogException">The row could not be written (see the message); the log is unchanged.</exception>
    /// <exception cref="ObjectDisposedException">The log was disposed.</exception>
    public AuditRow Refused(uint agentPid, string reason, string? detail = null)
    {
        ArgumentNullException.ThrowIfNull(reason);
        if (reason.Length > 64 || !AuditFormat.IsKey(reason))
        {
            throw new ArgumentException($"The refusal reason '{AuditFormat.Clean(reason)}' is not a lower-case word of a-z, 0-9 and _ (at most 64 characters), such as debounced or pid_recycled.", nameof(reason));
        }

        List<KeyValuePair<string, string>> fields = [Field("pid", agentPid), new("reason", reason)];
        if (detail is not null)
        {
            fields.Add(Text("detail", detail));
        }

        return Append(AuditRowKind.Refused, fields);
    }
}
