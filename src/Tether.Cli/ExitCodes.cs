namespace Tether.Cli;

/// <summary>
/// The exit codes of the <c>tether</c> tool (see docs/cli.md). <c>tether run</c> otherwise mirrors the child's own
/// code, the way <c>timeout(1)</c> and shells do.
/// </summary>
internal static class ExitCodes
{
    /// <summary>Everything went as asked.</summary>
    public const int Success = 0;

    /// <summary>A failure the user can fix: bad input such as a missing directory, a host that lacks a feature.</summary>
    public const int Failure = 1;

    /// <summary>The command line itself is wrong: unknown option, bad value, missing program.</summary>
    public const int Usage = 2;

    /// <summary>A timeout of <c>tether run</c> ran out and the process tree was stopped (as <c>timeout(1)</c>).</summary>
    public const int TimedOut = 124;

    /// <summary>The program exists but could not be started: not executable, a directory (as shells do).</summary>
    public const int CannotExecute = 126;

    /// <summary>The program was not found (as shells do).</summary>
    public const int NotFound = 127;

    /// <summary>Tether was interrupted (SIGINT, SIGTERM or SIGHUP) and stopped the process tree.</summary>
    public const int Interrupted = 130;

    /// <summary>
    /// The child was killed by signal N: the exit code is 128 + N; 128 when the signal is unknown (only a replayed
    /// cassette entry can say "signalled" without a number).
    /// </summary>
    public static int KilledBy(Signal? signal) => 128 + (signal?.Number ?? 0);
}
