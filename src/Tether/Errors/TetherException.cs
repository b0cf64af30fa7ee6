namespace Tether;

/// <summary>The base of every error a run reports. Cancellation is reported as <see cref="OperationCanceledException"/> instead.</summary>
public abstract class TetherException : Exception
{
    private protected TetherException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }

    /// <summary>Text from a command (its program, its output) as a message may show it: secrets masked by
    /// <see cref="RedactionPolicy.Default"/>, because messages end up in logs.</summary>
    private protected static string Shown(string text) => RedactionPolicy.Default.Redact(text);
}

/// <summary>The program could not be found; <see cref="SearchedPaths"/> lists where Tether looked.</summary>
public sealed class ProgramNotFoundException : TetherException
{
    internal ProgramNotFoundException(string program, IReadOnlyList<string> searchedPaths)
        : base(searchedPaths.Count == 0
            ? $"Program '{Shown(program)}' was not found; check the path."
            : $"Program '{Shown(program)}' was not found on PATH (looked in {string.Join(", ", searchedPaths.Take(12))}{(searchedPaths.Count > 12 ? ", …" : "")}); check the name or give a full path.")
    {
        Program = program;
        SearchedPaths = searchedPaths;
    }

    /// <summary>The program as given.</summary>
    public string Program { get; }

    /// <summary>The directories (or the exact path) that were tried.</summary>
    public IReadOnlyList<string> SearchedPaths { get; }
}

/// <summary>The program was found but could not be started (not executable, a directory, bad working directory, …).</summary>
public sealed class SpawnFailedException : TetherException
{
    internal SpawnFailedException(string program, int errno, string reason)
        : base($"Could not start '{Shown(program)}': {Shown(reason)}.")
    {
        Program = program;
        Errno = errno;
        Reason = reason;
    }

    /// <summary>The program as given.</summary>
    public string Program { get; }

    /// <summary>The OS error number (errno), or 0 when the failure was detected before asking the OS.</summary>
    public int Errno { get; }

    /// <summary>What went wrong, in words.</summary>
    public string Reason { get; }
}

/// <summary>Base of the errors that carry a finished run's result.</summary>
public abstract class ProcessFailedException : TetherException
{
    private protected ProcessFailedException(string message, ProcessResult<string> result)
        : base(message)
    {
        Result = result;
    }

    /// <summary>The run's result, with the output captured until it ended.</summary>
    public ProcessResult<string> Result { get; }

    /// <summary>The last line of <paramref name="stderr"/> for a message, with secrets masked: by the rules, and every
    /// secret of <paramref name="pipeline"/>'s commands should the program have printed it.</summary>
    private protected static string Tail(string stderr, Pipeline? pipeline)
    {
        var trimmed = stderr.TrimEnd();
        if (trimmed.Length == 0)
        {
            return "";
        }

        var lastLine = Shown(trimmed[(trimmed.LastIndexOf('\n') + 1)..]);
        foreach (var stage in pipeline?.Stages ?? [])
        {
            lastLine = RedactionPolicy.Default.For(stage).Output(lastLine);
        }

        return ": " + (lastLine.Length > 200 ? lastLine[..200] + "…" : lastLine);
    }
}

/// <summary>The run exited with a code that is not ok.</summary>
public sealed class NonZeroExitException : ProcessFailedException
{
    internal NonZeroExitException(ProcessResult<string> result, Pipeline? pipeline = null)
        : base($"'{Shown(result.Program)}' exited with code {result.ExitCode}{Tail(result.Stderr, pipeline)}", result)
    {
        ExitCode = result.ExitCode ?? -1;
    }

    /// <summary>The exit code.</summary>
    public int ExitCode { get; }
}

/// <summary>A timeout ran out and the tree was stopped; <see cref="ProcessFailedException.Result"/> holds the partial output.</summary>
public sealed class TimedOutException : ProcessFailedException
{
    internal TimedOutException(ProcessResult<string> result)
        : base($"'{Shown(result.Program)}' {result.Outcome}", result)
    {
    }
}

/// <summary>The run was killed by a signal that Tether did not send for a timeout.</summary>
public sealed class SignalledException : ProcessFailedException
{
    internal SignalledException(ProcessResult<string> result, Signal? signal)
        : base($"'{Shown(result.Program)}' was {(signal is { } s ? $"killed by {s}" : "killed by an unknown signal")}", result)
    {
        Signal = signal;
    }

    /// <summary>The signal, or null when it is unknown (a replayed or scripted run that recorded no number).</summary>
    public Signal? Signal { get; }
}

/// <summary>
/// A readiness wait ended without what it waited for: the timeout ran out, or the run ended first. A readiness wait
/// never stops the process.
/// </summary>
public sealed class NotReadyException : TetherException
{
    internal NotReadyException(string message)
        : base(message)
    {
    }

    internal NotReadyException(string message, string waitedFor, Outcome? exitedWith)
        : base(message)
    {
        WaitedFor = waitedFor;
        ExitedWith = exitedWith;
    }

    /// <summary>What the wait was for (<c>port 127.0.0.1:8080 to accept connections</c>), or null for a line wait.</summary>
    public string? WaitedFor { get; }

    /// <summary>How the run ended when it ended before it was ready; null when it is still running.</summary>
    public Outcome? ExitedWith { get; }
}

/// <summary>A stream produced more than the output limit under <see cref="OverflowPolicy.Error"/>; the tree was stopped.</summary>
public sealed class OutputTooLargeException : TetherException
{
    internal OutputTooLargeException(string program, string stream, long limit)
        : base($"'{Shown(program)}' wrote more than {limit} bytes to {stream}; raise the limit with WithOutputLimit or choose a KeepNewest/KeepOldest policy.")
    {
        Stream = stream;
        Limit = limit;
    }

    /// <summary><c>stdout</c> or <c>stderr</c>.</summary>
    public string Stream { get; }

    /// <summary>The limit in bytes.</summary>
    public long Limit { get; }
}

/// <summary>Something asked for cannot be done on this host; <see cref="Reason"/> says why.</summary>
public sealed class UnsupportedException : TetherException
{
    internal UnsupportedException(string reason)
        : base(reason)
    {
        Reason = reason;
    }

    /// <summary>Why.</summary>
    public string Reason { get; }
}

/// <summary>Reading or writing a run's pipes, or managing its containment, failed at the OS level.</summary>
public sealed class ProcessIOException : TetherException
{
    internal ProcessIOException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
