using System.Globalization;

namespace Tether.Supervisor;

/// <summary>How an instance's process ended: an exit code or a signal, and whether the kernel killed it for memory.</summary>
/// <param name="ExitCode">The exit code, or null when a signal ended it.</param>
/// <param name="Signal">The signal that ended it, or null.</param>
/// <param name="OutOfMemory">True when the OOM killer ended its tree.</param>
public sealed record ExitInfo(int? ExitCode, Signal? Signal = null, bool OutOfMemory = false)
{
    /// <summary>An exit with <paramref name="code"/>.</summary>
    public static ExitInfo Code(int code) => new(code);

    /// <summary>An end by <paramref name="signal"/>.</summary>
    public static ExitInfo BySignal(Signal signal) => new(null, signal);

    /// <summary><c>exit 1</c>, <c>signal SIGKILL</c>, <c>killed for memory (SIGKILL)</c>.</summary>
    public override string ToString() => OutOfMemory
        ? "killed for memory" + (Signal is { } oom ? $" ({oom})" : "")
        : Signal is { } signal ? "signal " + signal : "exit " + (ExitCode ?? -1).ToString(CultureInfo.InvariantCulture);
}
