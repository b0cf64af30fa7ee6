using Tether.Detached;

namespace Tether;

/// <summary>
/// Detached runs: the one way out of Tether's no-orphan guarantee, for a daemon a user asks for. See
/// <see cref="StartDetachedAsync"/>.
/// </summary>
public static class DetachedExtensions
{
    /// <summary>
    /// Starts <paramref name="command"/> so that it outlives this process on purpose: in a new session (so in no process
    /// group of ours), outside every run's cgroup leaf, unknown to the warden, with stdin on <c>/dev/null</c> and
    /// stdout/stderr appended to <paramref name="stdoutPath"/>/<paramref name="stderrPath"/> (created 0600, never
    /// through a symbolic link) or <c>/dev/null</c>. Nothing stops it: not disposal, not this process's death, not
    /// SIGKILL of this process. While this process lives it reaps the detached one when it exits, so no zombie
    /// remains; after this process is gone it belongs to init (or the nearest subreaper).
    /// </summary>
    /// <remarks>
    /// Uses the command's program, arguments, environment and working directory. What only makes sense for a run Tether
    /// watches is refused rather than ignored: a timeout, an idle timeout, standard input, line handlers, tees, a
    /// retry policy. A service manager that kills its whole cgroup (systemd's default for a service) still kills a
    /// detached process started from inside it: that cgroup is not Tether's.
    /// </remarks>
    /// <exception cref="ProgramNotFoundException">The program does not exist.</exception>
    /// <exception cref="SpawnFailedException">It could not be started, or an output file could not be opened.</exception>
    /// <exception cref="NotSupportedException">The command asks for something only a watched run has.</exception>
    public static Task<DetachedProcess> StartDetachedAsync(this ProcessRunner runner, Command command, string? stdoutPath = null, string? stderrPath = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(command);
        if (stdoutPath is not null)
        {
            Command.ValidateText(stdoutPath, nameof(stdoutPath), "stdout path");
        }

        if (stderrPath is not null)
        {
            Command.ValidateText(stderrPath, nameof(stderrPath), "stderr path");
        }

        ProcessRunner.EnsureSupportedPlatform();
        Refuse(command.Timeout is not null, "a timeout");
        Refuse(command.IdleTimeout is not null, "an idle timeout");
        Refuse(command.Stdin != StandardInput.Empty, "standard input");
        Refuse(!command.StdoutLineHandlers.IsEmpty || !command.StderrLineHandlers.IsEmpty, "line handlers");
        Refuse(!command.StdoutTees.IsEmpty || !command.StderrTees.IsEmpty, "output tees");
        Refuse(command.InheritsStdout, "an inherited stdout");
        Refuse(command.StdoutForwardedTo is not null, "a forwarded stdout");
        Refuse(command.Retry is not null, "a retry policy");
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return Task.FromResult(DetachedSpawner.Spawn(command, stdoutPath, stderrPath));
        }
        catch (Exception ex)
        {
            return Task.FromException<DetachedProcess>(ex);
        }
    }

    private static void Refuse(bool asked, string what)
    {
        if (asked)
        {
            throw new NotSupportedException($"A detached process cannot have {what}: nothing watches it once started. Remove it, or use StartAsync for a run Tether watches.");
        }
    }
}
